import { hasAdminRole, type Identity } from '@shop/platform';

/**
 * Who may see or change a cart: a guest cart by anyone holding its id (the id is the secret),
 * a customer's cart by that customer or an admin.
 */
export function canAccessCart(cart: { customerId?: string | null }, identity: Identity): boolean {
  if (cart.customerId == null) return true;
  return identity.sub === cart.customerId || hasAdminRole(identity);
}
