import { describe, expect, it } from 'vitest';
import { generateCatalog } from './seed-data.ts';

describe('generateCatalog', () => {
  const { categories, products } = generateCatalog(500);

  it('is deterministic: the order and payment seeds name its first products', () => {
    expect(generateCatalog(500)).toEqual({ categories, products });
    expect(generateCatalog(2).products).toEqual(products.slice(0, 2));
    expect(products.slice(0, 2).map((p) => [p.id, p.name, p.priceAmount])).toMatchInlineSnapshot(`
      [
        [
          "53e7375a-9289-4098-8294-9dd41411b998",
          "Greenhaven Indoor Watering Can",
          1949,
        ],
        [
          "f8e191da-0473-44ff-b2c3-5b37a4b3a6b8",
          "Tumble & Co 500-Piece Jigsaw Puzzle",
          3400,
        ],
      ]
    `);
  });

  it('has at least 8 categories, each with products, and unique skus and slugs', () => {
    expect(categories.length).toBeGreaterThanOrEqual(8);
    for (const c of categories) expect(products.some((p) => p.categoryId === c.id)).toBe(true);
    expect(new Set(products.map((p) => p.sku)).size).toBe(500);
    expect(new Set(products.map((p) => p.slug)).size).toBe(500);
  });

  it('names products after their category (a wireless mouse is a computer accessory)', () => {
    const computers = categories.find((c) => c.slug === 'computers')!;
    const mice = products.filter((p) => p.name.includes('Wireless Mouse'));
    expect(mice.length).toBeGreaterThan(0);
    expect(mice.every((p) => p.categoryId === computers.id)).toBe(true);
  });

  it('prices in plausible ranges and stocks about 5% out and 10% low', () => {
    expect(products.every((p) => Number.isInteger(p.priceAmount) && p.priceAmount >= 500 && p.priceAmount < 100_000)).toBe(true);
    const out = products.filter((p) => p.onHand === 0).length;
    const low = products.filter((p) => p.onHand >= 1 && p.onHand <= 5).length;
    expect(out).toBeGreaterThanOrEqual(10);
    expect(out).toBeLessThanOrEqual(40);
    expect(low).toBeGreaterThanOrEqual(30);
    expect(low).toBeLessThanOrEqual(75);
    expect(products.every((p) => p.images[0]?.url === `https://picsum.photos/seed/${p.sku}/800/800` && p.description.length > 40)).toBe(true);
  });
});
