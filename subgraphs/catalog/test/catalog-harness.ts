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

export interface TestProduct {
  id: string;
  sku: string;
  name: string;
  price: number;
  slug?: string;
  description?: string;
  categoryId?: string | null;
  onHand?: number;
  reserved?: number;
  /** ISO-8601 with microseconds, e.g. 2026-06-01T00:00:00.000000Z. */
  createdAt?: string;
  deleted?: boolean;
}

/**
 * Insert products straight into the tables (tests set stock and prices precisely), each sold as one
 * default variant with the product's id, SKU, price and stock — as the migration and productCreate make them.
 */
export async function insertProducts(orm: MikroORM, products: TestProduct[]) {
  for (const p of products) {
    const em = orm.em.fork();
    const created = p.createdAt ?? new Date().toISOString();
    const deletedAt = p.deleted ? new Date().toISOString() : null;
    await em.execute(
      `insert into product (id, sku, slug, name, description, price_amount, currency, images, category_id, created_at, updated_at, deleted_at)
       values (?, ?, ?, ?, ?, ?, 'USD', '[]', ?, ?::timestamptz, ?::timestamptz, ?::timestamptz)`,
      [p.id, p.sku, p.slug ?? p.sku.toLowerCase(), p.name, p.description ?? '', p.price, p.categoryId ?? null, created, created, deletedAt],
    );
    await em.execute(
      `insert into product_variant (id, product_id, sku, title, price_amount, currency, on_hand, reserved, created_at, updated_at, deleted_at)
       values (?, ?, ?, 'Default Title', ?, 'USD', ?, ?, ?::timestamptz, ?::timestamptz, ?::timestamptz)`,
      [p.id, p.id, p.sku, p.price, p.onHand ?? 10, p.reserved ?? 0, created, created, deletedAt],
    );
  }
}

/** A variant's stock, as the tables hold it. */
export async function stockOf(orm: MikroORM, variantId: string): Promise<{ onHand: number; reserved: number }> {
  const [row] = await orm.em
    .fork()
    .execute<Array<{ onHand: number; reserved: number }>>('select on_hand as "onHand", reserved from product_variant where id = ?', [variantId]);
  return row!;
}

export interface TestVariant {
  id: string;
  sku: string;
  options: Array<{ name: string; value: string }>;
  price: number;
  onHand?: number;
  reserved?: number;
  deleted?: boolean;
}

/**
 * A product sold in options (e.g. Size × Color) with the given variants, inserted straight into the
 * tables; its price is its lowest variant price, as the catalog keeps it.
 */
export async function insertProductWithVariants(
  orm: MikroORM,
  product: { id: string; sku: string; name: string; options: Array<{ name: string; values: string[] }> },
  variants: TestVariant[],
) {
  const em = orm.em.fork();
  const live = variants.filter((v) => !v.deleted);
  await em.execute(
    `insert into product (id, sku, slug, name, description, price_amount, currency, images, options, created_at, updated_at)
     values (?, ?, ?, ?, '', ?, 'USD', '[]', ?::jsonb, now(), now())`,
    [product.id, product.sku, product.sku.toLowerCase(), product.name, Math.min(...live.map((v) => v.price)), JSON.stringify(product.options)],
  );
  for (const [position, v] of variants.entries()) {
    await em.execute(
      `insert into product_variant (id, product_id, sku, title, selected_options, option_values, price_amount, currency, position,
         on_hand, reserved, created_at, updated_at, deleted_at)
       values (?, ?, ?, ?, ?::jsonb, ?::text[], ?, 'USD', ?, ?, ?, now(), now(), ${v.deleted ? 'now()' : 'null'})`,
      [
        v.id,
        product.id,
        v.sku,
        v.options.map((o) => o.value).join(' / '),
        JSON.stringify(v.options),
        `{${v.options
          .map((o) => `"${o.name}=${o.value}"`)
          .sort()
          .join(',')}}`,
        v.price,
        position,
        v.onHand ?? 10,
        v.reserved ?? 0,
      ],
    );
  }
}
