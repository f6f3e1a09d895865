import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { createLogger } from '../src/logger.ts';
import { ormOptions } from '../src/orm.ts';
import { createRedis } from '../src/redis.ts';
import { assertPortFree } from '../src/stack/index.ts';
import { startTestServers } from '../src/testing/index.ts';

const port = (url: string) => Number(new URL(url).port);

describe('startTestServers', () => {
  // Twice in a row: stop() must leave nothing behind that would trip the next start.
  it.each([1, 2])('starts real Postgres, Redis and NATS, and stop() removes every trace (run %i)', async () => {
    const servers = await startTestServers({ databases: ['servers_check'] });
    const ports = { POSTGRES_PORT: port(servers.postgresUrl('postgres')), REDIS_PORT: port(servers.redisUrl), NATS_PORT: port(servers.natsUrl) };
    try {
      expect(servers.dir.startsWith(tmpdir())).toBe(true); // never the dev data in .data/

      const client = new pg.Client({ connectionString: servers.postgresUrl('servers_check') });
      await client.connect();
      try {
        const { rows } = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
        expect(rows).toEqual([{ one: 1, db: 'servers_check' }]);
      } finally {
        await client.end();
      }

      const redis = new Redis(servers.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        expect(await redis.ping()).toBe('PONG');
      } finally {
        redis.disconnect();
      }

      const nc = await connect({ servers: servers.natsUrl, reconnect: false });
      try {
        const info = await (await jetstreamManager(nc)).getAccountInfo();
        expect(info.limits).toBeDefined();
      } finally {
        await nc.close();
      }
    } finally {
      await servers.stop();
    }

    for (const [variable, p] of Object.entries(ports)) await expect(assertPortFree(p, variable)).resolves.toBeUndefined();
    expect(existsSync(servers.dir)).toBe(false);
  });

  // ./scripts/dev hands its processes these URLs: the same clients must take the socket, not TCP.
  it('the socket URLs reach Postgres (MikroORM) and Redis (ioredis) through their Unix sockets', async () => {
    const servers = await startTestServers({ databases: ['socket_check'] });
    const orms: MikroORM[] = [];
    const log = createLogger('servers-test', 'silent');
    const redis = createRedis(servers.redisSocketUrl, log, 'socket-check');
    try {
      // inet_server_addr() is the server's address on this connection: none on a Unix socket.
      const serverAddress = async (clientUrl: string) => {
        const orm = await MikroORM.init(ormOptions({ clientUrl, entities: [], discovery: { warnWhenNoEntities: false } }));
        orms.push(orm);
        const [row] = await orm.em.execute<Array<{ addr: string | null; db: string }>>('select inet_server_addr() as addr, current_database() as db');
        return row;
      };
      expect(await serverAddress(servers.postgresUrl('socket_check'))).toEqual({ addr: '127.0.0.1', db: 'socket_check' });
      expect(await serverAddress(servers.postgresSocketUrl('socket_check'))).toEqual({ addr: null, db: 'socket_check' });

      const socketPath = new URL(servers.redisSocketUrl).searchParams.get('path');
      expect(socketPath).toMatch(/\/redis\.sock$/);
      // CLIENT INFO names the local end of this connection: the socket file, not 127.0.0.1:port.
      const info = String(await redis.call('client', 'info'));
      expect(info).toContain(`laddr=${socketPath}`);
    } finally {
      redis.disconnect();
      for (const orm of orms) await orm.close();
      await servers.stop();
    }
  });
});
