import { createLogger, runMigrations } from '@shop/platform';
import { loadConfig } from './config.ts';
import { paymentOrmOptions } from './data/orm.config.ts';

const config = loadConfig();
await runMigrations(paymentOrmOptions(config.PAYMENT_DATABASE_URL), createLogger('payment-migrate', config.LOG_LEVEL));
