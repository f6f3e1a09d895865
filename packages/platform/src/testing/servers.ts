import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, startNats, startPostgres, startRedis, ensureDatabases, type RunningRedis } from '../stack/index.ts';

export interface TestServers {
  /** The temporary directory holding every server's data and log (removed by stop). */
  dir: string;
  postgresUrl: (database: string) => string;
  /** The same servers through their Unix sockets (what ./scripts/dev gives its processes). */
  postgresSocketUrl: (database: string) => string;
  redisUrl: string;
  redisSocketUrl: string;
  natsUrl: string;
  /** For tests of Redis outages (pause / restart). */
  redis: RunningRedis;
  stop: () => Promise<void>;
}

export interface TestServerOptions {
  /** Databases to create on the test Postgres. */
  databases?: string[];
  timeoutMs?: number;
}

/**
 * Real Postgres, Redis and NATS (JetStream) for a test run: free ports and a fresh directory under
 * os.tmpdir() (never the dev data in .data/); stop() stops all three and removes the directory.
 */
export async function startTestServers({ databases = [], timeoutMs }: TestServerOptions = {}): Promise<TestServers> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-test-'));
  // As root Postgres runs as the `postgres` user: it must be able to enter this directory.
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const [pgPort, redisPort, natsPort] = [await getFreePort(), await getFreePort(), await getFreePort()];
  // allSettled: when one server fails, the others may still be starting; stop those that started.
  const [postgres, redis, nats] = await Promise.allSettled([
    startPostgres({ dataDir: join(dir, 'postgres'), port: pgPort, logFile: join(dir, 'postgres.log'), ephemeral: true, timeoutMs }),
    startRedis({ dataDir: join(dir, 'redis'), port: redisPort, logFile: join(dir, 'redis.log'), ephemeral: true, timeoutMs }),
    startNats({ dataDir: join(dir, 'nats'), port: natsPort, logFile: join(dir, 'nats.log'), timeoutMs }),
  ]);
  for (const started of [postgres, redis, nats]) if (started.status === 'fulfilled') stops.push(started.value.stop);
  try {
    if (postgres.status === 'rejected') throw postgres.reason;
    if (redis.status === 'rejected') throw redis.reason;
    if (nats.status === 'rejected') throw nats.reason;
    await ensureDatabases(postgres.value.url('postgres'), databases);
    return {
      dir,
      postgresUrl: postgres.value.url,
      postgresSocketUrl: postgres.value.socketUrl,
      redisUrl: redis.value.url,
      redisSocketUrl: redis.value.socketUrl,
      natsUrl: nats.value.url,
      redis: redis.value,
      stop,
    };
  } catch (error) {
    // The error names a log file inside `dir`: stop everything and drop the data, keep the logs.
    for (const s of stops.reverse()) await s().catch(() => undefined);
    for (const data of ['postgres', 'redis', 'nats']) rmSync(join(dir, data), { recursive: true, force: true });
    throw error;
  }
}
