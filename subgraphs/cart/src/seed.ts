import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { cartOrmOptions } from './data/orm.config.ts';
import { seedAutomaticPromotions } from './data/promotion-seed-data.ts';
import { seedCartData } from './data/seed-data.ts';

/** Tax rates, shipping zones with their delivery methods, demo codes and automatic promotions; carts themselves are made by shoppers. */
const config = loadConfig();
const log = createLogger('cart-seed', config.LOG_LEVEL);
await withOrm(cartOrmOptions(config.CART_DATABASE_URL), log, async (orm) => {
  const em = orm.em.fork();
  log.info({ ...(await seedCartData(em)), automaticPromotions: await seedAutomaticPromotions(em) }, 'cart data seeded');
});
