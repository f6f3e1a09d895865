import net from 'node:net';

/*
 * Ports for servers the tests and benchmarks start, taken below Linux's ephemeral range
 * (32768–60999): a port the OS hands out for `listen(0)` can be given to an outgoing connection
 * (a pool's connection to Postgres, NATS, Redis) between being picked and being bound, and the
 * server then fails with EADDRINUSE. Each vitest worker (VITEST_POOL_ID) picks from its own block,
 * so two stacks starting side by side never pick the same port; a process never hands out one
 * port twice.
 */
const FIRST = 20_000;
const BLOCK = 2_000;
const BLOCKS = 6;
const handedOut = new Set<number>();

/** A port that is free right now on 127.0.0.1, outside the ephemeral range, not handed out before by this process. */
export async function getFreePort(): Promise<number> {
  const pool = Number(process.env.VITEST_POOL_ID);
  const [low, size] = Number.isInteger(pool) && pool > 0 ? [FIRST + ((pool - 1) % BLOCKS) * BLOCK, BLOCK] : [FIRST, BLOCK * BLOCKS];
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = low + ((start + i) % size);
    if (handedOut.has(port)) continue;
    // Claimed before the check: concurrent calls never get the same port.
    handedOut.add(port);
    if ((await bindError(port)) === null) return port;
  }
  throw new Error(`no free port between ${low} and ${low + size - 1}`);
}

/** null when the port can be bound on host, else the bind error code (EADDRINUSE, EACCES, ...). */
function bindError(port: number, host = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Fail with a message that names the port and the variable that moves it. */
export async function assertPortFree(port: number, envVar: string): Promise<void> {
  const code = await bindError(port);
  if (code === 'EADDRINUSE') throw new Error(`Port ${port} is already in use (set ${envVar} to use another port)`);
  if (code) throw new Error(`Port ${port} cannot be used (${code}; set ${envVar} to use another port)`);
}

/** Resolves once something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('error', reject);
  });
}
