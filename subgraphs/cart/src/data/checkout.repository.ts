import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CheckoutSchema, type Checkout } from './checkout.entity.ts';

export type CheckoutRecord = Pick<Checkout, 'id' | 'cartId' | 'customerId' | 'status'>;

const VIEW_FIELDS = ['id', 'cartId', 'customerId', 'status'] as const;

export function findCheckout(em: EntityManager, id: string): Promise<CheckoutRecord | null> {
  return em.findOne(CheckoutSchema, { id }, { fields: VIEW_FIELDS });
}

/** The checkout an idempotency key already made for this cart, if any. */
export function findCheckoutByKey(em: EntityManager, cartId: string, idempotencyKey: string): Promise<CheckoutRecord | null> {
  return em.findOne(CheckoutSchema, { cartId, idempotencyKey }, { fields: VIEW_FIELDS });
}

export async function insertCheckout(
  tx: EntityManager,
  checkout: { id: string; cartId: string; customerId: string | null; idempotencyKey: string; discountCodes: string[] },
): Promise<void> {
  await tx.insert(CheckoutSchema, { ...checkout, status: 'PENDING', createdAt: raw('now()'), updatedAt: raw('now()') });
}

/** Lock a checkout for the rest of the transaction (a redelivered order status waits, then sees the first one's result). */
export async function lockCheckout(tx: EntityManager, id: string): Promise<Pick<Checkout, 'id' | 'cartId' | 'status' | 'discountCodes'> | null> {
  // Raw: `for update` on a plain row (a managed entity would be flushed again at commit).
  const [row] = await tx.execute<Array<{ id: string; cart_id: string; status: Checkout['status']; discount_codes: string[] }>>(
    'select id, cart_id, status, discount_codes from checkout where id = ? for update',
    [id],
  );
  return row ? { id: row.id, cartId: row.cart_id, status: row.status, discountCodes: row.discount_codes } : null;
}

export async function setCheckoutStatus(tx: EntityManager, id: string, status: Checkout['status']): Promise<void> {
  await tx.nativeUpdate(CheckoutSchema, { id }, { status, updatedAt: raw('now()') });
}
