import { hasAdminRole, verifyOrderAccessToken, type Identity } from '@shop/platform';

/**
 * Whether the caller presented the access token of this order (header `Order-Access-Token`, signed
 * by the cart at checkout). A token opens the one order it was signed for, and only for reading.
 */
export type OrderTokenCheck = (orderId: string) => boolean;

export const NO_ORDER_TOKEN: OrderTokenCheck = () => false;

/** The check for the token a request presented (none: nothing opens). */
export function orderTokenCheck(secret: string, token: string | null | undefined): OrderTokenCheck {
  return token ? (orderId) => verifyOrderAccessToken(secret, orderId, token) : NO_ORDER_TOKEN;
}

/**
 * An order is visible to the customer who placed it, to admins, and to whoever holds its access
 * token (how a guest follows the order they just placed); to nobody else.
 */
export function canSeeOrder(
  order: { id: string; customerId?: string | null },
  identity: Identity,
  holdsToken: OrderTokenCheck = NO_ORDER_TOKEN,
): boolean {
  if (hasAdminRole(identity)) return true;
  if (identity.sub !== null && order.customerId === identity.sub) return true;
  return holdsToken(order.id);
}

export function canSeeCustomer(customerId: string, identity: Identity): boolean {
  return identity.sub === customerId || hasAdminRole(identity);
}

/** Emails compare case-insensitively (how shoppers type them); stored as the buyer typed it. */
export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
