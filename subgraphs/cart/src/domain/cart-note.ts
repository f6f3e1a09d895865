import type { Identity } from '@shop/platform';
import { setAttributes, setNote } from '../data/cart-note.repository.ts';
import { readAttributes, readNote } from './cart-note-input.ts';
import { mutateCart, refuse, type CartMutationDeps, type CartResult } from './cart-mutation.ts';

/**
 * The cart's note (a gift message): trimmed, at most MAX_NOTE_LENGTH characters, an empty one
 * clears it. Like every cart mutation: one version up, live views refreshed, CONFLICT on a stale
 * expectedVersion. It goes with the checkout into the order.
 */
export function updateNote(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  note: string,
  expectedVersion?: number | null,
): Promise<CartResult> {
  const read = readNote(note);
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    if (!read.ok) return refuse(...read.userErrors);
    await setNote(tx, cart.id, read.value);
  });
}

/** Replaces the cart's attributes (key/value pairs the storefront sets); an empty list clears them. */
export function updateAttributes(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  attributes: ReadonlyArray<{ key: string; value?: string | null }>,
  expectedVersion?: number | null,
): Promise<CartResult> {
  const read = readAttributes(attributes);
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    if (!read.ok) return refuse(...read.userErrors);
    await setAttributes(tx, cart.id, read.value);
  });
}
