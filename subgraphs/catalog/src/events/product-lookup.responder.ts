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
import { pathIds } from '../data/category.entity.ts';
import { ProductRepository } from '../data/product.repository.ts';
import { VariantRepository } from '../data/product-variant.repository.ts';

// The same id rule as every other reader of product ids (zod's uuid() would refuse ids Postgres stores).
const request = z.object({ ids: z.array(z.string().regex(UUID_PATTERN)).max(1000) });

const variants = new VariantRepository();
const products = new ProductRepository();

/**
 * One SQL statement for the whole batch of variant ids (a one-variant product's variant has the
 * product's id), read as committed. An id that is no variant but a product sold in several
 * variants comes back as `variantRequired` (a second statement, only for ids not found); ids that
 * name nothing are absent from the reply.
 */
export async function lookupProducts(em: EntityManager, ids: string[]): Promise<ProductLookupItem[]> {
  if (ids.length === 0) return [];
  const rows = await variants.forLookup(em, ids);
  const items: ProductLookupItem[] = rows.map((row) => {
    const deletedAt = row.deletedAt ?? row.productDeletedAt;
    return {
      id: row.id,
      productId: row.productId,
      sku: row.sku,
      name: row.name,
      title: row.title,
      selectedOptions: row.selectedOptions,
      priceAmount: row.priceAmount,
      currency: row.currency,
      availableQuantity: availableOf({ onHand: row.onHand, reserved: row.reserved, deletedAt }),
      available: !deletedAt,
      categoryIds: pathIds(row.categoryPath ?? ''),
    };
  });
  const found = new Set(items.map((item) => item.id));
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  for (const product of missing.length ? await products.withOptions(em, missing) : []) {
    items.push({
      id: product.id,
      productId: product.id,
      sku: product.sku,
      name: product.name,
      title: '',
      selectedOptions: [],
      priceAmount: product.priceAmount,
      currency: product.currency,
      availableQuantity: 0,
      available: !product.deletedAt,
      variantRequired: true,
    });
  }
  return items;
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
