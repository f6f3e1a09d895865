import { Faker, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { pathIds } from './category.entity.ts';
import { generateCatalog } from './seed-data.ts';
import { CATALOG } from './seed-lines.ts';
import { categoryTree, SUBCATEGORIES } from './seed-tree.ts';

describe('generateCatalog', () => {
  const { categories, products } = generateCatalog(500);
  const byId = new Map(categories.map((c) => [c.id, c]));
  /** The category's own id and its descendants'. */
  const subtree = (slug: string) => {
    const root = categories.find((c) => c.slug === slug)!;
    return new Set(categories.filter((c) => c.path.startsWith(root.path)).map((c) => c.id));
  };

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

  it('has a category tree three levels deep, each category with products in its subtree, and unique skus and slugs', () => {
    const depths = categories.map((c) => pathIds(c.path).length);
    expect([1, 2, 3].map((depth) => depths.filter((d) => d === depth).length)).toEqual([5, 10, 54]);
    expect(depths.every((d) => d <= 3)).toBe(true);
    for (const c of categories) expect(products.some((p) => byId.get(p.categoryId)!.path.startsWith(c.path))).toBe(true);
    expect(new Set(categories.map((c) => c.slug)).size).toBe(categories.length);
    expect(new Set(products.map((p) => p.sku)).size).toBe(500);
    expect(new Set(products.map((p) => p.slug)).size).toBe(500);
  });

  it("keeps paths consistent with parents: a root's path is its id, a child's its parent's path and its id", () => {
    expect(new Set(categories.map((c) => c.id)).size).toBe(categories.length);
    for (const c of categories) {
      const parent = c.parentId === null ? null : byId.get(c.parentId);
      expect(parent).not.toBe(undefined);
      expect(c.path).toBe(`${parent?.path ?? '/'}${c.id}/`);
    }
    // The ten categories of before keep their place (first, in CATALOG order), each under a department.
    expect(categories.slice(0, 10).map((c) => [c.name, pathIds(c.path).length])).toEqual(CATALOG.map((spec) => [spec.name, 2]));
  });

  it("puts every product in a leaf on the third level: its product line's subcategory", () => {
    const unplaced = CATALOG.flatMap((spec) => spec.lines.filter(([noun]) => !SUBCATEGORIES[spec.name]?.[noun]).map(([noun]) => noun));
    expect(unplaced).toEqual([]);
    const parents = new Set(categories.map((c) => c.parentId));
    expect(products.every((p) => pathIds(byId.get(p.categoryId)!.path).length === 3 && !parents.has(p.categoryId))).toBe(true);
    const clothing = subtree('clothing');
    const tees = products.filter((p) => p.name.endsWith('T-Shirt'));
    expect(tees.length).toBeGreaterThan(0);
    expect(new Set(tees.map((p) => byId.get(p.categoryId)!.slug))).toEqual(new Set(['t-shirts']));
    expect(tees.every((p) => clothing.has(p.categoryId))).toBe(true);
  });

  it('names products after their category (a wireless mouse is a computer accessory)', () => {
    const mice = products.filter((p) => p.name.includes('Wireless Mouse'));
    expect(mice.length).toBeGreaterThan(0);
    expect(mice.every((p) => byId.get(p.categoryId)!.slug === 'mice')).toBe(true);
    const breadcrumbs = pathIds(byId.get(mice[0]!.categoryId)!.path).map((id) => byId.get(id)!.name);
    expect(breadcrumbs).toEqual(['Electronics', 'Computers', 'Mice']);
  });

  it('makes the same tree every time, whatever the product count', () => {
    expect(generateCatalog(0).categories).toEqual(categories);
    expect(generateCatalog(7, 42).categories).toEqual(generateCatalog(7, 42).categories);
    expect(generateCatalog(7, 42).categories[0]!.id).not.toBe(categories[0]!.id);
  });

  it("prefixes a subcategory's slug with its category's when the slug is taken", () => {
    const catalog = CATALOG.slice(0, 2).map((spec, i) => ({ id: `c${i}`, slug: spec.name.toLowerCase(), name: spec.name }));
    const lines = (name: string) => ({
      [name]: Object.fromEntries(CATALOG.find((s) => s.name === name)!.lines.map(([noun]) => [noun, 'Accessories'])),
    });
    const { categories: tree } = categoryTree(new Faker({ locale: [en], seed: 1 }), CATALOG.slice(0, 2), catalog, [], {
      ...lines('Audio'),
      ...lines('Computers'),
    });
    expect(tree.filter((c) => c.name === 'Accessories').map((c) => c.slug)).toEqual(['accessories', 'computers-accessories']);
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
    const books = products.filter((p) => subtree('books').has(p.categoryId));
    expect(books.length).toBeGreaterThan(10);
    expect(books.every((p) => p.options.length === 0 && p.variants.length === 1)).toBe(true);
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
