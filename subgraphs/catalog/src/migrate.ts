import { createLogger, runMigrations } from '@shop/platform';
import { loadConfig } from './config.ts';
import { catalogOrmOptions } from './data/orm.config.ts';

const config = loadConfig();
await runMigrations(catalogOrmOptions(config.CATALOG_DATABASE_URL), createLogger('catalog-migrate', config.LOG_LEVEL));
