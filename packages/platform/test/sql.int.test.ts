import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/orm.ts';
import { sql } from '../src/sql.ts';
import { startTestServers, type TestServers } from '../src/testing/index.ts';

let servers: TestServers;
let orm: MikroORM;

beforeAll(async () => {
  servers = await startTestServers({ databases: ['sql_check'] });
  orm = await MikroORM.init(ormOptions({ clientUrl: servers.postgresUrl('sql_check'), entities: [], discovery: { warnWhenNoEntities: false } }));
  await orm.em.execute('create table thing (id int primary key, tags text[] not null, doc jsonb not null)');
}, 120_000);

afterAll(async () => {
  await orm?.close();
  await servers?.stop();
});

describe('sql', () => {
  it('runs in the transaction of the EntityManager it is given, and rolls back with it', async () => {
    await expect(
      orm.em.fork().transactional(async (tx) => {
        const inserted = await sql(tx, 'insert into thing (id, tags, doc) values ($1, $2, $3)', [1, ['a', 'b'], { k: [1] }]);
        expect(inserted.affected).toBe(1);
        // The same transaction sees the row; MikroORM's own statements share it.
        expect((await tx.execute('select count(*)::int as n from thing'))[0]).toEqual({ n: 1 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await sql(orm.em.fork(), 'select count(*)::int as n from thing where $1::int = 1', [1])).rows).toEqual([{ n: 0 }]);
  });

  it('sends values apart (arrays, JSON) and prepares the statement once per connection, on its generic plan', async () => {
    await orm.em.fork().transactional(async (tx) => {
      for (const id of [10, 11, 12]) await sql(tx, 'insert into thing (id, tags, doc) values ($1, $2, $3)', [id, ["it's", 'b'], { id }]);
      const { rows } = await sql<{ id: number; tags: string[]; doc: unknown }>(tx, 'select id, tags, doc from thing where id = any($1) order by id', [
        [10, 12],
      ]);
      expect(rows).toEqual([
        { id: 10, tags: ["it's", 'b'], doc: { id: 10 } },
        { id: 12, tags: ["it's", 'b'], doc: { id: 12 } },
      ]);
      // Prepared once, planned once: its generic plan serves the three inserts.
      const prepared = await sql<{ statement: string; generic: number; custom: number }>(
        tx,
        'select statement, generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where statement like $1',
        ['insert into thing%'],
      );
      expect(prepared.rows).toEqual([{ statement: 'insert into thing (id, tags, doc) values ($1, $2, $3)', generic: expect.any(Number), custom: 0 }]);
      // This connection may have run the first test's insert too.
      expect(prepared.rows[0]!.generic).toBeGreaterThanOrEqual(3);
    });
  });
});
