import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE, FRESH } from '@shop/platform';
import { PaymentSchema, type Payment } from './payment.entity.ts';
import { RefundSchema, type Refund, type RefundStatus } from './refund.entity.ts';
import { stalePendingIds } from './stale-pending.ts';

/** A refund as the API shows it: with its payment's order and currency. */
export interface RefundView {
  id: string;
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  createdAt: Date;
}

/** A refund with its payment populated (`WITH_PAYMENT`). */
const view = (refund: Refund): RefundView => {
  const payment = refund.payment.unwrap();
  return {
    id: refund.id,
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: refund.amount,
    currency: payment.currency,
    status: refund.status,
    createdAt: refund.createdAt,
  };
};
const WITH_PAYMENT = { populate: ['payment'] } as const;

/**
 * The refund table and the claim it holds on its payment (`payment.refunded_amount`). Reads go
 * through the entities; the claim, its release and the status changes stay SQL (locks, conditional
 * and arithmetic updates). `tx` is the caller's transaction; without one, a read takes a fresh fork.
 */
export class RefundRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** The payment's figures a claim is checked against, its row locked until `tx` ends. */
  async lockPayment(tx: EntityManager, paymentId: string): Promise<Pick<Payment, 'status' | 'amount' | 'refundedAmount' | 'currency'> | undefined> {
    // Locked: the claim's check and write must see no concurrent claim in between.
    const fields = ['status', 'amount', 'refundedAmount', 'currency'] as const;
    return (await tx.findOne(PaymentSchema, { id: paymentId }, { fields, ...FOR_UPDATE })) ?? undefined;
  }

  /** Adds `amount` to the payment's claimed refunds unless that exceeds the capture; true if it did. */
  async claim(tx: EntityManager, paymentId: string, amount: number): Promise<boolean> {
    // Conditional arithmetic update (belt and braces with the row lock and the check constraint).
    const claimed = await tx.execute<{ affectedRows: number }>(
      'update payment set refunded_amount = refunded_amount + ?, updated_at = now() where id = ? and refunded_amount + ? <= amount',
      [amount, paymentId, amount],
      'run',
    );
    return claimed.affectedRows === 1;
  }

  /** A new PENDING refund holding `amount` (already claimed on the payment). */
  async insertPending(
    tx: EntityManager,
    refund: { paymentId: string; amount: number; idempotencyKey: string; reason: string | null },
  ): Promise<RefundView> {
    const created = tx.create(RefundSchema, {
      id: randomUUID(),
      payment: refund.paymentId,
      amount: refund.amount,
      idempotencyKey: refund.idempotencyKey,
      status: 'PENDING',
      reason: refund.reason,
    });
    await tx.flush();
    await tx.populate(created, ['payment']);
    return view(created);
  }

  async byKey(tx: EntityManager, paymentId: string, idempotencyKey: string): Promise<RefundView | undefined> {
    const refund = await tx.findOne(RefundSchema, { payment: paymentId, idempotencyKey }, WITH_PAYMENT);
    return refund ? view(refund) : undefined;
  }

  /** The refund of an order's payment under `idempotencyKey`, read afresh. */
  async byOrderAndKey(orderId: string, idempotencyKey: string): Promise<Pick<RefundView, 'id' | 'status'> | undefined> {
    const refund = await this.em.findOne(RefundSchema, { payment: { orderId }, idempotencyKey }, FRESH);
    return refund ? { id: refund.id, status: refund.status } : undefined;
  }

  /** A refund with what its provider call needs (the capture's reference), read afresh. */
  async forSettlement(id: string): Promise<(RefundView & { providerReference: string | null }) | undefined> {
    const refund = await this.em.findOne(RefundSchema, { id }, { ...WITH_PAYMENT, ...FRESH });
    return refund ? { ...view(refund), providerReference: refund.payment.unwrap().providerReference ?? null } : undefined;
  }

  /** Records the outcome if the refund is still PENDING; true for the one writer that did. */
  async settle(tx: EntityManager, id: string, outcome: { status: 'SUCCEEDED'; providerReference: string } | { status: 'FAILED'; reason: string }) {
    // Conditional on PENDING so only the first writer of an outcome wins.
    const updated = await tx.execute<{ affectedRows: number }>(
      `update refund set status = ?, provider_reference = ?, reason = coalesce(?, reason), updated_at = now() where id = ? and status = 'PENDING'`,
      [outcome.status, outcome.status === 'SUCCEEDED' ? outcome.providerReference : null, outcome.status === 'FAILED' ? outcome.reason : null, id],
      'run',
    );
    return updated.affectedRows === 1;
  }

  /** Gives a failed refund's claim back to its payment. */
  async release(tx: EntityManager, paymentId: string, amount: number): Promise<void> {
    // Arithmetic on the column itself, so concurrent claims and releases never overwrite each other.
    await tx.execute('update payment set refunded_amount = refunded_amount - ?, updated_at = now() where id = ?', [amount, paymentId]);
  }

  /** The payment's status from what was actually refunded (not what is merely claimed). */
  async refreshPaymentStatus(tx: EntityManager, paymentId: string): Promise<void> {
    // One statement that sums and decides inside the database, in the settling transaction.
    await tx.execute(
      `update payment set updated_at = now(), status = case when
       (select coalesce(sum(amount), 0) from refund where payment_id = payment.id and status = 'SUCCEEDED') >= amount
       then 'REFUNDED' else 'PARTIALLY_REFUNDED' end
       where id = ?`,
      [paymentId],
    );
  }

  /** Refunds by id, read afresh. */
  async byIds(ids: readonly string[]): Promise<RefundView[]> {
    if (!ids.length) return [];
    return (await this.em.find(RefundSchema, { id: { $in: [...ids] } }, { ...WITH_PAYMENT, ...FRESH })).map(view);
  }

  /** Refunds of many payments, oldest first, through this repository's (request) identity map. */
  async byPaymentIds(paymentIds: readonly string[]): Promise<RefundView[]> {
    if (!paymentIds.length) return [];
    const refunds = await this.em.find(
      RefundSchema,
      { payment: { $in: [...paymentIds] } },
      { ...WITH_PAYMENT, orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return refunds.map(view);
  }

  /** Ids of PENDING refunds untouched for `olderThanMs`, oldest first. */
  stalePending(olderThanMs: number, limit: number): Promise<string[]> {
    return stalePendingIds(this.em, 'refund', olderThanMs, limit);
  }
}

export type { RefundStatus };
