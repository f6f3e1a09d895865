import { createLogger, runMigrations } from '@shop/platform';
import { loadConfig } from './config.ts';
import { orderOrmOptions } from './data/orm.config.ts';

const config = loadConfig();
await runMigrations(orderOrmOptions(config.ORDER_DATABASE_URL), createLogger('order-migrate', config.LOG_LEVEL));
