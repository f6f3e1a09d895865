import { createLogger, runMigrations } from '@shop/platform';
import { loadConfig } from './config.ts';
import { cartOrmOptions } from './data/orm.config.ts';

const config = loadConfig();
await runMigrations(cartOrmOptions(config.CART_DATABASE_URL), createLogger('cart-migrate', config.LOG_LEVEL));
