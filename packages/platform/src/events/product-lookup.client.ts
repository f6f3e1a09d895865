import type { NatsConnection } from '@nats-io/transport-node';
import { CATALOG_PRODUCT_LOOKUP, type ProductLookupItem, type ProductLookupReply } from './contracts.ts';

/**
 * The cart's side of the batched product lookup: one NATS request for a whole batch of ids
 * (put a DataLoader in front of it). Throws when the catalog does not answer in time.
 */
export function createProductLookupClient(nc: NatsConnection, { timeoutMs = 2000, subject = CATALOG_PRODUCT_LOOKUP } = {}) {
  return async function lookup(ids: readonly string[]): Promise<Map<string, ProductLookupItem>> {
    const msg = await nc.request(subject, JSON.stringify({ ids }), { timeout: timeoutMs });
    const reply = msg.json<ProductLookupReply & { error?: string }>();
    if (reply.error) throw new Error(`catalog lookup refused: ${reply.error}`);
    return new Map(reply.products.map((p) => [p.id, p]));
  };
}
