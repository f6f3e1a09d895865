import type { EntityManager } from '@mikro-orm/postgresql';
import { CartLineSchema, CartSchema, type Cart, type CartLine, type CartStatus } from './cart.entity.ts';
import type { CartView } from '../domain/cart-view.ts';
import { computeTotals, type Discount } from '../domain/totals.ts';

interface CartRow {
  id: string;
  customer_id: string | null;
  status: CartStatus;
  version: number;
  currency: string;
  email: string | null;
  country_code: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

interface DiscountRow {
  code: string;
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT' | null;
  value: number | null;
  minimum_subtotal: number | null;
  usable: boolean | null;
}

export interface ShippingCountryRow {
  country_code: string;
  tax_basis_points: number;
  shipping_amount: number;
  free_shipping_over: number | null;
}

// Raw queries return timestamps as strings (MikroORM leaves them unparsed); normalise to ISO-8601 UTC.
const iso = (d: Date | string) => new Date(d).toISOString();

/** Lock a cart row for the rest of the transaction: changes to one cart are applied one at a time. */
export async function lockCart(tx: EntityManager, id: string): Promise<CartRow | null> {
  const [row] = await tx.execute<CartRow[]>('select * from cart where id = ? for update', [id]);
  return row ?? null;
}

/**
 * The whole cart as one value: lines, codes, totals. Four small queries by primary key or
 * index; reads from the transaction when given one so a mutation returns what it committed.
 */
export async function loadCartView(em: EntityManager, id: string): Promise<CartView | null> {
  const [cart] = await em.execute<CartRow[]>('select * from cart where id = ?', [id]);
  if (!cart) return null;
  const lines = await em.execute<
    Array<{ id: string; product_id: string; quantity: number; unit_price_amount: number; name: string; available: boolean; created_at: Date }>
  >('select id, product_id, quantity, unit_price_amount, name, available, created_at from cart_line where cart_id = ? order by created_at, id', [id]);
  const codes = await em.execute<DiscountRow[]>(
    `select c.code, d.kind, d.value, d.minimum_subtotal,
            (d.active and (d.expires_at is null or d.expires_at > now()) and (d.usage_limit is null or d.usage_count < d.usage_limit)) as usable
       from cart_discount_code c left join discount_code d on d.code = c.code
      where c.cart_id = ? order by c.position`,
    [id],
  );
  const [country] = cart.country_code
    ? await em.execute<ShippingCountryRow[]>('select * from shipping_country where country_code = ?', [cart.country_code])
    : [];
  const usable = codes.filter((c) => c.usable && c.kind && c.value !== null);
  const discounts: Discount[] = usable.map((c) =>
    c.kind === 'PERCENTAGE'
      ? { code: c.code, kind: 'PERCENTAGE', basisPoints: c.value!, minimumSubtotal: c.minimum_subtotal }
      : { code: c.code, kind: 'FIXED', amount: c.value!, minimumSubtotal: c.minimum_subtotal },
  );
  const totals = computeTotals({
    lines: lines.map((l) => ({ unitPrice: l.unit_price_amount, quantity: l.quantity, available: l.available })),
    discounts,
    shipping: country ? { amount: country.shipping_amount, freeOver: country.free_shipping_over } : null,
    taxBasisPoints: country?.tax_basis_points ?? 0,
  });
  return {
    id: cart.id,
    customerId: cart.customer_id,
    status: cart.status,
    version: cart.version,
    currency: cart.currency,
    email: cart.email,
    countryCode: cart.country_code,
    createdAt: iso(cart.created_at),
    updatedAt: iso(cart.updated_at),
    expiresAt: iso(cart.expires_at),
    lines: lines.map((l) => ({
      id: l.id,
      productId: l.product_id,
      quantity: l.quantity,
      unitPriceAmount: l.unit_price_amount,
      name: l.name,
      available: l.available,
      createdAt: iso(l.created_at),
    })),
    discountCodes: codes.map((c) => ({ code: c.code, applicable: Boolean(c.usable) && !totals.inapplicableCodes.includes(c.code) })),
    totals,
  };
}

/** Record a committed change: version + 1, fresh timestamps, idle expiry pushed forward. */
export async function touchCart(tx: EntityManager, id: string, expiresAt: Date): Promise<void> {
  await tx.execute('update cart set version = version + 1, updated_at = now(), expires_at = ? where id = ?', [expiresAt, id]);
}

/** Price and quantity of the cart's available lines (the subtotal discount minimums compare with). */
export function availableLineAmounts(tx: EntityManager, cartId: string): Promise<Array<Pick<CartLine, 'unitPriceAmount' | 'quantity'>>> {
  return tx.find(CartLineSchema, { cart: cartId, available: true }, { fields: ['unitPriceAmount', 'quantity'] });
}

/** Set the buyer's email and/or country; a field left undefined keeps its value. */
export async function setBuyer(tx: EntityManager, cartId: string, buyer: { email?: string | null; countryCode?: string | null }): Promise<void> {
  const data: Partial<Pick<Cart, 'email' | 'countryCode'>> = {};
  if (buyer.email !== undefined) data.email = buyer.email;
  if (buyer.countryCode !== undefined) data.countryCode = buyer.countryCode;
  if (Object.keys(data).length) await tx.nativeUpdate(CartSchema, { id: cartId }, data);
}
