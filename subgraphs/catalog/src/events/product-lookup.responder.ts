import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  CATALOG_PRODUCT_LOOKUP,
  UUID_PATTERN,
  type Logger,
  type NatsConnection,
  type ProductLookupFailure,
  type ProductLookupItem,
  type ProductLookupReply,
} from '@shop/platform';
import { availableOf } from '../domain/inventory.ts';
import { ProductRepository } from '../data/product.repository.ts';

// The same id rule as every other reader of product ids (zod's uuid() would refuse ids Postgres stores).
const request = z.object({ ids: z.array(z.string().regex(UUID_PATTERN)).max(1000) });

const products = new ProductRepository();

/** One SQL statement for the whole batch; ids that do not exist are absent from the reply. */
export async function lookupProducts(em: EntityManager, ids: string[]): Promise<ProductLookupItem[]> {
  if (ids.length === 0) return [];
  // A fork per lookup: the reply reflects committed stock, not an identity map from before.
  const rows = await products.forLookup(em.fork(), ids);
  return rows.map((row) => ({
    id: row.id,
    sku: row.sku,
    name: row.name,
    priceAmount: row.priceAmount,
    currency: row.currency,
    availableQuantity: availableOf({ onHand: row.onHand, reserved: row.reserved, deletedAt: row.deletedAt ?? null }),
    available: !row.deletedAt,
  }));
}

/**
 * Answers the cart's batched product lookups over core NATS request-reply. A queue group spreads
 * requests over every catalog process.
 */
/** `subject` is configurable so tests sharing one NATS server do not answer each other. */
export function startProductLookupResponder(
  nc: NatsConnection,
  em: EntityManager,
  log: Logger,
  subject = CATALOG_PRODUCT_LOOKUP,
): () => Promise<void> {
  const subscription = nc.subscribe(subject, {
    queue: 'catalog',
    callback: (error, msg) => {
      if (error) {
        log.warn({ err: error }, 'product lookup subscription error');
        return;
      }
      void (async () => {
        try {
          const parsed = request.safeParse(msg.json());
          if (!parsed.success) {
            msg.respond(JSON.stringify({ error: 'ids must be at most 1000 product ids (UUIDs)' }));
            return;
          }
          const reply: ProductLookupReply = { products: await lookupProducts(em, parsed.data.ids) };
          msg.respond(JSON.stringify(reply));
        } catch (failure) {
          log.error({ err: failure }, 'product lookup failed');
          // Our failure (e.g. the database is down), not the request's: the cart may retry or fall back.
          msg.respond(JSON.stringify({ error: 'lookup failed', unavailable: true } satisfies ProductLookupFailure));
        }
      })();
    },
  });
  return async () => {
    await subscription.drain();
  };
}
