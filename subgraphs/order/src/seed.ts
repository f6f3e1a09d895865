import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { orderOrmOptions } from './data/orm.config.ts';
import { seedDemoOrder } from './data/demo-order.ts';

const config = loadConfig();
const log = createLogger('order-seed', config.LOG_LEVEL);
await withOrm(orderOrmOptions(config.ORDER_DATABASE_URL), log, async (orm) => {
  const created = await seedDemoOrder(orm.em.fork(), config.STORE_CURRENCY);
  log.info(created ? 'demo order seeded' : 'demo order already present');
});
