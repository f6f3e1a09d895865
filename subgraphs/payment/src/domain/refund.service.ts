import type { EntityManager } from '@mikro-orm/postgresql';
import { emitEvent, formatMoney, isUuid, PAYMENT_REFUNDED, transaction, type Logger } from '@shop/platform';
import { RefundRepository, type RefundStatus, type RefundView } from '../data/refund.repository.ts';
import { ProviderDeclined, ProviderError, ProviderTimeout, type PaymentProvider } from './provider.ts';
import { ProviderUnavailable } from './resilient-provider.ts';
import { countRefund } from './payment-metrics.ts';

export type { RefundStatus };
/** A refund as the API shows it (with its payment's order and currency). */
export type RefundRow = RefundView;
/** The UserErrorCode values a refund can answer (a subset of the shared enum). */
export interface RefundUserError {
  field: string[] | null;
  message: string;
  code: 'INVALID' | 'NOT_FOUND' | 'CONFLICT' | 'REQUIRED' | 'TOO_LONG' | 'INVALID_STATUS';
}
export interface RefundResult {
  refund: RefundRow | null;
  userErrors: RefundUserError[];
}

const REFUNDABLE = ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

export interface RefundServiceOptions {
  provider?: PaymentProvider;
  log?: Logger;
  /** After a committed refund: tells live order views (order-changed). */
  changed?: (orderId: string) => unknown;
  /** Woken after a commit that enqueued events. */
  outbox?: { notify(): void };
}

/**
 * Partial and full refunds. The amount is claimed on the payment row (`refunded_amount`, guarded
 * by a conditional update and a check constraint) in a short transaction before the provider is
 * called, so concurrent refunds can never add up to more than the capture; a failed refund gives
 * its claim back. One refund per (payment, idempotency key).
 */
export class RefundService {
  private readonly em: EntityManager;
  private readonly refunds: RefundRepository;
  private readonly provider: PaymentProvider | undefined;
  private readonly log: Logger | undefined;
  private readonly changed: (orderId: string) => unknown;
  private readonly outbox: { notify(): void } | undefined;
  /** Settlements running in this process, by refund id: a second call joins the running one. */
  private readonly settling = new Map<string, Promise<RefundStatus | undefined>>();
  constructor(em: EntityManager, options: RefundServiceOptions = {}) {
    this.em = em;
    this.refunds = new RefundRepository(em);
    this.provider = options.provider;
    this.log = options.log;
    this.changed = options.changed ?? (() => undefined);
    this.outbox = options.outbox;
  }

  /** Claim, call the provider, record: the whole refund, for the admin mutation. */
  async refund(paymentId: string, amount: number | null, idempotencyKey: string, reason: string | null = null): Promise<RefundResult> {
    const claimed = await transaction(this.em, ({ em: tx }) => this.claim(tx, paymentId, amount, idempotencyKey, reason), {
      log: this.log,
      outbox: this.outbox,
    });
    if (!claimed.refund) return claimed;
    if (claimed.refund.status === 'PENDING') await this.settle(claimed.refund.id);
    return { refund: (await this.byIds([claimed.refund.id]))[0] ?? null, userErrors: [] };
  }

  /**
   * Step 1, in the caller's transaction: a PENDING refund row holding its amount, or the refund
   * already made with this key, or userErrors. The payment row lock lasts only this transaction.
   */
  async claim(tx: EntityManager, paymentId: string, amount: number | null, idempotencyKey: string, reason: string | null): Promise<RefundResult> {
    const errors: RefundUserError[] = [];
    if (!idempotencyKey.trim()) errors.push({ field: ['idempotencyKey'], message: 'An idempotency key is required.', code: 'REQUIRED' });
    if (idempotencyKey.length > 255) errors.push({ field: ['idempotencyKey'], message: 'At most 255 characters.', code: 'TOO_LONG' });
    if (amount !== null && (!Number.isSafeInteger(amount) || amount <= 0))
      errors.push({ field: ['amount'], message: 'The amount must be positive.', code: 'INVALID' });
    if (errors.length) return { refund: null, userErrors: errors };
    const notFound = { refund: null, userErrors: [{ field: ['paymentId'], message: 'No such payment.', code: 'NOT_FOUND' as const }] };
    if (!isUuid(paymentId)) return notFound;
    const payment = await this.refunds.lockPayment(tx, paymentId);
    if (!payment) return notFound;
    const existing = await this.refunds.byKey(tx, paymentId, idempotencyKey);
    if (existing) return { refund: existing, userErrors: [] };
    if (!REFUNDABLE.includes(payment.status)) {
      return {
        refund: null,
        userErrors: [{ field: ['paymentId'], message: 'Only a captured payment can be refunded.', code: 'INVALID_STATUS' }],
      };
    }
    const remaining = payment.amount - payment.refundedAmount;
    const wanted = amount ?? remaining;
    if (wanted <= 0 || wanted > remaining) {
      const message =
        remaining === 0 ? 'The payment is already fully refunded.' : `At most ${formatMoney(remaining, payment.currency)} can still be refunded.`;
      return { refund: null, userErrors: [{ field: ['amount'], message, code: remaining === 0 ? 'CONFLICT' : 'INVALID' }] };
    }
    // Belt and braces: the claim itself is conditional (and the table has a check constraint).
    if (!(await this.refunds.claim(tx, paymentId, wanted)))
      return { refund: null, userErrors: [{ field: ['amount'], message: 'The refund exceeds the captured amount.', code: 'INVALID' }] };
    return { refund: await this.refunds.insertPending(tx, { paymentId, amount: wanted, idempotencyKey, reason }), userErrors: [] };
  }

  /**
   * Step 2: the provider refund (idempotency key = refund id, stable across retries), then the
   * outcome in one short transaction. A timeout (it may have happened) or an open circuit (the
   * provider was not called: a refund the saga owes must not be lost to an outage) leaves the refund
   * PENDING for the recovery loop; a decline or a provider error fails it and frees its claim.
   */
  settle(refundId: string): Promise<RefundStatus | undefined> {
    const running = this.settling.get(refundId);
    if (running) return running;
    const settling = this.settleOnce(refundId).finally(() => this.settling.delete(refundId));
    this.settling.set(refundId, settling);
    return settling;
  }

  /** A redelivered refund request: settles its refund if still PENDING (the first delivery died before). */
  async resumePending(orderId: string, idempotencyKey: string): Promise<RefundStatus | undefined> {
    const row = await this.refunds.byOrderAndKey(orderId, idempotencyKey);
    return row?.status === 'PENDING' ? this.settle(row.id) : row?.status;
  }

  private async settleOnce(refundId: string): Promise<RefundStatus | undefined> {
    if (!this.provider) throw new Error('RefundService needs a provider to refund');
    const row = await this.refunds.forSettlement(refundId);
    if (!row || row.status !== 'PENDING') return row?.status;
    let outcome: { status: 'SUCCEEDED'; providerReference: string } | { status: 'FAILED'; reason: string };
    try {
      const done = await this.provider.refund({
        idempotencyKey: `refund:${row.id}`,
        providerReference: row.providerReference ?? '',
        amount: row.amount,
      });
      outcome = { status: 'SUCCEEDED', providerReference: done.providerReference };
    } catch (error) {
      if (error instanceof ProviderTimeout || error instanceof ProviderUnavailable) {
        const why = error instanceof ProviderTimeout ? 'refund outcome unknown' : 'provider unavailable';
        this.log?.warn({ refundId, err: error }, `${why}; refund left PENDING for the recovery loop`);
        return 'PENDING';
      }
      if (!(error instanceof ProviderDeclined || error instanceof ProviderError)) throw error;
      outcome = { status: 'FAILED', reason: error.message };
    }
    await transaction(
      this.em,
      async ({ em: tx, afterCommit }) => {
        afterCommit(() => this.changed(row.orderId));
        if (!(await this.refunds.settle(tx, row.id, outcome))) return;
        afterCommit(() => countRefund(outcome.status, row.amount, row.currency));
        if (outcome.status === 'FAILED') return this.refunds.release(tx, row.paymentId, row.amount);
        // Status follows what was actually refunded, not what is merely claimed.
        await this.refunds.refreshPaymentStatus(tx, row.paymentId);
        await emitEvent(tx, PAYMENT_REFUNDED, {
          orderId: row.orderId,
          paymentId: row.paymentId,
          refundId: row.id,
          amount: row.amount,
          currency: row.currency,
        });
      },
      { log: this.log, outbox: this.outbox },
    );
    this.log?.info({ refundId, paymentId: row.paymentId, status: outcome.status }, 'refund settled');
    return outcome.status;
  }

  byIds(ids: readonly string[]): Promise<RefundRow[]> {
    return this.refunds.byIds(ids);
  }

  /** Refunds of many payments in one query, oldest first. */
  async byPaymentIds(paymentIds: readonly string[]): Promise<RefundRow[][]> {
    const rows = await this.refunds.byPaymentIds(paymentIds);
    return paymentIds.map((id) => rows.filter((row) => row.paymentId === id));
  }

  /** PENDING refunds nobody settled (crash, timeout); settled again, which is idempotent. */
  stalePending(olderThanMs: number, limit = 50): Promise<string[]> {
    return this.refunds.stalePending(olderThanMs, limit);
  }
}
