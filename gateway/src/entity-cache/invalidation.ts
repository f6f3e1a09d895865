import { CATEGORY_CHANGED, connectNats, parseEvent, PRODUCT_CHANGED, type Logger, type NatsConnection } from '@shop/platform';

/** The entities (`Type:id`) whose cache entries a catalog event makes stale, or none for a message that is not one. */
export function entitiesChangedBy(subject: string, message: string): string[] {
  let data: unknown;
  try {
    data = (JSON.parse(message) as { data?: unknown }).data;
  } catch {
    return [];
  }
  if (subject === CATEGORY_CHANGED) {
    const parsed = parseEvent(CATEGORY_CHANGED, data);
    return parsed.ok ? parsed.data.categoryIds.map((id) => `Category:${id}`) : [];
  }
  if (subject !== PRODUCT_CHANGED) return [];
  const parsed = parseEvent(PRODUCT_CHANGED, data);
  if (!parsed.ok) return [];
  // Events from before variants name no variant: the product's only variant has the product's id.
  const { productId, variantId = productId } = parsed.data;
  return [`Product:${productId}`, `ProductVariant:${variantId}`];
}

export interface Invalidation {
  /** True while the subscription is connected: only then can a change reach the cache. */
  isLive(): boolean;
  close(): Promise<void>;
}

/**
 * Listens to product.changed and product.category.changed on core NATS (the event also lands in JetStream, but no durable
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
    const subscription = nc.subscribe('product.>');
    await nc.flush();
    live = true;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') live = false;
        // The subscription is re-established by the client; changes from the gap are bounded by the TTLs.
        if (status.type === 'reconnect') live = true;
      }
    })();
    for await (const message of subscription) {
      const entities = entitiesChangedBy(message.subject, message.string());
      if (entities.length === 0) continue;
      invalidate(entities).then(
        (count) => onInvalidated(typeof count === 'number' ? count : 0),
        (error: unknown) => log.warn({ err: error, entities }, 'entity cache: invalidation failed; entries expire by their TTL'),
      );
    }
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
