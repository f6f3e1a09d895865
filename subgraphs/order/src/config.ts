import { z } from 'zod';
import {
  commonEnvModel,
  envFields,
  loadEnv,
  orderAccessTokenEnvModel,
  refuseDevOrderAccessSecretInProduction,
  refuseDevSecretInProduction,
} from '@shop/platform';

/** The env model (exported for the deployment tests that check compose and Kubernetes env against it). */
export const model = refuseDevOrderAccessSecretInProduction(
  refuseDevSecretInProduction(
    z.object({
      ...commonEnvModel,
      ORDER_PORT: envFields.port(4003),
      // DEV DEFAULT ONLY: the local stack's credentials.
      ORDER_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/orders'),
      /** A saga step that does not answer in time fails the order like its compensation. */
      ORDER_RESERVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
      ORDER_PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
      /** Verifies the order access tokens the cart signs at checkout (the same value as the cart's). DEV DEFAULT ONLY. */
      ...orderAccessTokenEnvModel,
    }),
  ),
);

export type OrderConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): OrderConfig => loadEnv(model, source);
