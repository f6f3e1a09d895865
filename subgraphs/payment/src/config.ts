import { z } from 'zod';
import { commonEnvModel, envFields, loadEnv, refuseDevSecretInProduction } from '@shop/platform';

const model = refuseDevSecretInProduction(
  z.object({
    ...commonEnvModel,
    PAYMENT_PORT: envFields.port(4004),
    // DEV DEFAULT ONLY: the local stack's credentials.
    PAYMENT_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/payments'),
  }),
);

export type PaymentConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): PaymentConfig => loadEnv(model, source);
