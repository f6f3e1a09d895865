import { raw } from '@mikro-orm/core';
import { isUuid, sql } from '@shop/platform';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CartLineSchema, type CartLine, type CartLineContent } from './cart.entity.ts';

/** What the catalog says of a variant, as a line stores it (a ProductLookupItem fits). */
export interface VariantSnapshot {
  /** The variant's id. */
  id: string;
  productId: string;
  sku: string;
  name: string;
  title: string;
  selectedOptions: Array<{ name: string; value: string }>;
  priceAmount: number;
  /** The product's category and its ancestors (absent from catalogs that did not send them: none). */
  categoryIds?: string[];
}

/** The variants a cart's lines buy. */
export async function cartVariantIds(em: EntityManager, cartId: string): Promise<string[]> {
  return (await lineQuantities(em, cartId)).map((l) => l.variantId);
}

/** Each line's variant and quantity (what adding lines needs to know of the lines already there). */
export async function lineQuantities(tx: EntityManager, cartId: string): Promise<Array<Pick<CartLine, 'variantId' | 'quantity'>>> {
  return (
    await sql<Pick<CartLine, 'variantId' | 'quantity'>>(tx, 'select variant_id as "variantId", quantity from cart_line where cart_id = $1', [cartId])
  ).rows;
}

/** A line as checkout checks it; `confirmed`: the catalog confirmed its price within the maximum age. */
export type CheckoutLine = Pick<
  CartLine,
  'id' | 'variantId' | 'quantity' | 'unitPriceAmount' | 'name' | 'variantTitle' | 'categoryIds' | 'available' | 'discontinued'
> & {
  confirmed: boolean;
};

export async function linesForCheckout(tx: EntityManager, cartId: string, maxAgeSeconds: number): Promise<CheckoutLine[]> {
  // Raw: the age is judged by the database clock, the one that wrote priced_at.
  const { rows } = await sql<CheckoutLine>(
    tx,
    `select id, variant_id as "variantId", quantity, unit_price_amount as "unitPriceAmount", name, variant_title as "variantTitle",
            category_ids as "categoryIds", available, discontinued, coalesce(priced_at >= now() - make_interval(secs => $1), false) as confirmed
       from cart_line where cart_id = $2 order by created_at, id`,
    [maxAgeSeconds, cartId],
  );
  return rows;
}

/** What the catalog said of the line: out of stock (`available` false) or no longer sold at all (`discontinued`). */
export async function setLineAvailable(tx: EntityManager, lineId: string, available: boolean, discontinued = false): Promise<void> {
  await sql(tx, 'update cart_line set available = $1, discontinued = $2 where id = $3', [available && !discontinued, discontinued, lineId]);
}

/** The catalog's new price, name and variant details, confirmed now. */
export async function repriceLine(tx: EntityManager, lineId: string, v: VariantSnapshot): Promise<void> {
  await sql(
    tx,
    `update cart_line set product_id = $2, unit_price_amount = $3, name = $4, sku = $5, variant_title = $6, selected_options = $7::jsonb,
            category_ids = $8::uuid[], priced_at = now(), updated_at = now()
      where id = $1`,
    [lineId, v.productId, v.priceAmount, v.name, v.sku, v.title, JSON.stringify(v.selectedOptions), v.categoryIds ?? []],
  );
}

/** The catalog has just confirmed these lines' price and name. */
export async function confirmLines(tx: EntityManager, lineIds: readonly string[]): Promise<void> {
  if (lineIds.length) await sql(tx, 'update cart_line set priced_at = now() where id = any($1::uuid[])', [lineIds]);
}

/** Every line of these carts (all columns). */
export function linesOf(tx: EntityManager, cartIds: readonly string[]): Promise<CartLine[]> {
  return tx.find(CartLineSchema, { cart: { $in: [...cartIds] } });
}

/** Write a line of a variant with the catalog's current details, confirmed now (insert, or replace the quantity). */
export async function upsertPricedLine(tx: EntityManager, cartId: string, variant: VariantSnapshot, quantity: number): Promise<void> {
  // Raw: `on conflict (cart_id, variant_id) do update`; clock_timestamp() keeps lines in the order they were added.
  await sql(
    tx,
    `insert into cart_line (id, cart_id, variant_id, product_id, quantity, unit_price_amount, name, sku, variant_title, selected_options,
                            category_ids, available, priced_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::uuid[], true, now(), clock_timestamp(), now())
     on conflict (cart_id, variant_id) do update
       set product_id = excluded.product_id, quantity = excluded.quantity, unit_price_amount = excluded.unit_price_amount, name = excluded.name,
           sku = excluded.sku, variant_title = excluded.variant_title, selected_options = excluded.selected_options,
           category_ids = excluded.category_ids, available = true,
           discontinued = false, priced_at = now(), updated_at = now()`,
    [
      crypto.randomUUID(),
      cartId,
      variant.id,
      variant.productId,
      quantity,
      variant.priceAmount,
      variant.name,
      variant.sku,
      variant.title,
      JSON.stringify(variant.selectedOptions),
      (variant.categoryIds ?? []).filter(isUuid),
    ],
  );
}

/** A new line (a merge copies lines); clock_timestamp() keeps lines in the order they were added. */
export async function insertLine(
  tx: EntityManager,
  line: Pick<CartLine, CartLineContent> & {
    cartId: string;
    pricedAt: Date | null | 'now';
  },
): Promise<void> {
  const { cartId, pricedAt, ...rest } = line;
  await tx.insert(CartLineSchema, {
    ...rest,
    id: crypto.randomUUID(),
    cart: cartId,
    pricedAt: pricedAt === 'now' ? raw('now()') : pricedAt,
    createdAt: raw('clock_timestamp()'),
    updatedAt: raw('now()'),
  });
}

/** A copy of `line` for another cart, with its snapshot (price, availability, when the catalog last confirmed it). */
export function copyOfLine(line: CartLine, cartId: string, quantity: number): Parameters<typeof insertLine>[1] {
  return {
    cartId,
    variantId: line.variantId,
    productId: line.productId,
    quantity,
    unitPriceAmount: line.unitPriceAmount,
    name: line.name,
    sku: line.sku ?? null,
    variantTitle: line.variantTitle ?? null,
    selectedOptions: line.selectedOptions,
    categoryIds: line.categoryIds,
    available: line.available,
    discontinued: line.discontinued,
    pricedAt: line.pricedAt ?? null,
  };
}

export async function setLineQuantity(tx: EntityManager, lineId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { quantity, updatedAt: raw('now()') });
}

export async function setVariantQuantity(tx: EntityManager, cartId: string, variantId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { cart: cartId, variantId }, { quantity, updatedAt: raw('now()') });
}

/** The catalog no longer sells the variant: the line stays, unavailable (discontinued), with the quantity asked for. */
export async function setLineUnavailable(tx: EntityManager, lineId: string, quantity: number): Promise<void> {
  await tx.nativeUpdate(CartLineSchema, { id: lineId }, { quantity, available: false, discontinued: true, updatedAt: raw('now()') });
}

export async function deleteLine(tx: EntityManager, lineId: string): Promise<void> {
  await tx.nativeDelete(CartLineSchema, { id: lineId });
}

/** These lines of the cart, or all of them when `lineIds` is undefined. */
export async function deleteLines(tx: EntityManager, cartId: string, lineIds?: readonly string[]): Promise<void> {
  await tx.nativeDelete(CartLineSchema, lineIds ? { cart: cartId, id: { $in: [...lineIds] } } : { cart: cartId });
}
