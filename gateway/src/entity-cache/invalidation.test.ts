import { describe, expect, it } from 'vitest';
import { entitiesChangedBy } from './invalidation.ts';

const envelope = (subject: string, data: unknown) => JSON.stringify({ id: 'e1', subject, occurredAt: '2026-01-01T00:00:00Z', data });
/** A whole product.changed payload, as the catalog sends it. */
const changed = (data: Record<string, unknown>) => ({
  sku: 'SKU-1',
  priceAmount: 1000,
  currency: 'USD',
  availableQuantity: 3,
  available: true,
  ...data,
});
const product = (data: Record<string, unknown>) => entitiesChangedBy('product.changed', envelope('product.changed', data));
const category = (data: unknown) => entitiesChangedBy('product.category.changed', envelope('product.category.changed', data));

describe('catalog events → entities to invalidate', () => {
  it('names the product and the variant a product.changed is of', () => {
    expect(product(changed({ productId: 'p1', variantId: 'v7', change: 'PRICE' }))).toEqual(['Product:p1', 'ProductVariant:v7']);
  });

  it("takes the product's id as its only variant's when the event is from before variants", () => {
    expect(product(changed({ productId: 'p1', change: 'STOCK' }))).toEqual(['Product:p1', 'ProductVariant:p1']);
  });

  it('names every category a product.category.changed lists (the category and the parents whose children changed)', () => {
    expect(category({ categoryIds: ['c1', 'c0', 'c9'], change: 'UPDATED' })).toEqual(['Category:c1', 'Category:c0', 'Category:c9']);
  });

  it('names the product and the variant of a count-only stock message (the payload without an envelope)', () => {
    const counted = changed({ productId: 'p1', variantId: 'v7', change: 'STOCK' });
    expect(entitiesChangedBy('catalog.stock.changed', JSON.stringify(counted))).toEqual(['Product:p1', 'ProductVariant:v7']);
    // Only STOCK changes travel there; an enveloped event or another change is not one.
    expect(entitiesChangedBy('catalog.stock.changed', envelope('catalog.stock.changed', counted))).toEqual([]);
    expect(entitiesChangedBy('catalog.stock.changed', JSON.stringify({ ...counted, change: 'PRICE' }))).toEqual([]);
    expect(entitiesChangedBy('catalog.stock.changed', 'null')).toEqual([]);
  });

  it('ignores what is not a catalog event it knows', () => {
    expect(entitiesChangedBy('product.changed', 'not json')).toEqual([]);
    expect(product({ sku: 'X' })).toEqual([]);
    expect(entitiesChangedBy('product.something', envelope('product.something', { productId: 'p1' }))).toEqual([]);
    expect(category({ categoryIds: 'c1' })).toEqual([]);
  });
});
