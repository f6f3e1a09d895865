import { Faker, en } from '@faker-js/faker';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { CurrencyCode } from '@shop/platform';
import { pathIds } from './category.entity.ts';
import type { ProductOption } from './product.entity.ts';
import { CATALOG, PUBLISHERS } from './seed-lines.ts';
import { defaultVariant, LINE_OPTIONS, variantsFor, type SeedVariant } from './seed-options.ts';
import { categoryTree, slugify, type SeedCategory } from './seed-tree.ts';

export type { SeedCategory } from './seed-tree.ts';

export interface SeedProduct {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string;
  /** The lowest variant price. */
  priceAmount: number;
  images: Array<{ url: string; altText: string }>;
  /** Its product line's subcategory (the tree's third level). */
  categoryId: string;
  /** [] for a product sold as one default variant. */
  options: ProductOption[];
  /** In display order; a product without options has one, with the product's id. */
  variants: SeedVariant[];
  createdAt: Date;
}

/**
 * Deterministic demo catalog: the same seed gives the same ids, names and stock on every machine,
 * so tests, benchmarks and docs can name products. Names come from per-category product lines
 * ("Nordbyte Ergonomic Wireless Mouse" under Computers > Mice), prices from the line's range. Apparel,
 * shoes, electronics and a few other lines are sold in options (seed-options.ts), the rest as one
 * default variant. About 5% of variants are out of stock and 10% low on stock (1–5 units).
 * Categories form a tree three levels deep (seed-tree.ts): departments, CATALOG's ten categories,
 * and a subcategory per product line, where each product sits.
 */
export function generateCatalog(productCount: number, seed = 20261123): { categories: SeedCategory[]; products: SeedProduct[] } {
  const { categories, products } = catalogSource(productCount, seed);
  return { categories, products: [...products] };
}

/**
 * generateCatalog's categories, and its products made as they are taken (a large seed loads while it
 * generates). Categories: CATALOG's ten first (in its order), then departments, then subcategories.
 */
export function catalogSource(productCount: number, seed = 20261123): { categories: SeedCategory[]; products: Generator<SeedProduct> } {
  const faker = new Faker({ locale: [en], seed });
  // Options and variants draw from a stream of their own, so the products (ids, names, prices of
  // the ones without options) are those earlier seeds made: the order seed names the first two.
  const variantFaker = new Faker({ locale: [en], seed: seed + 1 });
  const catalog = CATALOG.map(({ name }) => ({ id: faker.string.uuid(), slug: slugify(name), name }));
  // Departments and subcategories came later: their ids draw from a third stream, for the same reason.
  const { categories, lineCategoryIds } = categoryTree(new Faker({ locale: [en], seed: seed + 2 }), CATALOG, catalog);
  const epoch = Date.UTC(2026, 0, 1);
  function* products(): Generator<SeedProduct> {
    for (let i = 0; i < productCount; i++) {
      const c = faker.number.int({ max: CATALOG.length - 1 });
      const spec = CATALOG[c]!;
      const line = faker.helpers.arrayElement(spec.lines);
      const [noun, adjectives, minPrice, maxPrice, detail] = line;
      const title = `${faker.helpers.arrayElement(adjectives)} ${noun}`;
      // Most products carry a brand; books never do (their publisher is in the copy instead).
      const brand = spec.brands.length > 0 && faker.number.float() < 0.75 ? faker.helpers.arrayElement(spec.brands) : null;
      const name = brand ? `${brand} ${title}` : title;
      const [first, second] = faker.helpers.arrayElements(spec.features, 2);
      const publisher = spec.brands.length === 0 ? ` Published by ${faker.helpers.arrayElement(PUBLISHERS)}.` : '';
      const number = String(i + 1).padStart(6, '0');
      const sku = `SKU-${number}`;
      const roll = faker.number.float({ min: 0, max: 1 });
      const onHand = roll < 0.05 ? 0 : roll < 0.15 ? faker.number.int({ min: 1, max: 5 }) : faker.number.int({ min: 10, max: 500 });
      const id = faker.string.uuid();
      // Shelf prices: whole units ending in .99 mostly, some .49 or round.
      const basePrice = faker.number.int({ min: minPrice, max: maxPrice }) * 100 + faker.helpers.arrayElement([99, 99, 99, 49, 0]);
      const optionSpecs = LINE_OPTIONS[noun];
      const { options, variants } = optionSpecs
        ? variantsFor(variantFaker, optionSpecs, { sku, name, basePrice })
        : { options: [], variants: [defaultVariant({ id, sku, priceAmount: basePrice, onHand })] };
      yield {
        id,
        sku,
        slug: `${slugify(name)}-${number}`,
        name,
        description: `${detail} ${first} ${second}${publisher}`,
        priceAmount: Math.min(...variants.map((v) => v.priceAmount)),
        images: [{ url: `https://picsum.photos/seed/${sku}/800/800`, altText: name }],
        categoryId: lineCategoryIds[c]![spec.lines.indexOf(line)]!,
        options,
        variants,
        createdAt: new Date(epoch + i * 60_000),
      };
    }
  }
  return { categories, products: products() };
}

/** Up to `size` items at a time. */
function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * One batch of products and their variants: two statements, each with one JSON document. Through
 * the transaction's Kysely (MikroORM's query layer) so the documents go as bound parameters: em.execute
 * inlines parameters into the SQL text, which at 100,000 products doubled the load time (40 s vs 19 s).
 */
async function insertBatch(tx: EntityManager, currency: CurrencyCode, products: string, variants: string): Promise<void> {
  const db = tx.getKysely();
  await sql`insert into product (id, sku, slug, name, description, price_amount, currency, images, category_id, options, created_at, updated_at)
     select r."id", r."sku", r."slug", r."name", r."description", r."priceAmount", ${currency}, r."images", r."categoryId", r."options", r."createdAt", r."createdAt"
     from jsonb_to_recordset(${products}::jsonb) as r("id" uuid, "sku" text, "slug" text, "name" text, "description" text, "priceAmount" int,
       "images" jsonb, "categoryId" uuid, "options" jsonb, "createdAt" timestamptz)`.execute(db);
  await sql`insert into product_variant (id, product_id, sku, title, selected_options, option_values, price_amount, compare_at_amount, currency,
       image, position, on_hand, reserved, created_at, updated_at)
     select r."id", r."productId", r."sku", r."title", r."selectedOptions", r."optionValues", r."priceAmount", r."compareAtAmount", ${currency},
       r."image", r."position", r."onHand", 0, r."createdAt", r."createdAt"
     from jsonb_to_recordset(${variants}::jsonb) as r("id" uuid, "productId" uuid, "sku" text, "title" text, "selectedOptions" jsonb,
       "optionValues" text[], "priceAmount" int, "compareAtAmount" int, "image" jsonb, "position" int, "onHand" int, "createdAt" timestamptz)`.execute(
    db,
  );
}

/**
 * Load the catalog once (does nothing when any product exists). Rows go in as one JSON document
 * per batch of a few thousand (`jsonb_to_recordset`): one statement and one round trip per batch
 * and table; the next batch is generated while Postgres stores the last. Returns the number of
 * products inserted.
 */
export async function seedCatalog(em: EntityManager, productCount: number, currency: CurrencyCode = 'USD', batchSize = 2000): Promise<number> {
  const existing = await em.execute<Array<{ n: number }>>('select count(*)::int as n from product');
  if (Number(existing[0]?.n) > 0) return 0;
  const { categories, products } = catalogSource(productCount);
  let inserted = 0;
  await em.transactional(async (tx) => {
    // Parents before children, departments first: each row's parent exists when it goes in.
    const byDepth = categories.toSorted((a, b) => pathIds(a.path).length - pathIds(b.path).length);
    await tx.execute(
      `insert into category (id, slug, name, parent_id, path, created_at)
       select r.id, r.slug, r.name, r."parentId", r.path, now()
       from jsonb_to_recordset(?::jsonb) as r(id uuid, slug text, name text, "parentId" uuid, path text)`,
      [JSON.stringify(byDepth)],
    );
    let storing: Promise<void> = Promise.resolve();
    for (const batch of batches(products, batchSize)) {
      const productRows = JSON.stringify(batch.map(({ variants: _, ...product }) => product));
      const variantRows = JSON.stringify(batch.flatMap((p) => p.variants.map((v) => ({ ...v, productId: p.id, createdAt: p.createdAt }))));
      // One statement at a time on the transaction's connection: this batch waits for the last.
      await storing;
      storing = insertBatch(tx, currency, productRows, variantRows);
      inserted += batch.length;
    }
    await storing;
  });
  return inserted;
}
