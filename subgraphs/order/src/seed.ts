import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { orderOrmOptions } from './data/orm.config.ts';
import { seedOrders } from './data/seed-data.ts';

/** `node src/seed.ts`: the demo order, once (skips when orders exist). */
const config = loadConfig();
const log = createLogger('order-seed', config.LOG_LEVEL);
await withOrm(orderOrmOptions(config.ORDER_DATABASE_URL), log, async (orm) => {
  const created = await seedOrders(orm.em.fork(), config.STORE_CURRENCY);
  log.info(created ? 'demo order seeded' : 'orders already present, seed skipped');
});
