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
      CART_PORT: envFields.port(4002),
      // DEV DEFAULT ONLY: the local stack's credentials.
      CART_DATABASE_URL: envFields.url('postgres://shop:shop@127.0.0.1:5432/cart'),
      /** Idle time after which a cart expires; every change pushes expiresAt forward. */
      CART_GUEST_TTL_HOURS: z.coerce
        .number()
        .int()
        .positive()
        .default(24 * 30),
      CART_CUSTOMER_TTL_HOURS: z.coerce
        .number()
        .int()
        .positive()
        .default(24 * 90),
      /** How often idle carts are looked for and expired. */
      CART_EXPIRY_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
      CART_CACHE_ENABLED: envFields.bool(true),
      CART_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
      /** Upper bound for one batched product lookup at the catalog. */
      CATALOG_LOOKUP_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
      /**
       * While the catalog cannot be reached, a checkout is accepted from the cart's own snapshot when
       * the catalog confirmed every line's price at most this long ago (0: never without the catalog).
       */
      CART_SNAPSHOT_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(900),
      /** Where shipping and tax are estimated for while a cart has no country (CartCost.isEstimate). */
      STORE_DEFAULT_COUNTRY: z
        .string()
        .trim()
        .transform((c) => c.toUpperCase())
        .pipe(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as US'))
        .default('US'),
      /** Prices are entered and shown with tax included (VAT-style): the total is not increased by the tax. */
      STORE_PRICES_INCLUDE_TAX: envFields.bool(false),
      /** Signs the order access token cartCheckout returns (the order subgraph verifies it: the same value). DEV DEFAULT ONLY. */
      ...orderAccessTokenEnvModel,
    }),
  ),
);

export type CartConfig = z.infer<typeof model>;
export const loadConfig = (source?: Record<string, string | undefined>): CartConfig => loadEnv(model, source);
