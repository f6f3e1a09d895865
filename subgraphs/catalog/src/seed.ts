import { parseArgs } from 'node:util';
import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { catalogOrmOptions } from './data/orm.config.ts';
import { generateCatalog } from './data/seed-data.ts';
import { CategorySchema } from './data/category.entity.ts';
import { ProductSchema } from './data/product.entity.ts';

/** `node src/seed.ts [--products N]`: loads the demo catalog once (skips when products exist). */
const { values } = parseArgs({ options: { products: { type: 'string', default: '500' } } });
const config = loadConfig();
const log = createLogger('catalog-seed', config.LOG_LEVEL);
const count = Number(values.products);

await withOrm(catalogOrmOptions(config.CATALOG_DATABASE_URL), log, async (orm) => {
  const em = orm.em.fork();
  const existing = await em.execute<Array<{ n: string }>>('select count(*)::int as n from product');
  if (Number(existing[0]?.n) > 0) {
    log.info({ products: Number(existing[0]?.n) }, 'catalog already seeded');
    return;
  }
  const { categories, products } = generateCatalog(count);
  await em.transactional(async (tx) => {
    const now = new Date();
    await tx.insertMany(CategorySchema, categories.map((c) => ({ ...c, createdAt: now })));
    for (let i = 0; i < products.length; i += 1000) {
      const chunk = products.slice(i, i + 1000).map(({ categoryId, ...p }) => ({
        ...p,
        category: categoryId,
        currency: config.STORE_CURRENCY,
        reserved: 0,
        updatedAt: p.createdAt,
      }));
      await tx.insertMany(ProductSchema, chunk);
    }
  });
  log.info({ categories: categories.length, products: products.length }, 'catalog seeded');
});
