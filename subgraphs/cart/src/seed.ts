import { createLogger } from '@shop/platform';
import { loadConfig } from './config.ts';

/** Carts are made by shoppers; there is nothing to seed. Kept so every subgraph has the same commands. */
const config = loadConfig();
createLogger('cart-seed', config.LOG_LEVEL).info('cart: nothing to seed');
