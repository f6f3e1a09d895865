import { ORDER_CUSTOMER_ASSIGNED, type UnitOfWork } from '@shop/platform';
import { assignGuestOrders } from '../data/order.repository.ts';

/**
 * A customer's verified email claims the guest orders placed with it (account.orders.claim_requested):
 * they become the customer's, so they show in `me { orders }` and the owner may cancel them. Each
 * claimed order emits `order.customer.assigned` in the same transaction, so its payment (a copy of
 * the owner kept by the payment subgraph) follows. Runs in the consumer's inbox transaction;
 * idempotent, since a claimed order is no longer a guest order. Returns the ids of the orders claimed now.
 */
export async function claimGuestOrders(
  { em, emit }: Pick<UnitOfWork, 'em' | 'emit'>,
  claim: { customerId: string; email: string },
): Promise<string[]> {
  const claimed = await assignGuestOrders(em, claim.customerId, claim.email);
  for (const orderId of claimed) await emit(ORDER_CUSTOMER_ASSIGNED, { orderId, customerId: claim.customerId });
  return claimed;
}
