import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { cartOrmOptions } from './data/orm.config.ts';
import { seedCartData } from './data/seed-data.ts';

/** Tax rates, shipping zones with their delivery methods and demo discount codes; carts themselves are made by shoppers. */
const config = loadConfig();
const log = createLogger('cart-seed', config.LOG_LEVEL);
await withOrm(cartOrmOptions(config.CART_DATABASE_URL), log, async (orm) => {
  log.info(await seedCartData(orm.em.fork()), 'cart data seeded');
});
