/**
 * `pnpm run keys:rotate`: a new access-token signing key. Every account replica signs with it
 * within ACCOUNT_KEY_RING_RELOAD_MS; the old key stays in the JWKS until the tokens it signed have
 * expired (ACCESS_TOKEN_TTL_SECONDS), then it is dropped. No restart, no token refused.
 */
import { createLogger, withOrm } from '@shop/platform';
import { loadConfig } from './config.ts';
import { accountOrmOptions } from './data/orm.config.ts';
import { KeyRing } from './domain/key-ring.ts';

const config = loadConfig();
await withOrm(accountOrmOptions(config.ACCOUNT_DATABASE_URL), createLogger('keys-rotate', 'warn'), async (orm) => {
  const kid = await KeyRing.rotate(orm.em, config.ACCOUNT_KEY_ENCRYPTION_KEY);
  process.stdout.write(`new signing key ${kid} is active; the previous one verifies for another ${config.ACCESS_TOKEN_TTL_SECONDS} s\n`);
});
