import { ForbiddenError, UnauthenticatedError, userError, type Identity, type ProductLookupItem } from '@shop/platform';
import { copyOfLine, deleteLines, insertLine, linesOf } from '../data/cart-line.repository.ts';
import { expireCart, lockCart, touchCart } from '../data/cart.repository.ts';
import { notesOf, setAttributes, setNote } from '../data/cart-note.repository.ts';
import { mergeNoteAndAttributes } from './cart-note-input.ts';
import { cartStatusPhrase, clampToAvailable, itemLabel, mergeCarts, type MergeStrategy } from './cart-rules.ts';
import { refreshAfterCommit, type CartResult, type CartWarning } from './cart-mutation.ts';
import { clampedWarning, type LineDeps } from './cart-lines.ts';
import { catalogOrSnapshot } from './catalog-snapshot.ts';
import type { CartView } from './cart-view.ts';

/**
 * After login: fold a guest cart into the signed-in customer's active cart, in one transaction
 * (both carts locked in id order so two merges cannot deadlock). A failure midway rolls back
 * both. The guest cart ends EXPIRED; quantities of the same product add up within limits and
 * what is available; the note and attributes follow the same strategy (mergeNoteAndAttributes). Without the catalog, every line keeps its snapshot (price, name,
 * availability and when the catalog last confirmed it).
 */
export async function mergeGuestCart(
  deps: LineDeps & { activeCartOf: (customerId: string) => Promise<CartView> },
  identity: Identity,
  guestCartId: string,
  strategy: MergeStrategy,
): Promise<CartResult> {
  if (!identity.sub) throw new UnauthenticatedError('Sign in to merge a guest cart');
  const customerCartId = (await deps.activeCartOf(identity.sub)).id;
  if (customerCartId === guestCartId) return { cart: await deps.current(customerCartId), userErrors: [], warnings: [] };

  const guestLines = await linesOf(deps.em, [guestCartId]);
  const variants =
    (guestLines.length
      ? await catalogOrSnapshot(
          deps.lookup,
          guestLines.map((l) => l.variantId),
        )
      : null) ?? new Map<string, ProductLookupItem>();

  const warnings: CartWarning[] = [];
  const merged = await deps.transaction(async ({ em: tx, afterCommit }) => {
    const [first, second] = [customerCartId, guestCartId].sort();
    const locked = new Map([
      [first!, await lockCart(tx, first!)],
      [second!, await lockCart(tx, second!)],
    ]);
    const guest = locked.get(guestCartId);
    const customer = locked.get(customerCartId)!;
    // Only a guest cart can be merged; someone else's cart gets the same answer as no cart.
    if (!guest || guest.customerId !== null) throw new ForbiddenError('Cart not found or not yours');
    if (guest.status !== 'ACTIVE') return userError('CART_NOT_ACTIVE', `${cartStatusPhrase(guest.status, 'The guest')}`, ['guestCartId']);
    if (customer.status !== 'ACTIVE') return userError('CART_NOT_ACTIVE', `${cartStatusPhrase(customer.status, 'Your')}`, []);

    const rows = await linesOf(tx, [guestCartId, customerCartId]);
    const of = (id: string) => new Map(rows.filter((r) => r.cart.id === id).map((r) => [r.variantId, r.quantity]));
    const outcome = mergeCarts(of(customerCartId), of(guestCartId), strategy);
    const labelOf = (variantId: string) => {
      const row = rows.find((r) => r.variantId === variantId)!;
      return itemLabel(row.name, row.variantTitle);
    };
    for (const variantId of outcome.dropped)
      warnings.push({ code: 'QUANTITY_CLAMPED', message: `Your cart is full; ${labelOf(variantId)} was left out`, target: variantId });

    if (strategy !== 'KEEP_CUSTOMER') {
      const fromGuest = new Set(of(guestCartId).keys());
      await deleteLines(tx, customerCartId);
      for (const [variantId, wanted] of outcome.quantities) {
        const variant = fromGuest.has(variantId) ? variants.get(variantId) : undefined;
        // Lines only the customer had keep their snapshot; guest variants are re-priced.
        const available = variant ? (variant.available && !variant.variantRequired ? variant.availableQuantity : 0) : wanted;
        const { quantity, clamped } = clampToAvailable(wanted, available);
        if (clamped) warnings.push(clampedWarning(variantId, labelOf(variantId), quantity));
        if (quantity === 0) continue;
        const snapshot = rows.find((r) => r.variantId === variantId)!;
        await insertLine(
          tx,
          variant
            ? {
                cartId: customerCartId,
                variantId,
                productId: variant.productId,
                quantity,
                unitPriceAmount: variant.priceAmount,
                name: variant.name,
                sku: variant.sku,
                variantTitle: variant.title,
                selectedOptions: variant.selectedOptions,
                categoryIds: variant.categoryIds ?? [],
                available: true,
                discontinued: false,
                pricedAt: 'now',
              }
            : copyOfLine(snapshot, customerCartId, quantity),
        );
      }
    }
    const notes = await notesOf(tx, [customerCartId, guestCartId]);
    const kept = mergeNoteAndAttributes(notes.get(customerCartId)!, notes.get(guestCartId)!, strategy);
    await setNote(tx, customerCartId, kept.note);
    await setAttributes(tx, customerCartId, kept.attributes);
    await expireCart(tx, guestCartId);
    await touchCart(tx, customerCartId, deps.expiresAt(true));
    refreshAfterCommit(deps, afterCommit, guestCartId);
    return { answer: refreshAfterCommit(deps, afterCommit, customerCartId) };
  });
  if ('code' in merged) return { cart: await deps.current(customerCartId), userErrors: [merged], warnings: [] };
  return { cart: await merged.answer(), userErrors: [], warnings };
}
