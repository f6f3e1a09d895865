import type { EntityManager } from '@mikro-orm/postgresql';
import type { CustomerDefaultAddressChanged } from '@shop/platform';
import { bumpVersions, findActiveCartId, lockCartWithBuyer, setBuyer } from '../data/cart.repository.ts';
import { readDestination } from '../data/delivery.repository.ts';
import { recordDefaultAddress } from '../data/default-address.repository.ts';
import { regionOf, storedAddress, type CartAddress } from './cart-address.ts';
import { keepOrReselect } from './cart-buyer.ts';
import type { CartPricing } from './cart-view.ts';

/**
 * The account says a customer's default address changed. The projection keeps the newest
 * (`changedAt`), so a late or redelivered older message changes nothing. The customer's active cart
 * takes the address when it has neither an address nor a country the shopper chose, and follows
 * it while its address came from the default (a removed default leaves such a cart without an
 * address, its country kept as an estimate). An address we do not deliver to is not filled in.
 * Returns the cart that changed, if any.
 */
export async function applyDefaultAddress(tx: EntityManager, pricing: CartPricing, event: CustomerDefaultAddressChanged): Promise<string | null> {
  if (!(await recordDefaultAddress(tx, event.customerId, event.address, new Date(event.changedAt)))) return null;
  const cartId = await findActiveCartId(tx, event.customerId);
  const cart = cartId && (await lockCartWithBuyer(tx, cartId));
  if (!cart || cart.status !== 'ACTIVE') return null;
  const before = cart.buyer;
  const followsDefault = before.addressFromDefault;
  if (!followsDefault && (before.deliveryAddress !== null || before.countryCode !== null)) return null;
  const address: CartAddress | null = storedAddress(event.address);
  if (address && (await readDestination(tx, address.countryCode, regionOf(address))).zoned) {
    await setBuyer(tx, cart.id, { deliveryAddress: address, countryCode: address.countryCode, addressFromDefault: true });
  } else if (followsDefault) {
    await setBuyer(tx, cart.id, { deliveryAddress: null, addressFromDefault: false });
  } else return null;
  // Nobody to warn here: a choice the new address does not offer simply gives way to the cheapest.
  await keepOrReselect({ pricing }, tx, cart.id, before);
  await bumpVersions(tx, [cart.id]);
  return cart.id;
}
