import { canSeeOrderOf, NO_ORDER_TOKEN, type Identity, type OrderTokenCheck } from '@shop/platform';

/**
 * A payment is visible to the customer who paid, to admins, and to whoever holds the access token of
 * its order (a guest following the order they placed): the order subgraph's rule for the order.
 */
export function canSeePayment(
  payment: { orderId: string; customerId?: string | null },
  identity: Identity,
  holdsToken: OrderTokenCheck = NO_ORDER_TOKEN,
): boolean {
  return canSeeOrderOf(payment.orderId, payment.customerId, identity, holdsToken);
}

/** How a read is made: past this request's identity map (`fresh`), with the request's order access token. */
export interface VisibleReadOptions {
  fresh?: boolean;
  holdsToken?: OrderTokenCheck;
}
