import { hasAdminRole, type Identity } from '@shop/platform';

/** An order is visible to the customer who placed it and to admins; guests' orders only to admins. */
export function canSeeOrder(order: { customerId?: string | null }, identity: Identity): boolean {
  if (hasAdminRole(identity)) return true;
  return identity.sub !== null && order.customerId === identity.sub;
}

export function canSeeCustomer(customerId: string, identity: Identity): boolean {
  return identity.sub === customerId || hasAdminRole(identity);
}
