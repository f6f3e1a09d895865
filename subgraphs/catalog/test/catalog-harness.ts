import { connectOrm, createLogger, runMigrations, type Identity, type MikroORM, guardedSubgraphSchema } from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner, type RunGraphQL } from '../../../test/support/graphql.ts';
import { catalogOrmOptions } from '../src/data/orm.config.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext } from '../src/context.ts';

export const log = createLogger('catalog-test', 'silent');
export const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };
export const CUSTOMER: Identity = { sub: 'customer-1', roles: ['customer'], token: null };

/** The catalog schema exactly as startSubgraph builds it: SDL + resolvers, guarded by graphql-shield. */
export const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

export interface CatalogHarness {
  orm: MikroORM;
  /** SQL statements sent since the last `run` (or `resetQueries`). */
  queries: string[];
  run: RunGraphQL;
}

/** A fresh, migrated catalog database with a query log, and a way to run GraphQL against it. */
export async function startCatalogHarness(): Promise<CatalogHarness> {
  const url = await createTestDatabase('catalog');
  await runMigrations(catalogOrmOptions(url), log);
  const queries: string[] = [];
  const orm = await connectOrm({ ...catalogOrmOptions(url), debug: ['query'], logger: (message: string) => void queries.push(message) }, log);
  const run = graphqlRunner(
    schema,
    (identity) => createContext(orm.em.fork(), identity, log, 'USD'),
    () => (queries.length = 0),
  );
  return { orm, queries, run };
}

/** Insert products straight into the table (tests set stock and prices precisely). */
export async function insertProducts(
  orm: MikroORM,
  products: Array<{ id: string; sku: string; name: string; price: number; onHand?: number; reserved?: number; deleted?: boolean }>,
) {
  for (const p of products) {
    await orm.em.fork().execute(
      `insert into product (id, sku, slug, name, description, price_amount, currency, images, on_hand, reserved, created_at, updated_at, deleted_at)
       values (?, ?, ?, ?, '', ?, 'USD', '[]', ?, ?, now(), now(), ?)`,
      [p.id, p.sku, p.sku.toLowerCase(), p.name, p.price, p.onHand ?? 10, p.reserved ?? 0, p.deleted ? new Date() : null],
    );
  }
}
