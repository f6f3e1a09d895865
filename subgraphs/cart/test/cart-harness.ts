import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import {
  connectNats,
  connectOrm,
  createLogger,
  createProductLookupClient,
  runMigrations,
  type Identity,
  type MikroORM,
  type NatsConnection,
  type ProductLookupItem,
  guardedSubgraphSchema,
} from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { graphqlRunner, type RunGraphQL } from '../../../test/support/graphql.ts';
import { cartOrmOptions } from '../src/data/orm.config.ts';
import { seedCartData } from '../src/data/seed-data.ts';
import { resolvers } from '../src/resolvers/index.ts';
import { permissions } from '../src/resolvers/permissions.ts';
import { createContext, type CartContextDeps } from '../src/context.ts';
import type { CartView } from '../src/domain/cart-view.ts';

export const log = createLogger('cart-test', 'silent');
export const ADMIN: Identity = { sub: 'admin-1', roles: ['admin'], token: null };
export const customer = (sub: string): Identity => ({ sub, roles: ['customer'], token: null });
/** What the harness signs order access tokens with (the order subgraph would verify with the same). */
export const ORDER_ACCESS_TOKEN_SECRET = 'cart-test-order-access-secret-0123456789';

export const schema = guardedSubgraphSchema(new URL('../schema.graphql', import.meta.url), resolvers, permissions);

export interface CartHarness {
  orm: MikroORM;
  nc: NatsConnection;
  /** The catalog this cart talks to: a stand-in subgraph answering lookups on real NATS. */
  catalog: Map<string, ProductLookupItem>;
  lookups: Array<string[]>;
  changes: Array<{ cartId: string; version: number }>;
  deps: CartContextDeps;
  run: RunGraphQL;
  close: () => Promise<void>;
}

/**
 * A migrated cart database with the demo rates, real NATS carrying the product lookups to a
 * stand-in catalog (its answers are data the test controls), and GraphQL executed against the
 * cart subgraph's schema. `cache` is a pass-through here; cache behaviour has its own tests.
 */
export async function startCartHarness(overrides: Partial<CartContextDeps> = {}): Promise<CartHarness> {
  const url = await createTestDatabase('cart');
  await runMigrations(cartOrmOptions(url), log);
  const orm = await connectOrm({ ...cartOrmOptions(url), pool: { min: 0, max: 60 } }, log);
  await seedCartData(orm.em.fork());
  const nc = await connectNats(inject('natsUrl'), 'cart-test', log);
  const subject = `test.${randomBytes(4).toString('hex')}.products.lookup`;
  const catalog = new Map<string, ProductLookupItem>();
  const lookups: Array<string[]> = [];
  const sub = nc.subscribe(subject, {
    callback: (_error, msg) => {
      const { ids } = msg.json<{ ids: string[] }>();
      lookups.push(ids);
      msg.respond(JSON.stringify({ products: ids.flatMap((id) => (catalog.has(id) ? [catalog.get(id)] : [])) }));
    },
  });
  const changes: CartHarness['changes'] = [];
  const deps: CartContextDeps = {
    policy: {
      currency: 'USD',
      guestTtlHours: 720,
      customerTtlHours: 2160,
      snapshotMaxAgeSeconds: 900,
      orderAccessTokenSecret: ORDER_ACCESS_TOKEN_SECRET,
      defaultCountry: 'US',
      pricesIncludeTax: false,
    },
    cache: { readThrough: (_id, load) => load(), put: async () => undefined, invalidate: async () => undefined },
    publishChanged: async (change) => void changes.push(change),
    lookupProducts: createProductLookupClient(nc, { subject }),
    notifyOutbox: () => undefined,
    ...overrides,
  };
  const run = graphqlRunner(schema, (identity) => createContext(orm.em.fork(), identity, log, deps));
  return {
    orm,
    nc,
    catalog,
    lookups,
    changes,
    deps,
    run,
    close: async () => {
      sub.unsubscribe();
      await nc.drain();
      await orm.close();
    },
  };
}

/** What the stand-in catalog answers for a product without options: its one variant, with the product's id. */
export function product(id: string, overrides: Partial<ProductLookupItem> = {}): ProductLookupItem {
  return {
    id,
    productId: id,
    sku: `SKU-${id.slice(0, 6)}`,
    name: `Product ${id.slice(0, 6)}`,
    title: 'Default Title',
    selectedOptions: [],
    priceAmount: 1000,
    currency: 'USD',
    availableQuantity: 100,
    available: true,
    ...overrides,
  };
}

export { NEW_YORK } from '../../../test/support/addresses.ts';

export const CART_FIELDS = `id status version totalQuantity
  lines(first: 100) { totalCount edges { node { id quantity available unitPrice { amount } cost { subtotalAmount { amount } } product { id } } } }
  cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount } }
  discountCodes { code applicable } buyerIdentity { email countryCode }`;

export type { CartView };

/** One variant of a product sold in options, e.g. variant(id, shirtId, { Size: 'M', Color: 'Blue' }). */
export function variant(
  id: string,
  productId: string,
  options: Record<string, string>,
  overrides: Partial<ProductLookupItem> = {},
): ProductLookupItem {
  const selectedOptions = Object.entries(options).map(([name, value]) => ({ name, value }));
  return product(id, { productId, title: selectedOptions.map((o) => o.value).join(' / '), selectedOptions, ...overrides });
}

/** A product sold in several variants, asked for by its own id: the catalog answers variantRequired. */
export function productWithVariants(productId: string, name = `Product ${productId.slice(0, 6)}`): ProductLookupItem {
  return product(productId, { name, title: '', availableQuantity: 0, variantRequired: true });
}
