import { perDeps, runSubgraph } from '@shop/platform';
import { loadConfig } from './config.ts';
import { accountOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext, type AccountProcessParts } from './context.ts';
import { KeyRing } from './domain/key-ring.ts';
import { LoginThrottle } from './domain/login-throttle.ts';
import { PasswordHasher } from './domain/passwords.ts';
import { Sessions } from './domain/sessions.ts';
import { startNotifications } from './notifications/notifications.ts';
import { notificationSettings } from './notifications/config.ts';

const config = loadConfig();

const keyRingOf = perDeps(
  (deps) =>
    new KeyRing(
      deps.orm.em,
      {
        encryptionKey: config.ACCOUNT_KEY_ENCRYPTION_KEY,
        tokenLifetimeMs: config.ACCESS_TOKEN_TTL_SECONDS * 1000,
        reloadMs: config.ACCOUNT_KEY_RING_RELOAD_MS,
        production: config.NODE_ENV === 'production',
      },
      deps.log,
    ),
);
const partsOf = perDeps((deps): AccountProcessParts => ({
  hasher: new PasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, iterations: config.ARGON2_ITERATIONS }),
  throttle: new LoginThrottle(
    deps.redis,
    {
      maxPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    },
    deps.log,
  ),
  sessions: new Sessions(keyRingOf(deps), {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
  }),
  minPasswordLength: config.PASSWORD_MIN_LENGTH,
  clientAddressSecret: config.CLIENT_ADDRESS_SECRET,
  outbox: deps.outbox,
}));

await runSubgraph({
  name: 'account',
  settings: config,
  port: config.ACCOUNT_PORT,
  portEnvVar: 'ACCOUNT_PORT',
  schemaFile: new URL('../schema.graphql', import.meta.url),
  resolvers,
  permissions,
  orm: accountOrmOptions(config.ACCOUNT_DATABASE_URL),
  background: async (deps) => {
    await keyRingOf(deps).ensure();
    // Emails: verification and reset links, order confirmation, shipping, refunds (JetStream consumers).
    return startNotifications(deps, notificationSettings(config));
  },
  // Every service verifies access tokens with these public keys (JWT_JWKS_URL points here).
  routes: (app, deps) =>
    app.get('/.well-known/jwks.json', async (_req, res, next) => {
      try {
        res.setHeader('cache-control', 'public, max-age=60');
        res.json(await keyRingOf(deps).jwks());
      } catch (error) {
        next(error);
      }
    }),
  context: ({ em, identity, deps, headers }) => createContext(em, identity, deps.log, partsOf(deps), headers),
});
