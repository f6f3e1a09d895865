import net from 'node:net';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnLogged, waitUntilReady } from './process.ts';
import { findServerBinary } from './tools.ts';

export interface RedisOptions {
  dataDir: string;
  port: number;
  logFile: string;
  timeoutMs?: number;
  /** Tests: no persistence. */
  ephemeral?: boolean;
}

export interface RunningRedis {
  url: string;
  /**
   * The same server through its Unix socket (`?path=`, which ioredis reads), for clients on this
   * machine; the TCP url when the socket's path would be too long for the kernel.
   */
  socketUrl: string;
  port: number;
  stop: () => Promise<void>;
  /** Tests of Redis outages: stop the server (same as stop)... */
  pause: () => Promise<void>;
  /** ...and start it again with the same settings (stops it first if it is still running). */
  restart: () => Promise<void>;
}

/**
 * PING over a raw socket: no client library reconnect logic in a readiness probe. `-LOADING`
 * (still replaying the append-only file) counts as not ready.
 */
export function pingRedis(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected answer ${data.toString().trim()}`));
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('error', reject);
  });
}

/** redis-server on 127.0.0.1:port with its files in dataDir; resolves once it answers PING. */
export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  const { dataDir, port, logFile, timeoutMs = 15_000 } = options;
  mkdirSync(dataDir, { recursive: true });
  // Unresolved, spawn fails with ENOENT and the error says redis-server could not be started.
  const command = findServerBinary('redis-server') ?? 'redis-server';
  // Dev: the append-only file keeps sessions and carts across restarts (no RDB snapshots on top).
  const persistence = options.ephemeral ? ['--appendonly', 'no', '--save', ''] : ['--appendonly', 'yes', '--save', ''];
  // Unix socket paths are limited to ~107 bytes. Only this OS user may use the socket (no password, as over TCP).
  const socket = join(resolve(dataDir), 'redis.sock');
  const local = Buffer.byteLength(socket) <= 100 ? ['--unixsocket', socket, '--unixsocketperm', '700'] : [];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--daemonize', 'no', ...local, ...persistence];
  let proc = spawnLogged('redis', command, args, logFile);
  await waitUntilReady(proc, () => pingRedis(port), timeoutMs);
  // After stop() a restart must not bring back a server nobody will stop again.
  let stopped = false;
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    socketUrl: local.length ? `${url}?path=${encodeURIComponent(socket)}` : url,
    port,
    stop: () => {
      stopped = true;
      return proc.stop();
    },
    pause: () => proc.stop(),
    restart: async () => {
      if (stopped) throw new Error('redis was stopped: restart() is only for pause()');
      await proc.stop();
      proc = spawnLogged('redis', command, args, logFile);
      await waitUntilReady(proc, () => pingRedis(port), timeoutMs);
      if (stopped) await proc.stop(); // stop() ran while it was starting
    },
  };
}
