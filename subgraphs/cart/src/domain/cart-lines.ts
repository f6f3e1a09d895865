import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, userError, type Identity, type ProductLookupItem, type UserError } from '@shop/platform';
import {
  deleteLine,
  deleteLines,
  linesOf,
  setLineQuantity,
  setLineUnavailable,
  setProductQuantity,
  upsertPricedLine,
} from '../data/cart-line.repository.ts';
import { clampToAvailable, isValidQuantity, MAX_LINES, MAX_QUANTITY, mergeRequestedLines } from './cart-rules.ts';
import { mutateCart, refuse, unchanged, type CartMutationDeps, type CartResult, type CartWarning } from './cart-mutation.ts';
import { catalogNeededForNewProduct, catalogOrSnapshot, type ProductLookup } from './catalog-snapshot.ts';

const clampedWarning = (productId: string, quantity: number): CartWarning => ({
  code: 'QUANTITY_CLAMPED',
  message: `Only ${quantity} available; the quantity was reduced`,
  target: productId,
});

export interface LineDeps extends CartMutationDeps {
  lookup: ProductLookup;
}

/**
 * The catalog cannot be reached: more of a product the cart already holds is added from that
 * line's snapshot (its price and name stay; the catalog checks stock when the order reserves it).
 * A product the cart does not hold yet needs the catalog: SERVICE_UNAVAILABLE, nothing changes.
 */
async function addFromSnapshot(
  tx: EntityManager,
  cartId: string,
  lines: ReadonlyArray<{ productId: string; quantity: number }>,
): Promise<CartWarning[]> {
  const rows = await linesOf(tx, [cartId]);
  const held = new Map(rows.map((row) => [row.productId, row]));
  if (lines.some((line) => !held.has(line.productId))) throw catalogNeededForNewProduct();
  const unavailable = lines.flatMap((line, i) =>
    held.get(line.productId)!.available
      ? []
      : [userError('OUT_OF_STOCK', `${held.get(line.productId)!.name} is not available`, ['lines', String(i), 'productId'])],
  );
  if (unavailable.length) refuse(...unavailable);
  const warnings: CartWarning[] = [];
  for (const [productId, quantity] of mergeRequestedLines(lines)) {
    const current = held.get(productId)!.quantity;
    const wanted = Math.min(current + quantity, MAX_QUANTITY);
    if (wanted < current + quantity) warnings.push(clampedWarning(productId, wanted));
    await setProductQuantity(tx, cartId, productId, wanted);
  }
  return warnings;
}

/** Set quantities from the lines' snapshots (the catalog cannot be reached); 0 removes. */
async function updateFromSnapshot(
  tx: EntityManager,
  lines: ReadonlyArray<{ id: string; quantity: number }>,
  availableOf: Map<string, boolean>,
): Promise<CartWarning[]> {
  const warnings: CartWarning[] = [];
  for (const line of lines) {
    if (line.quantity === 0) {
      await deleteLine(tx, line.id);
      continue;
    }
    await setLineQuantity(tx, line.id, line.quantity);
    if (!availableOf.get(line.id)) warnings.push({ code: 'PRODUCT_UNAVAILABLE', message: 'This product is no longer sold', target: line.id });
  }
  return warnings;
}

/**
 * Add products: prices and names come from the catalog, never the client. Unknown products and bad
 * quantities are refused (nothing changes); more than available is clamped with a warning. Without
 * the catalog, only products the cart already holds can be added (see addFromSnapshot).
 */
export async function addLines(
  deps: LineDeps,
  cartId: string,
  identity: Identity,
  lines: ReadonlyArray<{ productId: string; quantity: number }>,
  expectedVersion?: number | null,
): Promise<CartResult> {
  if (lines.length === 0) return unchanged(deps, cartId, identity);
  const errors: UserError[] = [];
  lines.forEach((line, i) => {
    if (!isValidQuantity(line.quantity))
      errors.push(userError('INVALID_QUANTITY', `Quantity must be a whole number from 1 to ${MAX_QUANTITY}`, ['lines', String(i), 'quantity']));
    if (!isUuid(line.productId)) errors.push(userError('UNKNOWN_PRODUCT', 'No such product', ['lines', String(i), 'productId']));
  });
  if (errors.length) return mutateCart(deps, cartId, identity, expectedVersion, async () => refuse(...errors));
  const products = await catalogOrSnapshot(
    deps.lookup,
    lines.map((l) => l.productId),
  );
  if (!products) return mutateCart(deps, cartId, identity, expectedVersion, (tx, cart) => addFromSnapshot(tx, cart.id, lines));
  lines.forEach((line, i) => {
    const product = products.get(line.productId);
    if (!product || !product.available) errors.push(userError('UNKNOWN_PRODUCT', 'No such product for sale', ['lines', String(i), 'productId']));
    else if (product.availableQuantity <= 0)
      errors.push(userError('OUT_OF_STOCK', `${product.name} is out of stock`, ['lines', String(i), 'productId']));
  });
  if (errors.length) return mutateCart(deps, cartId, identity, expectedVersion, async () => refuse(...errors));

  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const requested = mergeRequestedLines(lines);
    const existing = await linesOf(tx, [cart.id]);
    const current = new Map(existing.map((row) => [row.productId, row.quantity]));
    const newProducts = [...requested.keys()].filter((id) => !current.has(id)).length;
    if (current.size + newProducts > MAX_LINES) refuse(userError('TOO_MANY_LINES', `A cart holds at most ${MAX_LINES} lines`, ['lines']));
    const warnings: CartWarning[] = [];
    for (const [productId, quantity] of requested) {
      const product = products.get(productId)!;
      const wanted = Math.min((current.get(productId) ?? 0) + quantity, MAX_QUANTITY);
      const { quantity: allowed, clamped } = clampToAvailable(wanted, product.availableQuantity);
      if (clamped || wanted < (current.get(productId) ?? 0) + quantity) warnings.push(clampedWarning(productId, allowed));
      await upsertPricedLine(tx, cart.id, product, allowed);
    }
    return warnings;
  });
}

/** Set quantities of existing lines; 0 removes. Unknown line ids are refused. Without the catalog: from the snapshot. */
export async function updateLines(
  deps: LineDeps,
  cartId: string,
  identity: Identity,
  lines: ReadonlyArray<{ id: string; quantity: number }>,
  expectedVersion?: number | null,
): Promise<CartResult> {
  if (lines.length === 0) return unchanged(deps, cartId, identity);
  const errors = lines.flatMap((line, i) =>
    line.quantity === 0 || isValidQuantity(line.quantity)
      ? []
      : [userError('INVALID_QUANTITY', `Quantity must be a whole number from 0 to ${MAX_QUANTITY}`, ['lines', String(i), 'quantity'])],
  );
  if (errors.length) return mutateCart(deps, cartId, identity, expectedVersion, async () => refuse(...errors));
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const rows = await linesOf(tx, [cart.id]);
    const productOf = new Map(rows.map((r) => [r.id, r.productId]));
    const unknown = lines.flatMap((line, i) =>
      productOf.has(line.id) ? [] : [userError('NOT_FOUND', 'No such line in this cart', ['lines', String(i), 'id'])],
    );
    if (unknown.length) refuse(...unknown);
    const kept = lines.filter((l) => l.quantity > 0);
    const products = kept.length
      ? await catalogOrSnapshot(
          deps.lookup,
          kept.map((l) => productOf.get(l.id)!),
        )
      : new Map<string, ProductLookupItem>();
    if (!products) return updateFromSnapshot(tx, lines, new Map(rows.map((r) => [r.id, r.available])));
    const warnings: CartWarning[] = [];
    for (const line of lines) {
      if (line.quantity === 0) {
        await deleteLine(tx, line.id);
        continue;
      }
      const product = products.get(productOf.get(line.id)!);
      if (!product || !product.available) {
        // Gone from the catalog: keep the line visible as unavailable rather than failing the cart.
        await setLineUnavailable(tx, line.id, line.quantity);
        warnings.push({ code: 'PRODUCT_UNAVAILABLE', message: 'This product is no longer sold', target: line.id });
        continue;
      }
      const { quantity, clamped } = clampToAvailable(line.quantity, product.availableQuantity);
      if (clamped) warnings.push(clampedWarning(product.id, quantity));
      if (quantity === 0) await deleteLine(tx, line.id);
      else await upsertPricedLine(tx, cart.id, product, quantity);
    }
    return warnings;
  });
}

export async function removeLines(
  deps: LineDeps,
  cartId: string,
  identity: Identity,
  lineIds: readonly string[],
  expectedVersion?: number | null,
): Promise<CartResult> {
  if (lineIds.length === 0) return unchanged(deps, cartId, identity);
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const rows = await linesOf(tx, [cart.id]);
    const present = new Set(rows.map((r) => r.id));
    const unknown = lineIds.flatMap((id, i) =>
      present.has(id) ? [] : [userError('NOT_FOUND', 'No such line in this cart', ['lineIds', String(i)])],
    );
    if (unknown.length) refuse(...unknown);
    await deleteLines(tx, cart.id, lineIds);
  });
}
