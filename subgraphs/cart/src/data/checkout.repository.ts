import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE } from '@shop/platform';
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
  return tx.findOne(CheckoutSchema, { id }, { fields: ['id', 'cartId', 'status', 'discountCodes'], ...FOR_UPDATE });
}

export async function setCheckoutStatus(tx: EntityManager, id: string, status: Checkout['status']): Promise<void> {
  await tx.nativeUpdate(CheckoutSchema, { id }, { status, updatedAt: raw('now()') });
}
