import { canSeeOrderOf, hasAdminRole, NO_ORDER_TOKEN, type Identity, type OrderTokenCheck } from '@shop/platform';

/**
 * The order access token (header `Order-Access-Token`, signed by the cart at checkout) is checked
 * by the platform's orderTokenCheck, shared with the payment subgraph.
 */
export { NO_ORDER_TOKEN, orderTokenCheck, type OrderTokenCheck } from '@shop/platform';

/**
 * An order is visible to the customer who placed it, to admins, and to whoever holds its access
 * token (how a guest follows the order they just placed); to nobody else.
 */
export function canSeeOrder(
  order: { id: string; customerId?: string | null },
  identity: Identity,
  holdsToken: OrderTokenCheck = NO_ORDER_TOKEN,
): boolean {
  return canSeeOrderOf(order.id, order.customerId, identity, holdsToken);
}

export function canSeeCustomer(customerId: string, identity: Identity): boolean {
  return identity.sub === customerId || hasAdminRole(identity);
}

/** Emails compare case-insensitively (how shoppers type them); stored as the buyer typed it. */
export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
