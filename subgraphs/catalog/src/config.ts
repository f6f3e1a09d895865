import { z } from 'zod';
import { commonEnvModel, envFields, loadEnv, refuseDevSecretInProduction } from '@shop/platform';

/** The env model (exported for the deployment tests that check compose and Kubernetes env against it). */
export const model = refuseDevSecretInProduction(
  z.object({
    ...commonEnvModel,
    CATALOG_PORT: envFields.port(4001),
    // DEV DEFAULT ONLY: the local stack's credentials.
    CATALOG_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/catalog'),
    /** How long reserved stock waits for payment before the sweeper releases it. */
    INVENTORY_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  }),
);

export type CatalogConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): CatalogConfig => loadEnv(model, source);
