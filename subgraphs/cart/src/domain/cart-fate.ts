import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderStatusChanged } from '@shop/platform';

/**
 * The cart follows its order: CONFIRMED → cart CHECKED_OUT, checkout COMPLETED; REJECTED or
 * PAYMENT_FAILED → cart back to ACTIVE, checkout FAILED, discount usage given back. Runs in the
 * inbox transaction, so a redelivered event changes nothing twice; a checkout that already ended
 * is left alone. Returns the cart id when the cart changed.
 */
export async function applyOrderStatus(tx: EntityManager, event: OrderStatusChanged): Promise<string | null> {
  const [checkout] = await tx.execute<Array<{ id: string; cart_id: string; status: string; discount_codes: string[] }>>(
    'select id, cart_id, status, discount_codes from checkout where id = ? for update',
    [event.orderId],
  );
  if (!checkout || checkout.status !== 'PENDING') return null;
  if (event.status === 'CONFIRMED') {
    await tx.execute(`update checkout set status = 'COMPLETED', updated_at = now() where id = ?`, [checkout.id]);
    await tx.execute(`update cart set status = 'CHECKED_OUT', version = version + 1, updated_at = now() where id = ? and status = 'CHECKING_OUT'`, [
      checkout.cart_id,
    ]);
    return checkout.cart_id;
  }
  if (event.status === 'REJECTED' || event.status === 'PAYMENT_FAILED' || event.status === 'CANCELLED') {
    await tx.execute(`update checkout set status = 'FAILED', updated_at = now() where id = ?`, [checkout.id]);
    // Cart before discount codes: the order a checkout takes them in.
    await tx.execute(`update cart set status = 'ACTIVE', version = version + 1, updated_at = now() where id = ? and status = 'CHECKING_OUT'`, [
      checkout.cart_id,
    ]);
    if (checkout.discount_codes.length) {
      await tx.execute('update discount_code set usage_count = greatest(usage_count - 1, 0), updated_at = now() where code in (?)', [
        checkout.discount_codes,
      ]);
    }
    return checkout.cart_id;
  }
  return null;
}

/**
 * Idle carts expire: ACTIVE carts past expires_at become EXPIRED (read-only). Claims a batch with
 * SKIP LOCKED so several cart processes can sweep side by side. Returns the ids it expired.
 */
export async function expireIdleCarts(em: EntityManager, limit = 500): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update cart set status = 'EXPIRED', version = version + 1, updated_at = now()
      where id in (select id from cart where status = 'ACTIVE' and expires_at < now() order by expires_at limit ? for update skip locked)
      returning id`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Follow the catalog (product.changed): a product that stopped being sold (or ran out) shows as
 * `available: false` in every active cart that holds it, and available again when it comes back.
 * A line whose price the catalog changed keeps the price the shopper saw (checkout answers
 * PRICE_CHANGED) but is no longer confirmed, so a checkout without the catalog cannot sell it at
 * the old price. Returns the carts whose view changed (versions bumped so subscribers see it).
 */
export async function applyProductChange(
  tx: EntityManager,
  change: { productId: string; available: boolean; priceAmount: number },
): Promise<string[]> {
  const { productId, available, priceAmount } = change;
  // Carts first, in id order, then their lines: the order every cart mutation locks in (a
  // checkout holds its cart and then writes its lines), so the two can never deadlock.
  const carts = await tx.execute<Array<{ id: string }>>(
    `select c.id from cart c
      where c.status = 'ACTIVE' and exists (select 1 from cart_line l where l.cart_id = c.id and l.product_id = ?
                                              and (l.available <> ? or (l.priced_at is not null and l.unit_price_amount <> ?)))
      order by c.id for update`,
    [productId, available, priceAmount],
  );
  if (carts.length === 0) return [];
  await tx.execute(
    `update cart_line set priced_at = null where cart_id in (?) and product_id = ? and priced_at is not null and unit_price_amount <> ?`,
    [carts.map((c) => c.id), productId, priceAmount],
  );
  const rows = await tx.execute<Array<{ cart_id: string }>>(
    `update cart_line l set available = ?, updated_at = now()
       from cart c
      where l.cart_id = c.id and c.id in (?) and c.status = 'ACTIVE' and l.product_id = ? and l.available <> ?
      returning l.cart_id`,
    [available, carts.map((c) => c.id), productId, available],
  );
  const cartIds = [...new Set(rows.map((r) => r.cart_id))];
  if (cartIds.length) await tx.execute('update cart set version = version + 1, updated_at = now() where id in (?)', [cartIds]);
  return cartIds;
}
