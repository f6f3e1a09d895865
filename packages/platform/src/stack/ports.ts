import net from 'node:net';

/** A port the OS says is free right now on 127.0.0.1. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
