import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ACCOUNT_CART_MERGE_REQUESTED,
  ORDER_STATUS_PREFIX,
  ORDER_STATUS_SUBJECTS,
  orderStatusSubject,
  PRODUCT_CHANGED,
  startConsumer,
  startPeriodic,
  transaction,
  type CatalogEnvelope,
  type EventConsumer,
  type Logger,
  type NatsConnection,
  type OrderStatusSubject,
  type ProductChanged,
  type SubgraphDeps,
  type UnitOfWork,
} from '@shop/platform';
import {
  applyProductChange,
  CART_FOLLOWS,
  currentProductChange,
  expireIdleCarts,
  followOrderStatus,
  productChangeMatters,
  productChangeOf,
  type CartStatusMove,
} from '../domain/cart-fate.ts';
import { mergeAtLogin } from '../domain/login-merge.ts';
import type { CartService } from '../domain/cart.service.ts';
import type { CartPricing } from '../domain/cart-view.ts';
import type { ProductLookup } from '../domain/catalog-snapshot.ts';
import { startDefaultAddresses } from './default-addresses.ts';

export interface CartWorkerOptions {
  /** A cart changed by a committed background change: fresh copy to the cache and subscribers. */
  refresh: (cartId: string) => Promise<unknown>;
  /** A cart whose status alone moved (the saga): the cached copy patched, subscribers told. */
  refreshStatus: (cartId: string, move: CartStatusMove) => Promise<unknown>;
  /** The cart use-cases writing in a consumer's inbox unit of work (sign-in merges). */
  cartsIn: (uow: UnitOfWork) => CartService;
  /** Durable consumer names (tests use their own). */
  durables?: { orderStatus: string; productChanges: string; loginMerges: string; defaultAddresses?: string };
  /** How carts are priced (a default address may change a cart's delivery options). */
  pricing: CartPricing;
  /** The catalog's current answer: a product change that concerns a cart applies what the catalog says now. */
  lookup: ProductLookup;
  sweepEveryMs?: number;
}

/** What a product.changed event means for cart lines (they hold the variant's id; a one-variant product's variant has the product's). */
const changeOf = (data: ProductChanged) => productChangeOf(data.variantId ?? data.productId, data);

/** The cart's background work: follow order statuses and product changes (JetStream, inbox) and expire idle carts. */
export async function startCartWorkers(deps: SubgraphDeps, options: CartWorkerOptions): Promise<Array<() => Promise<void>>> {
  const { refresh } = options;
  const onStatus = async ({ data }: CatalogEnvelope<OrderStatusSubject>, { em, afterCommit }: UnitOfWork) => {
    const followed = await followOrderStatus(em, data);
    if (!followed) return;
    const { cartId, statusOnly, receiver } = followed;
    afterCommit(() => (statusOnly ? options.refreshStatus(cartId, statusOnly) : refresh(cartId)));
    if (receiver) afterCommit(() => refresh(receiver));
  };
  const consumer = await startConsumer({
    em: deps.orm.em,
    nc: deps.nc,
    log: deps.log,
    stream: 'ORDER',
    durable: options.durables?.orderStatus ?? 'cart-order-status',
    filterSubject: `${ORDER_STATUS_PREFIX}.>`,
    // The statuses that move a cart go through one rule (cart-fate.ts decides what each means); the
    // others (PENDING, AWAITING_PAYMENT, ...) are acked without a transaction: two per checkout saved.
    handlers: Object.fromEntries(CART_FOLLOWS.map((status) => [orderStatusSubject(status), onStatus])) as Record<
      `order.status.${Lowercase<(typeof CART_FOLLOWS)[number]>}`,
      typeof onStatus
    >,
    ignore: ORDER_STATUS_SUBJECTS.filter((subject) => !CART_FOLLOWS.some((status) => orderStatusSubject(status) === subject)),
  });

  const products = await startConsumer({
    em: deps.orm.em,
    nc: deps.nc,
    log: deps.log,
    stream: 'PRODUCT',
    durable: options.durables?.productChanges ?? 'cart-product-changes',
    filterSubject: PRODUCT_CHANGED,
    handlers: {
      [PRODUCT_CHANGED]: async ({ data }, { em, afterCommit }) => {
        const change = await currentProductChange(options.lookup, changeOf(data));
        for (const cartId of await applyProductChange(em, change)) afterCommit(() => refresh(cartId));
      },
    },
    // Every reservation moves a stock count; usually no active cart line differs: no transaction and
    // no catalog lookup then.
    changesNothing: async ({ data }) => !(await productChangeMatters(deps.orm.em.fork(), changeOf(data))),
  });

  const merges = await startLoginMerges(
    { em: deps.orm.em, nc: deps.nc, log: deps.log },
    options.durables?.loginMerges ?? 'cart-login-merges',
    options.cartsIn,
  );

  const defaultAddresses = await startDefaultAddresses(
    { em: deps.orm.em, nc: deps.nc, log: deps.log },
    options.durables?.defaultAddresses ?? 'cart-default-addresses',
    options.pricing,
    refresh,
  );

  const stopSweeper = startPeriodic(
    'cart expiry sweep',
    options.sweepEveryMs ?? 30_000,
    () =>
      transaction(
        deps.orm.em,
        async ({ em, afterCommit }) => {
          for (const cartId of await expireIdleCarts(em)) afterCommit(() => refresh(cartId));
        },
        { log: deps.log },
      ),
    deps.log,
  );
  return [() => consumer.stop(), () => products.stop(), () => merges.stop(), () => defaultAddresses.stop(), stopSweeper];
}

/**
 * Accounts → cart: a customer signed in with a guest cart. The merge writes in the inbox unit of
 * work (the change and the inbox row commit together; a redelivery is skipped), and a guest cart
 * already merged is a no-op anyway.
 */
export function startLoginMerges(
  base: { em: EntityManager; nc: NatsConnection; log: Logger },
  durable: string,
  cartsIn: (uow: UnitOfWork) => CartService,
): Promise<EventConsumer> {
  return startConsumer({
    ...base,
    stream: 'ACCOUNT',
    durable,
    filterSubject: ACCOUNT_CART_MERGE_REQUESTED,
    handlers: {
      [ACCOUNT_CART_MERGE_REQUESTED]: async ({ data }, uow) => void (await mergeAtLogin(cartsIn(uow), data, base.log)),
    },
  });
}
