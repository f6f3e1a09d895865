import { z } from 'zod';
import {
  commonEnvModel,
  envFields,
  loadEnv,
  orderAccessTokenEnvModel,
  refuseDevOrderAccessSecretInProduction,
  refuseDevSecretInProduction,
} from '@shop/platform';
import { RECOVERY_DEFAULTS } from './events/payment-workers.ts';

/** The env model (exported for the deployment tests that check compose and Kubernetes env against it). */
export const model = refuseDevOrderAccessSecretInProduction(
  refuseDevSecretInProduction(
    z.object({
      ...commonEnvModel,
      PAYMENT_PORT: envFields.port(4004),
      // DEV DEFAULT ONLY: the local stack's credentials.
      PAYMENT_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/payments'),
      /** Payments and refunds left PENDING: how often they are looked for, and after how long untouched (see RECOVERY_DEFAULTS). */
      PAYMENT_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(RECOVERY_DEFAULTS.recoverIntervalMs),
      PAYMENT_RECOVERY_STALE_MS: z.coerce.number().int().min(1_000).default(RECOVERY_DEFAULTS.staleAfterMs),
      /** How long the simulator's `tok_timeout` hangs on its first attempt (crash tests widen the window). */
      PAYMENT_SIMULATOR_HANG_MS: z.coerce.number().int().min(0).max(60_000).default(50),
      /** Verifies order access tokens, so a guest with one sees that order's payment (the same value as the cart's). DEV DEFAULT ONLY. */
      ...orderAccessTokenEnvModel,
    }),
  ),
);

export type PaymentConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): PaymentConfig => loadEnv(model, source);
