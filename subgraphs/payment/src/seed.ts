import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { paymentOrmOptions } from './data/orm.config.ts';
import { seedPayments } from './data/seed-data.ts';

/** `node src/seed.ts`: the demo order's payment, once (skips when payments exist). */
const config = loadConfig();
const log = createLogger('payment-seed', config.LOG_LEVEL);
await withOrm(paymentOrmOptions(config.PAYMENT_DATABASE_URL), log, async (orm) => {
  const created = await seedPayments(orm.em.fork(), config.STORE_CURRENCY);
  log.info(created ? 'demo payment seeded' : 'payments already present, seed skipped');
});
