import net from 'node:net';
import { mkdirSync } from 'node:fs';
import { spawnLogged, waitUntilReady } from './process.ts';
import { findServerBinary } from './tools.ts';

export interface NatsOptions {
  dataDir: string;
  port: number;
  logFile: string;
  timeoutMs?: number;
}

export interface RunningNats {
  url: string;
  port: number;
  stop: () => Promise<void>;
  /** Fault tests: SIGKILL, no shutdown of its own (JetStream recovers from its files on the next start). */
  kill: () => Promise<void>;
}

/** Ready = the server greets with its INFO line and announces JetStream. */
function natsGreets(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let received = '';
    socket.setTimeout(1000);
    socket.on('data', (data) => {
      received += data.toString();
      if (!received.includes('\r\n')) return;
      socket.destroy();
      if (received.startsWith('INFO') && /"jetstream":\s*true/.test(received)) resolve();
      else reject(new Error('the INFO line does not announce JetStream'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('no INFO line within 1 s'));
    });
    socket.once('error', reject);
  });
}

/** nats-server with JetStream on 127.0.0.1:port, its streams stored under dataDir (kept across runs). */
export async function startNats(options: NatsOptions): Promise<RunningNats> {
  const { dataDir, port, logFile, timeoutMs = 15_000 } = options;
  mkdirSync(dataDir, { recursive: true });
  // Unresolved, spawn fails with ENOENT and the error says nats-server could not be started.
  const command = findServerBinary('nats-server') ?? 'nats-server';
  const proc = spawnLogged('nats', command, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dataDir], logFile);
  await waitUntilReady(proc, () => natsGreets(port), timeoutMs);
  const kill = async () => {
    try {
      process.kill(-proc.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await proc.stop();
  };
  return { url: `nats://127.0.0.1:${port}`, port, stop: () => proc.stop(), kill };
}
