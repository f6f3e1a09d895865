import { ORDER_STATUS_PREFIX, PRODUCT_CHANGED, startConsumer, type OrderStatusChanged, type ProductChanged, type SubgraphDeps, startPeriodic } from '@shop/platform';
import { applyOrderStatus, applyProductChange, expireIdleCarts } from '../domain/cart-fate.ts';

export interface CartWorkerOptions {
  /** Called with each cart id after its change committed (cache refresh, cart-changed message). */
  committed: (cartId: string) => Promise<unknown>;
  /** Durable consumer names (tests use their own). */
  durables?: { orderStatus: string; productChanges: string };
  sweepEveryMs?: number;
}

/** The cart's background work: follow order statuses (JetStream, inbox) and expire idle carts. */
export async function startCartWorkers(deps: SubgraphDeps, options: CartWorkerOptions): Promise<Array<() => Promise<void>>> {
  const consumer = await startConsumer<OrderStatusChanged>({
    em: deps.orm.em,
    nc: deps.nc,
    log: deps.log,
    stream: 'ORDER',
    durable: options.durables?.orderStatus ?? 'cart-order-status',
    filterSubject: `${ORDER_STATUS_PREFIX}.>`,
    handle: async (tx, event, afterCommit) => {
      const cartId = await applyOrderStatus(tx, event.data);
      if (cartId) afterCommit(() => options.committed(cartId));
    },
  });

  const products = await startConsumer<ProductChanged>({
    em: deps.orm.em,
    nc: deps.nc,
    log: deps.log,
    stream: 'PRODUCT',
    durable: options.durables?.productChanges ?? 'cart-product-changes',
    filterSubject: PRODUCT_CHANGED,
    handle: async (tx, event, afterCommit) => {
      const { productId, priceAmount } = event.data;
      const available = event.data.available && event.data.availableQuantity > 0;
      for (const cartId of await applyProductChange(tx, { productId, available, priceAmount })) afterCommit(() => options.committed(cartId));
    },
  });

  const stopSweeper = startPeriodic('cart expiry sweep', options.sweepEveryMs ?? 30_000, async () => {
    for (const cartId of await expireIdleCarts(deps.orm.em.fork())) await options.committed(cartId);
  }, deps.log);
  return [() => consumer.stop(), () => products.stop(), stopSweeper];
}
