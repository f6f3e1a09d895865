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

  it('prices in plausible ranges; a product costs its lowest variant price', () => {
    expect(products.every((p) => Number.isInteger(p.priceAmount) && p.priceAmount >= 500 && p.priceAmount < 100_000)).toBe(true);
    expect(products.every((p) => p.priceAmount === Math.min(...p.variants.map((v) => v.priceAmount)))).toBe(true);
    const variants = products.flatMap((p) => p.variants);
    expect(variants.every((v) => v.compareAtAmount === null || v.compareAtAmount > v.priceAmount)).toBe(true);
    expect(products.every((p) => p.images[0]?.url === `https://picsum.photos/seed/${p.sku}/800/800` && p.description.length > 40)).toBe(true);
  });

  it('sells apparel in sizes and colours, shoes in sizes, electronics in storage or colour, books as one variant', () => {
    const optionsOf = (noun: string) => new Set(products.filter((p) => p.name.endsWith(noun)).flatMap((p) => p.options.map((o) => o.name)));
    expect(optionsOf('T-Shirt')).toEqual(new Set(['Size', 'Color']));
    expect(optionsOf('Running Shoes')).toEqual(new Set(['Size']));
    expect(optionsOf('External SSD')).toEqual(new Set(['Capacity']));
    expect(optionsOf('Earbuds')).toEqual(new Set(['Color']));
    const books = categories.find((c) => c.slug === 'books')!;
    expect(products.filter((p) => p.categoryId === books.id).every((p) => p.options.length === 0 && p.variants.length === 1)).toBe(true);
    const tee = products.find((p) => p.name.endsWith('T-Shirt') && p.variants.length > 1)!;
    const [size, color] = tee.options;
    expect(tee.variants[0]!.title).toBe(`${size!.values[0]} / ${color!.values[0]}`);
    expect(tee.variants[0]!.sku).toMatch(/^SKU-\d{6}-[A-Z0-9-]+$/);
  });

  it("has at least 1,500 variants; without options one with the product's id, with options none; unique SKUs and options", () => {
    const variants = products.flatMap((p) => p.variants);
    expect(variants.length).toBeGreaterThanOrEqual(1500);
    for (const p of products) {
      if (p.options.length === 0) expect(p.variants).toEqual([expect.objectContaining({ id: p.id, sku: p.sku, title: 'Default Title' })]);
      else {
        expect(p.variants.some((v) => v.id === p.id)).toBe(false);
        expect(new Set(p.variants.map((v) => v.optionValues.join())).size).toBe(p.variants.length);
        expect(
          p.variants.every((v) => v.selectedOptions.every((o, i) => p.options[i]!.name === o.name && p.options[i]!.values.includes(o.value))),
        ).toBe(true);
      }
    }
    expect(new Set(variants.map((v) => v.sku)).size).toBe(variants.length);
    expect(new Set(variants.map((v) => v.id)).size).toBe(variants.length);
  });

  it('leaves about 5% of variants out of stock and 10% low (1–5 units)', () => {
    const variants = products.flatMap((p) => p.variants);
    const share = (n: number) => n / variants.length;
    expect(share(variants.filter((v) => v.onHand === 0).length)).toBeGreaterThan(0.03);
    expect(share(variants.filter((v) => v.onHand === 0).length)).toBeLessThan(0.08);
    expect(share(variants.filter((v) => v.onHand >= 1 && v.onHand <= 5).length)).toBeGreaterThan(0.07);
    expect(share(variants.filter((v) => v.onHand >= 1 && v.onHand <= 5).length)).toBeLessThan(0.15);
  });
});
