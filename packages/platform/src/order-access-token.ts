import { z } from 'zod';
import { hasAdminRole, type Identity } from './auth.ts';
import { refuseDevDefaultsInProduction } from './env.ts';
import { hasHmacTag, hmacTag } from './hmac-tag.ts';

/**
 * Order access tokens: what lets the buyer of one order (a guest or not) read and follow that order
 * and no other. Stateless: base64url(HMAC-SHA256(secret, orderId)). The checkout id is the order's
 * id, so the cart signs at checkout (an idempotent replay returns the same token, the order need
 * not exist yet) and the order subgraph verifies without a table. Nothing to revoke: the token is
 * only ever as good as the order id it was signed for.
 */

/** HTTP header a client sends it in (the gateway forwards this one header to the subgraphs). */
export const ORDER_ACCESS_TOKEN_HEADER = 'order-access-token';

/** DEV DEFAULT ONLY: production must set ORDER_ACCESS_TOKEN_SECRET (enforced by refuseDevOrderAccessSecretInProduction). */
export const DEV_ORDER_ACCESS_TOKEN_SECRET = 'dev-only-order-access-secret-change-me-0123456789';

/** The config field of the cart (signs) and the order and payment subgraphs (verify): the same value in all three. */
export const orderAccessTokenEnvModel = {
  ORDER_ACCESS_TOKEN_SECRET: z.string().min(32).default(DEV_ORDER_ACCESS_TOKEN_SECRET),
};

/** Refuse to run in production with the dev order-access secret (anyone could mint tokens with it). */
export function refuseDevOrderAccessSecretInProduction<T extends z.ZodType>(model: T) {
  return model.superRefine(refuseDevDefaultsInProduction({ ORDER_ACCESS_TOKEN_SECRET: DEV_ORDER_ACCESS_TOKEN_SECRET }));
}

/** The token for one order (43 characters, URL-safe). */
export function signOrderAccessToken(secret: string, orderId: string): string {
  return hmacTag(secret, orderId);
}

/** A token a request may present; longer is not one of ours. */
const MAX_TOKEN_LENGTH = 128;

/** Whether `token` was signed for exactly this order; compared in constant time. */
export function verifyOrderAccessToken(secret: string, orderId: string, token: string | null | undefined): boolean {
  return hasHmacTag(secret, orderId, token);
}

/** The token a request presented: one header value, or nothing (repeated headers arrive as a list). */
export function orderAccessTokenFrom(headers: Record<string, string | string[] | undefined>): string | null {
  const value = headers[ORDER_ACCESS_TOKEN_HEADER];
  const token = (Array.isArray(value) ? value[0] : value)?.trim();
  return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

/**
 * Whether a request presented the access token of an order: what the order and payment subgraphs
 * ask of each row they might show. A token opens the one order it was signed for, and only for reading.
 */
export type OrderTokenCheck = (orderId: string) => boolean;

export const NO_ORDER_TOKEN: OrderTokenCheck = () => false;

/** The check for the token a request presented (none: nothing opens). */
export function orderTokenCheck(secret: string, token: string | null | undefined): OrderTokenCheck {
  return token ? (orderId) => verifyOrderAccessToken(secret, orderId, token) : NO_ORDER_TOKEN;
}

/**
 * Who may see an order, or what belongs to it (its payment): the customer who placed it, admins,
 * and whoever holds its access token (how a guest follows the order they just placed).
 */
export function canSeeOrderOf(
  orderId: string,
  ownerId: string | null | undefined,
  identity: Identity,
  holdsToken: OrderTokenCheck = NO_ORDER_TOKEN,
): boolean {
  if (hasAdminRole(identity)) return true;
  if (identity.sub !== null && ownerId === identity.sub) return true;
  return holdsToken(orderId);
}
