import {
  CATALOG_STOCK_CHANGED,
  CATEGORY_CHANGED,
  connectNats,
  parseEvent,
  parseStockChanged,
  PRODUCT_CHANGED,
  type Logger,
  type NatsConnection,
} from '@shop/platform';

const entitiesOf = ({ productId, variantId = productId }: { productId: string; variantId?: string }) => [
  `Product:${productId}`,
  `ProductVariant:${variantId}`,
];

/** The entities (`Type:id`) whose cache entries a catalog event (or stock count message) makes stale, or none for a message that is not one. */
export function entitiesChangedBy(subject: string, message: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return [];
  }
  if (subject === CATALOG_STOCK_CHANGED) {
    const change = parseStockChanged(body);
    return change ? entitiesOf(change) : [];
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (subject === CATEGORY_CHANGED) {
    const parsed = parseEvent(CATEGORY_CHANGED, data);
    return parsed.ok ? parsed.data.categoryIds.map((id) => `Category:${id}`) : [];
  }
  if (subject !== PRODUCT_CHANGED) return [];
  const parsed = parseEvent(PRODUCT_CHANGED, data);
  if (!parsed.ok) return [];
  // Events from before variants name no variant: the product's only variant has the product's id.
  return entitiesOf(parsed.data);
}

export interface Invalidation {
  /** True while the subscription is connected: only then can a change reach the cache. */
  isLive(): boolean;
  close(): Promise<void>;
}

/**
 * Listens to product.changed and product.category.changed (and the catalog's count-only stock
 * messages, catalog.stock.changed) on core NATS (the events also land in JetStream, but no durable
 * consumer is needed: an event missed while disconnected leaves an entry stale for its TTL at
 * most, and the cache is not used at all while disconnected). Every gateway process listens and
 * deletes (idempotent), so one whose Redis or NATS link is down does not leave stale entries behind.
 */
export function listenForProductChanges(
  natsUrl: string,
  invalidate: (entities: string[]) => Promise<unknown>,
  log: Logger,
  onInvalidated: (count: number) => void,
): Invalidation {
  let nc: NatsConnection | undefined;
  let live = false;
  let closed = false;
  void (async () => {
    // Keep trying in the background: the gateway serves queries without NATS (without the cache).
    while (!closed && !nc) {
      try {
        nc = await connectNats(natsUrl, 'gateway-entity-cache', log);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 5000).unref());
      }
    }
    if (!nc || closed) return void (await nc?.close());
    const onMessage = (subject: string, text: string) => {
      const entities = entitiesChangedBy(subject, text);
      if (entities.length === 0) return;
      invalidate(entities).then(
        (count) => onInvalidated(typeof count === 'number' ? count : 0),
        (error: unknown) => log.warn({ err: error, entities }, 'entity cache: invalidation failed; entries expire by their TTL'),
      );
    };
    for (const subject of ['product.>', CATALOG_STOCK_CHANGED])
      nc.subscribe(subject, {
        callback: (error, message) =>
          error ? log.warn({ err: error }, 'entity cache: listener error') : onMessage(message.subject, message.string()),
      });
    await nc.flush();
    live = true;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') live = false;
        // The subscription is re-established by the client; changes from the gap are bounded by the TTLs.
        if (status.type === 'reconnect') live = true;
      }
    })();
  })().catch((error: unknown) => log.error({ err: error }, 'entity cache: product.changed listener stopped'));
  return {
    isLive: () => live && !closed,
    async close() {
      closed = true;
      live = false;
      await nc?.close();
    },
  };
}
