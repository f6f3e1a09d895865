import { Faker, en } from '@faker-js/faker';

export interface SeedCategory {
  id: string;
  slug: string;
  name: string;
}

export interface SeedProduct {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string;
  priceAmount: number;
  images: Array<{ url: string; altText: string }>;
  categoryId: string;
  onHand: number;
  createdAt: Date;
}

const CATEGORY_NAMES = ['Audio', 'Computers', 'Home & Kitchen', 'Outdoors', 'Books', 'Toys & Games', 'Clothing', 'Sports', 'Beauty', 'Garden'];

const slugify = (text: string) => text.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Deterministic demo catalog: the same seed gives the same ids, names and stock on every machine,
 * so tests, benchmarks and docs can name products. About 5% are out of stock, 10% low on stock.
 */
export function generateCatalog(productCount: number, seed = 20261123): { categories: SeedCategory[]; products: SeedProduct[] } {
  const faker = new Faker({ locale: [en], seed });
  const categories = CATEGORY_NAMES.map((name) => ({ id: faker.string.uuid(), slug: slugify(name), name }));
  const epoch = Date.UTC(2026, 0, 1);
  const products: SeedProduct[] = [];
  for (let i = 0; i < productCount; i++) {
    const name = `${faker.commerce.productAdjective()} ${faker.commerce.productMaterial()} ${faker.commerce.product()}`;
    const number = String(i + 1).padStart(6, '0');
    const roll = faker.number.float({ min: 0, max: 1 });
    const onHand = roll < 0.05 ? 0 : roll < 0.15 ? faker.number.int({ min: 1, max: 5 }) : faker.number.int({ min: 10, max: 500 });
    products.push({
      id: faker.string.uuid(),
      sku: `SKU-${number}`,
      slug: `${slugify(name)}-${number}`,
      name,
      description: faker.commerce.productDescription(),
      priceAmount: faker.number.int({ min: 199, max: 99_999 }),
      images: [{ url: `https://picsum.photos/seed/${number}/800/800`, altText: name }],
      categoryId: faker.helpers.arrayElement(categories).id,
      onHand,
      createdAt: new Date(epoch + i * 60_000),
    });
  }
  return { categories, products };
}
