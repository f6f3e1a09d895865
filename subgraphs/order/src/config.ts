import { z } from 'zod';
import { commonEnvModel, envFields, loadEnv, refuseDevSecretInProduction } from '@shop/platform';

const model = refuseDevSecretInProduction(
  z.object({
    ...commonEnvModel,
    ORDER_PORT: envFields.port(4003),
    // DEV DEFAULT ONLY: the local stack's credentials.
    ORDER_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/orders'),
    /** A saga step that does not answer in time fails the order like its compensation. */
    ORDER_RESERVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    ORDER_PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  }),
);

export type OrderConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): OrderConfig => loadEnv(model, source);
