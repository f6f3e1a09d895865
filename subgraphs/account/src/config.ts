import { z } from 'zod';
import {
  clientAddressEnvModel,
  commonEnvModel,
  envFields,
  loadEnv,
  refuseDevClientAddressSecretInProduction,
  refuseDevDefaultsInProduction,
  refuseDevSecretInProduction,
} from '@shop/platform';
import { notificationEnvModel, refineNotificationEnv } from './notifications/config.ts';

/** DEV DEFAULT ONLY: encrypts the signing keys' private halves at rest; production must set its own. */
export const DEV_KEY_ENCRYPTION_KEY = 'ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYnk=';

/** The env model (exported for the deployment tests that check compose and Kubernetes env against it). */
export const model = refuseDevSecretInProduction(
  z.object({
    ...commonEnvModel,
    ACCOUNT_PORT: envFields.port(4005),
    // DEV DEFAULT ONLY: the local stack's credentials.
    ACCOUNT_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/accounts'),
    /** 32 bytes, base64: the AES-256-GCM key for the private signing keys stored in the database. */
    ACCOUNT_KEY_ENCRYPTION_KEY: z
      .string()
      .default(DEV_KEY_ENCRYPTION_KEY)
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
    /** Access tokens live this long (the signing key they name stays published at least as long after a rotation). */
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Failed sign-ins allowed per account and per client address within the window, then THROTTLED until it ends. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    /** Verifies the client address the gateway signed (the gateway holds the same value); unsigned: `unknown`. */
    ...clientAddressEnvModel,
    /** argon2id cost (OWASP's minimum profile by default: 19 MiB, 2 passes, 1 lane). */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19_456),
    ARGON2_ITERATIONS: z.coerce.number().int().min(1).default(2),
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(64).default(10),
    /** How often the service rereads the key ring (a rotation made by the command reaches every replica within this). */
    ACCOUNT_KEY_RING_RELOAD_MS: z.coerce.number().int().min(100).default(5_000),
    ...notificationEnvModel,
  }),
)
  .superRefine(refuseDevDefaultsInProduction({ ACCOUNT_KEY_ENCRYPTION_KEY: DEV_KEY_ENCRYPTION_KEY }))
  // The same check as the gateway's, which holds the same secret.
  .superRefine(refuseDevClientAddressSecretInProduction)
  .superRefine(refineNotificationEnv);

export type AccountConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): AccountConfig => loadEnv(model, source);
