import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { paymentOrmOptions } from './data/orm.config.ts';
import { seedDemoPayment } from './data/demo-payment.ts';

const config = loadConfig();
const log = createLogger('payment-seed', config.LOG_LEVEL);
await withOrm(paymentOrmOptions(config.PAYMENT_DATABASE_URL), log, async (orm) => {
  const created = await seedDemoPayment(orm.em.fork(), config.STORE_CURRENCY);
  log.info(created ? 'demo payment seeded' : 'demo payment already present');
});
