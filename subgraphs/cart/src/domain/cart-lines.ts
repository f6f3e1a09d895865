import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, userError, type Identity, type ProductLookupItem, type UserError } from '@shop/platform';
import {
  deleteLine,
  deleteLines,
  lineQuantities,
  linesOf,
  setLineQuantity,
  setLineUnavailable,
  setVariantQuantity,
  upsertPricedLine,
} from '../data/cart-line.repository.ts';
import type { CartLine } from '../data/cart.entity.ts';
import { clampToAvailable, isValidQuantity, itemLabel, MAX_LINES, MAX_QUANTITY, mergeRequestedLines } from './cart-rules.ts';
import {
  mutateCart,
  refuse,
  unchanged,
  type CartMutationDeps,
  type CartResult,
  type CartWarning,
  type LockedCart,
  type NewCart,
} from './cart-mutation.ts';
import { catalogNeededForNewProduct, catalogOrSnapshot, type ProductLookup } from './catalog-snapshot.ts';

/** The quantity was cut to what is available (`limit`: to the most one line may hold). */
export const clampedWarning = (variantId: string, label: string, quantity: number, limit = false): CartWarning => ({
  code: 'QUANTITY_CLAMPED',
  message: limit
    ? `At most ${MAX_QUANTITY} of ${label} fit in one line; the quantity was reduced to ${quantity}`
    : quantity === 0
      ? `${label} is out of stock; it was left out`
      : `Only ${quantity} of ${label} ${quantity === 1 ? 'is' : 'are'} available; the quantity was reduced to ${quantity}`,
  target: variantId,
});

/** A line kept although the catalog no longer sells it (or has none left), said in words. */
const unavailableWarning = (lineId: string, label: string, discontinued: boolean): CartWarning => ({
  code: 'PRODUCT_UNAVAILABLE',
  message: discontinued ? `${label} is no longer sold` : `${label} is out of stock`,
  target: lineId,
});

/** A line as the client sends it: `merchandiseId` (a variant id), or the deprecated `productId`. */
export interface LineInput {
  merchandiseId?: string | null;
  productId?: string | null;
  quantity: number;
}

/** A line to add: the variant, how many, and the input field that named it (for userErrors). */
interface RequestedLine {
  /** Its position in the input. */
  index: number;
  variantId: string;
  quantity: number;
  field: 'merchandiseId' | 'productId';
}

/** Each line names exactly one well-formed id and a valid quantity; every problem at once. */
function readLines(lines: readonly LineInput[]): { requested: RequestedLine[]; errors: UserError[] } {
  const errors: UserError[] = [];
  const requested: RequestedLine[] = [];
  lines.forEach((line, i) => {
    const at = (field: string) => ['lines', String(i), field];
    if (!isValidQuantity(line.quantity))
      errors.push(userError('INVALID_QUANTITY', `Quantity must be a whole number from 1 to ${MAX_QUANTITY}`, at('quantity')));
    if (line.merchandiseId != null && line.productId != null) {
      errors.push(userError('INVALID', 'Choose one item per line (merchandiseId or productId, not both)', at('productId')));
      return;
    }
    const field = line.merchandiseId != null ? 'merchandiseId' : 'productId';
    const id = line.merchandiseId ?? line.productId;
    if (id == null) errors.push(userError('REQUIRED', 'Choose the item to add (merchandiseId)', at('merchandiseId')));
    else if (!isUuid(id)) errors.push(userError('UNKNOWN_PRODUCT', 'This product does not exist', at(field)));
    else requested.push({ index: i, variantId: id, quantity: line.quantity, field });
  });
  return { requested, errors };
}

export interface LineDeps extends CartMutationDeps {
  lookup: ProductLookup;
}

/**
 * The catalog cannot be reached: more of a product the cart already holds is added from that
 * line's snapshot (its price and name stay; the catalog checks stock when the order reserves it).
 * A product the cart does not hold yet needs the catalog: SERVICE_UNAVAILABLE, nothing changes.
 */
async function addFromSnapshot(tx: EntityManager, cartId: string, lines: readonly RequestedLine[]): Promise<CartWarning[]> {
  const rows = await linesOf(tx, [cartId]);
  const held = new Map(rows.map((row) => [row.variantId, row]));
  if (lines.some((line) => !held.has(line.variantId))) throw catalogNeededForNewProduct();
  const unavailable = lines.flatMap((line, i) => {
    const row = held.get(line.variantId)!;
    const at = ['lines', String(i), line.field];
    const label = itemLabel(row.name, row.variantTitle);
    if (row.discontinued) return [userError('NO_LONGER_SOLD', `${label} is no longer sold`, at)];
    return row.available ? [] : [userError('OUT_OF_STOCK', `${label} is out of stock`, at)];
  });
  if (unavailable.length) refuse(...unavailable);
  const warnings: CartWarning[] = [];
  for (const [variantId, quantity] of mergeRequestedLines(lines)) {
    const row = held.get(variantId)!;
    const wanted = Math.min(row.quantity + quantity, MAX_QUANTITY);
    if (wanted < row.quantity + quantity) warnings.push(clampedWarning(variantId, itemLabel(row.name, row.variantTitle), wanted, true));
    await setVariantQuantity(tx, cartId, variantId, wanted);
  }
  return warnings;
}

/** Set quantities from the lines' snapshots (the catalog cannot be reached); 0 removes. */
async function updateFromSnapshot(
  tx: EntityManager,
  lines: ReadonlyArray<{ id: string; quantity: number }>,
  rowOf: Map<string, CartLine>,
): Promise<CartWarning[]> {
  const warnings: CartWarning[] = [];
  for (const line of lines) {
    if (line.quantity === 0) {
      await deleteLine(tx, line.id);
      continue;
    }
    await setLineQuantity(tx, line.id, line.quantity);
    const row = rowOf.get(line.id)!;
    if (!row.available) warnings.push(unavailableWarning(line.id, itemLabel(row.name, row.variantTitle), row.discontinued));
  }
  return warnings;
}

/**
 * Add variants (`merchandiseId`; the deprecated `productId` means a product's only variant): prices
 * and names come from the catalog, never the client. Unknown ids, a product sold in several
 * variants (VARIANT_REQUIRED) and bad quantities are refused (nothing changes); more than
 * available is clamped with a warning. The same variant again adds up; two sizes are two lines.
 * Without the catalog, only variants the cart already holds can be added (see addFromSnapshot).
 * `newCart`: the cart does not exist yet and this call makes it (cartCreate with lines).
 */
export async function addLines(
  deps: LineDeps,
  cartId: string,
  identity: Identity,
  lines: readonly LineInput[],
  expectedVersion?: number | null,
  newCart?: NewCart,
): Promise<CartResult> {
  if (lines.length === 0) return unchanged(deps, cartId, identity);
  const { requested, errors } = readLines(lines);
  // Well-formed ids are looked up even when another line is wrong: the answer names every problem.
  const variants = requested.length
    ? await catalogOrSnapshot(
        deps.lookup,
        requested.map((l) => l.variantId),
      )
    : new Map<string, ProductLookupItem>();
  if (!variants) {
    if (errors.length) return mutateCart(deps, cartId, identity, expectedVersion, async () => refuse(...errors), newCart);
    return mutateCart(deps, cartId, identity, expectedVersion, (tx, cart) => addFromSnapshot(tx, cart.id, requested), newCart);
  }
  for (const line of requested) {
    const at = ['lines', String(line.index), line.field];
    const variant = variants.get(line.variantId);
    if (variant?.variantRequired)
      errors.push(userError('VARIANT_REQUIRED', `${variant.name} comes in several options (such as size or colour): choose one`, at));
    else if (!variant) errors.push(userError('UNKNOWN_PRODUCT', 'This product does not exist', at));
    else if (!variant.available) errors.push(userError('NO_LONGER_SOLD', `${itemLabel(variant.name, variant.title)} is no longer sold`, at));
    else if (variant.availableQuantity <= 0) errors.push(userError('OUT_OF_STOCK', `${itemLabel(variant.name, variant.title)} is out of stock`, at));
  }
  // Ordered by line, as the client sent them.
  errors.sort((a, b) => Number(a.field?.[1] ?? -1) - Number(b.field?.[1] ?? -1));

  const addPriced = async (tx: EntityManager, cart: LockedCart): Promise<CartWarning[]> => {
    const wantedMore = mergeRequestedLines(requested);
    // A cart inserted by this transaction holds nothing yet.
    const existing = newCart ? [] : await lineQuantities(tx, cart.id);
    const current = new Map(existing.map((row) => [row.variantId, row.quantity]));
    const newLines = [...wantedMore.keys()].filter((id) => !current.has(id)).length;
    if (current.size + newLines > MAX_LINES) errors.push(userError('TOO_MANY_LINES', `A cart holds at most ${MAX_LINES} lines`, ['lines']));
    if (errors.length) return refuse(...errors);
    const warnings: CartWarning[] = [];
    for (const [variantId, quantity] of wantedMore) {
      const variant = variants.get(variantId)!;
      const label = itemLabel(variant.name, variant.title);
      const asked = (current.get(variantId) ?? 0) + quantity;
      const wanted = Math.min(asked, MAX_QUANTITY);
      const { quantity: allowed, clamped } = clampToAvailable(wanted, variant.availableQuantity);
      if (clamped) warnings.push(clampedWarning(variantId, label, allowed));
      else if (wanted < asked) warnings.push(clampedWarning(variantId, label, allowed, true));
      await upsertPricedLine(tx, cart.id, variant, allowed);
    }
    return warnings;
  };
  return mutateCart(deps, cartId, identity, expectedVersion, addPriced, newCart);
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
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const rows = await linesOf(tx, [cart.id]);
    const rowOf = new Map(rows.map((r) => [r.id, r]));
    const variantOf = new Map(rows.map((r) => [r.id, r.variantId]));
    // Every problem at once: unknown lines and bad quantities, in input order.
    const errors = lines.flatMap((line, i) => [
      ...(variantOf.has(line.id) ? [] : [userError('NOT_FOUND', 'This line is not in your cart', ['lines', String(i), 'id'])]),
      ...(line.quantity === 0 || isValidQuantity(line.quantity)
        ? []
        : [userError('INVALID_QUANTITY', `Quantity must be a whole number from 0 to ${MAX_QUANTITY}`, ['lines', String(i), 'quantity'])]),
    ]);
    if (errors.length) refuse(...errors);
    const kept = lines.filter((l) => l.quantity > 0);
    const variants = kept.length
      ? await catalogOrSnapshot(
          deps.lookup,
          kept.map((l) => variantOf.get(l.id)!),
        )
      : new Map<string, ProductLookupItem>();
    if (!variants) return updateFromSnapshot(tx, lines, rowOf);
    const warnings: CartWarning[] = [];
    for (const line of lines) {
      if (line.quantity === 0) {
        await deleteLine(tx, line.id);
        continue;
      }
      const variant = variants.get(variantOf.get(line.id)!);
      if (!variant || !variant.available || variant.variantRequired) {
        // Gone from the catalog: keep the line visible as unavailable rather than failing the cart.
        await setLineUnavailable(tx, line.id, line.quantity);
        const row = rowOf.get(line.id)!;
        warnings.push(unavailableWarning(line.id, itemLabel(row.name, row.variantTitle), true));
        continue;
      }
      const { quantity, clamped } = clampToAvailable(line.quantity, variant.availableQuantity);
      if (clamped) warnings.push(clampedWarning(variant.id, itemLabel(variant.name, variant.title), quantity));
      if (quantity === 0) await deleteLine(tx, line.id);
      else await upsertPricedLine(tx, cart.id, variant, quantity);
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
      present.has(id) ? [] : [userError('NOT_FOUND', 'This line is not in your cart', ['lineIds', String(i)])],
    );
    if (unknown.length) refuse(...unknown);
    await deleteLines(tx, cart.id, lineIds);
  });
}

/** Empties the cart (cartLinesRemoveAll): every line goes; the note, attributes, codes and buyer stay. */
export function removeAllLines(deps: LineDeps, cartId: string, identity: Identity, expectedVersion?: number | null): Promise<CartResult> {
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    await deleteLines(tx, cart.id);
  });
}
