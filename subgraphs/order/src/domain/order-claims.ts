import type { EntityManager } from '@mikro-orm/postgresql';
import { assignGuestOrders } from '../data/order.repository.ts';

/**
 * A customer's verified email claims the guest orders placed with it (account.orders.claim_requested):
 * they become the customer's, so they show in `me { orders }` and the owner may cancel them. Runs in
 * the consumer's inbox transaction; idempotent, since a claimed order is no longer a guest order.
 * Returns the ids of the orders claimed now.
 */
export function claimGuestOrders(tx: EntityManager, claim: { customerId: string; email: string }): Promise<string[]> {
  return assignGuestOrders(tx, claim.customerId, claim.email);
}
