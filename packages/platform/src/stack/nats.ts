import net from 'node:net';
import { mkdirSync } from 'node:fs';
import { spawnLogged, waitUntilReady } from './process.ts';

export interface NatsOptions {
  dataDir: string;
  port: number;
  logFile: string;
  timeoutMs?: number;
}

export interface RunningNats {
  url: string;
  stop: () => Promise<void>;
}

/** Ready = the server greets with INFO and announces JetStream. */
function natsGreets(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('data', (data) => {
      socket.destroy();
      const line = data.toString();
      if (line.startsWith('INFO') && /"jetstream":\s*true/.test(line)) resolve();
      else reject(new Error('no JetStream in INFO'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('error', reject);
  });
}

export async function startNats(options: NatsOptions): Promise<RunningNats> {
  const { dataDir, port, logFile, timeoutMs = 15_000 } = options;
  mkdirSync(dataDir, { recursive: true });
  const proc = spawnLogged('nats', 'nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dataDir], logFile);
  await waitUntilReady(proc, () => natsGreets(port), timeoutMs);
  return { url: `nats://127.0.0.1:${port}`, stop: () => proc.stop() };
}
