import type { EntityManager } from '@mikro-orm/postgresql';
import { userError, type UserError } from '@shop/platform';
import { setBuyer, type BuyerState } from '../data/cart.repository.ts';
import { readDestination } from '../data/delivery.repository.ts';
import { addresseeOf, fromCheckoutAddress, regionNameProblem, regionOf, storedAddress, type CartAddress } from './cart-address.ts';
import { keepOrReselect } from './cart-buyer.ts';
import type { CartPricing } from './cart-view.ts';
import type { CheckoutInput } from './checkout-input.ts';

export interface CheckoutBuyer {
  email: string | null;
  address: CartAddress | null;
  /** Missing email or address, a nameless address, a destination nobody delivers to. */
  errors: UserError[];
  /** The cart's buyer fields as read (the cart is locked: still so when applyCheckoutBuyer writes). */
  stored: BuyerState;
}

/**
 * Who buys and where it goes: the input's email and address, else the cart's buyer identity
 * (`cart`: its buyer fields, read with the checkout's lock). Every gap is a userError naming the
 * input field that would fill it.
 */
export async function checkoutBuyer(tx: EntityManager, cart: BuyerState, input: CheckoutInput): Promise<CheckoutBuyer> {
  const email = input.email ?? cart.email;
  const address = input.shippingAddress ? fromCheckoutAddress(input.shippingAddress) : storedAddress(cart.deliveryAddress);
  const errors: UserError[] = [];
  if (!email) errors.push(userError('REQUIRED', 'Enter an email address for the order confirmation', ['input', 'email']));
  if (!address) errors.push(userError('REQUIRED', 'Enter the address to deliver to', ['input', 'shippingAddress']));
  else {
    if (!addresseeOf(address)) errors.push(userError('REQUIRED', 'Enter the name to deliver to', ['input', 'shippingAddress', 'name']));
    const region = regionOf(address);
    const destination = await readDestination(tx, address.countryCode, region);
    const named = regionNameProblem(destination, address, ['input', 'shippingAddress', 'province']);
    if (named) errors.push(named);
    else if (!destination.zoned) {
      const where = region ? `${region} in ${address.countryCode}` : address.countryCode;
      errors.push(
        userError('UNSUPPORTED_COUNTRY', `We do not deliver to ${where}`, ['input', 'shippingAddress', region ? 'province' : 'countryCode']),
      );
    }
  }
  return { email, address, errors, stored: cart };
}

/**
 * Write what the input supplied onto the cart (so the cart, its options and its cost are those of
 * the checkout), keeping the chosen delivery option when the address still offers it.
 */
export async function applyCheckoutBuyer(
  tx: EntityManager,
  cartId: string,
  input: CheckoutInput,
  buyer: CheckoutBuyer,
  pricing: CartPricing,
): Promise<void> {
  if (!input.email && !input.shippingAddress) return;
  const before = buyer.stored;
  await setBuyer(tx, cartId, {
    email: buyer.email,
    ...(input.shippingAddress && buyer.address
      ? { deliveryAddress: buyer.address, countryCode: buyer.address.countryCode, addressFromDefault: false }
      : {}),
  });
  if (input.shippingAddress) await keepOrReselect({ pricing }, tx, cartId, before);
}
