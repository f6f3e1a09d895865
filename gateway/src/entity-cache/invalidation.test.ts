import { describe, expect, it } from 'vitest';
import { entitiesChangedBy } from './invalidation.ts';

const envelope = (data: unknown) => JSON.stringify({ id: 'e1', subject: 'product.changed', occurredAt: '2026-01-01T00:00:00Z', data });

describe('product.changed → entities to invalidate', () => {
  it('names the product and the variant the event is of', () => {
    expect(entitiesChangedBy(envelope({ productId: 'p1', variantId: 'v7', change: 'PRICE' }))).toEqual(['Product:p1', 'ProductVariant:v7']);
  });

  it("takes the product's id as its only variant's when the event is from before variants", () => {
    expect(entitiesChangedBy(envelope({ productId: 'p1', change: 'STOCK' }))).toEqual(['Product:p1', 'ProductVariant:p1']);
  });

  it('ignores what is not a product.changed envelope', () => {
    expect(entitiesChangedBy('not json')).toEqual([]);
    expect(entitiesChangedBy(envelope({ sku: 'X' }))).toEqual([]);
  });
});
