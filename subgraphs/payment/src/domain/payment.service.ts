import type { EntityManager } from '@mikro-orm/postgresql';
import { emitEvent, isUuid, PAYMENT_CAPTURED, PAYMENT_FAILED, transaction, type Identity, type Logger, type PaymentRequested } from '@shop/platform';
import type { Payment } from '../data/payment.entity.ts';
import { PaymentRepository, type CaptureOutcome } from '../data/payment.repository.ts';
import { ProviderDeclined, ProviderError, ProviderTimeout, type PaymentProvider, type ProviderStatus } from './provider.ts';
import { ProviderUnavailable } from './resilient-provider.ts';
import { countCapture } from './payment-metrics.ts';
import { canSeePayment, type VisibleReadOptions } from './payment-access.ts';

export interface PaymentServiceOptions {
  provider?: PaymentProvider;
  log?: Logger;
  /** After a committed payment change: tells live order views (order-changed). */
  changed?: (orderId: string) => unknown;
  /** Woken after a commit that enqueued events. */
  outbox?: { notify(): void };
}

/** What the provider call needs of a payment. */
type Chargeable = Pick<Payment, 'orderId' | 'amount' | 'currency' | 'paymentToken'>;
/** What its outcome event needs. */
type Answerable = Pick<Payment, 'id' | 'orderId' | 'status' | 'amount' | 'currency' | 'failureCode' | 'failureReason'>;
/** What a settlement needs: both. */
type Settleable = Chargeable & Answerable;
type Outcome = CaptureOutcome;
/** A recorded outcome as the order reads it. */
export type Settled = Pick<Payment, 'status' | 'failureCode' | 'failureReason'>;
/** How one settlement ended: the status, the outcome if this one recorded it, and whether its event went out. */
interface Settlement {
  status: Payment['status'] | undefined;
  recorded?: Settled;
  announced: boolean;
}
interface SettleOptions {
  /** Ask the provider what it knows first (see settleCapture). */
  resume?: boolean;
  /** Whether the outcome goes out as an event too; asked when it is recorded. Always, except for a request answered in time. */
  announce?: () => boolean;
}
const ALWAYS = () => true;

/** A provider failure as the failed payment records it; undefined for anything else (a bug or the database). */
function failureOf(error: unknown): Extract<Outcome, { status: 'FAILED' }> | undefined {
  if (error instanceof ProviderDeclined) return { status: 'FAILED', code: error.code, reason: error.reason };
  if (error instanceof ProviderUnavailable) return { status: 'FAILED', code: 'PROVIDER_UNAVAILABLE', reason: error.message };
  if (error instanceof ProviderTimeout) return { status: 'FAILED', code: 'TIMEOUT', reason: error.message };
  if (error instanceof ProviderError) return { status: 'FAILED', code: 'PROVIDER_ERROR', reason: error.message };
  return undefined;
}

export class PaymentService {
  private readonly em: EntityManager;
  private readonly payments: PaymentRepository;
  private readonly provider: PaymentProvider | undefined;
  private readonly log: Logger | undefined;
  private readonly changed: (orderId: string) => unknown;
  private readonly outbox: { notify(): void } | undefined;
  /** Settlements running in this process, by payment id: a resume joins one instead of calling the provider again. */
  private readonly settling = new Map<string, Promise<Settlement>>();
  constructor(em: EntityManager, options: PaymentServiceOptions = {}) {
    this.em = em;
    this.payments = new PaymentRepository(em);
    this.provider = options.provider;
    this.log = options.log;
    this.changed = options.changed ?? (() => undefined);
    this.outbox = options.outbox;
  }

  /** Payments of many orders in one query; null where none exists or the caller may not see it. */
  async visibleByOrderIds(orderIds: readonly string[], identity: Identity, options: VisibleReadOptions = {}): Promise<Array<Payment | null>> {
    return this.visibleBy('orderId', orderIds, identity, options);
  }

  /** Payments by id in one query, with the same visibility rule. */
  async visibleByIds(ids: readonly string[], identity: Identity, options: VisibleReadOptions = {}): Promise<Array<Payment | null>> {
    return this.visibleBy('id', ids, identity, options);
  }

  private async visibleBy(
    key: 'id' | 'orderId',
    values: readonly string[],
    identity: Identity,
    { fresh, holdsToken }: VisibleReadOptions,
  ): Promise<Array<Payment | null>> {
    // A malformed key is "not found", never a database error (which would fail the whole batch).
    const wellFormed = values.filter(isUuid);
    const rows = await this.payments.byKeys(key, wellFormed, { fresh });
    const byKey = new Map(rows.map((payment) => [payment[key], payment]));
    return values.map((value) => {
      const payment = byKey.get(value);
      return payment && canSeePayment(payment, identity, holdsToken) ? payment : null;
    });
  }

  /**
   * The order got its owner after checkout (a claimed guest order): its payment, if it has no
   * customer, takes it, so the new owner sees it; a payment recorded later takes it too. In the
   * caller's (inbox) transaction; idempotent. True when a payment changed now.
   */
  assignOwner(tx: EntityManager, orderId: string, customerId: string): Promise<boolean> {
    return this.payments.assignOwner(tx, orderId, customerId);
  }

  /**
   * Step 1 of a capture, inside the caller's (inbox) transaction: the order's one payment row,
   * PENDING until the provider answered. A request for an order whose payment already has an
   * outcome re-answers it with the same event id (de-duplicated downstream) and changes nothing.
   * Returns the payment id when the provider still has to be called (step 2, `settleCapture`,
   * after this transaction commits: no transaction stays open across provider calls and retries).
   */
  async capture(tx: EntityManager, request: PaymentRequested): Promise<string | null> {
    // A new payment is PENDING: only one the order had already is read.
    const inserted = await this.payments.insertPendingIfAbsent(tx, request);
    if (inserted) return inserted;
    const payment = await this.payments.byOrderId(request.orderId, tx);
    if (!payment) throw new Error(`payment of order ${request.orderId} vanished`);
    if (payment.status === 'PENDING') return payment.id;
    await this.answer(tx, payment);
    return null;
  }

  /**
   * Step 2: calls the provider (through the resilience policy; idempotency key = order id, so a
   * repeat after a crash returns the same capture) and records the outcome with its event in one
   * short transaction. Only the first writer of an outcome enqueues; a settlement that finds the
   * outcome recorded by another enqueues it again (same event id), since a capture answered by
   * request records it without one. Safe to run concurrently; in one process a second call for
   * the same payment joins the running one.
   *
   * `resume`: the payment may have reached the provider before (a crash, a redelivery, the recovery
   * loop): its status by idempotency key is asked first and recorded if known; only a capture the
   * provider never finished is made (again). If the provider cannot be asked, the payment stays
   * PENDING for the recovery loop rather than failing a charge that may exist.
   */
  settleCapture(paymentId: string, { resume = false, announce = ALWAYS }: SettleOptions = {}): Promise<Payment['status'] | undefined> {
    return this.settleOnce(paymentId, resume, announce).then((settled) => settled.status);
  }

  /** Resumes the order's payment if it is still PENDING (a redelivered request); its status otherwise. */
  async resumeCapture(orderId: string): Promise<Payment['status'] | undefined> {
    const payment = await this.payments.byOrderId(orderId);
    if (payment?.status !== 'PENDING') return payment?.status;
    return this.settleCapture(payment.id, { resume: true });
  }

  /**
   * The capture asked by request, in the order's checkout step: the payment recorded and captured
   * now, the outcome the reply. While it comes within `answerWithinMs` the reply is the only
   * answer; later the outcome also goes out by event (the order has stopped waiting and asks by
   * event). A payment the order already has answers its outcome, or nothing while PENDING: the
   * event path and the recovery loop finish that one. Undefined = no outcome to reply.
   */
  async captureByRequest(request: PaymentRequested, answerWithinMs: number): Promise<Settled | undefined> {
    const received = performance.now();
    const inserted = await transaction(this.em, ({ em }) => this.payments.insertPendingIfAbsent(em, request), { log: this.log });
    if (!inserted) {
      const payment = await this.payments.byOrderId(request.orderId);
      return payment && payment.status !== 'PENDING' ? payment : undefined;
    }
    const late = () => performance.now() - received > answerWithinMs;
    // The row as just inserted: no read before the provider call.
    const known: Settleable = { ...request, id: inserted, status: 'PENDING', failureCode: null, failureReason: null };
    return (await this.settleOnce(inserted, false, late, known)).recorded;
  }

  /** One settlement per payment in this process: a second caller joins it, and answers by event if it must and the first did not. */
  private settleOnce(paymentId: string, resume: boolean, announce: () => boolean, known?: Settleable): Promise<Settlement> {
    const running = this.settling.get(paymentId);
    if (running) return running.then((settled) => (settled.announced || !announce() ? settled : this.answerNow(paymentId)));
    const settling = this.settle(paymentId, resume, announce, known).finally(() => this.settling.delete(paymentId));
    this.settling.set(paymentId, settling);
    return settling;
  }

  private async settle(paymentId: string, resume: boolean, announce: () => boolean, known?: Settleable): Promise<Settlement> {
    if (!this.provider) throw new Error('PaymentService needs a provider to capture');
    const payment = known ?? (await this.payments.byId(paymentId));
    if (!payment) return { status: undefined, announced: false };
    if (payment.status !== 'PENDING') return this.settledElsewhere(paymentId, announce);
    const outcome = resume ? await this.resumeProvider(this.provider, payment) : await this.callProvider(this.provider, payment);
    if (!outcome) return { status: 'PENDING', announced: false };
    const settled = await this.record(payment, outcome, announce);
    const final = settled.status ? settled : await this.settledElsewhere(paymentId, announce);
    this.log?.info(
      { orderId: payment.orderId, paymentId, status: final.status, resume, code: outcome.status === 'FAILED' ? outcome.code : undefined },
      'capture settled',
    );
    return final;
  }

  /**
   * Records the outcome if the payment is still PENDING, with its event when it is announced (one
   * transaction); one the reply alone answers is a single statement. No status: another writer won.
   */
  private async record(payment: Settleable, outcome: Outcome, announce: () => boolean): Promise<Settlement> {
    const failed = outcome.status === 'FAILED' ? outcome : null;
    const recorded = { status: outcome.status, failureCode: failed?.code ?? null, failureReason: failed?.reason ?? null };
    if (!announce()) {
      if (!(await this.payments.settle(this.em, payment.id, outcome))) return { status: undefined, announced: false };
      countCapture(outcome);
      return { status: outcome.status, recorded, announced: false };
    }
    return transaction(
      this.em,
      async ({ em: tx, afterCommit }): Promise<Settlement> => {
        if (!(await this.payments.settle(tx, payment.id, outcome))) return { status: undefined, announced: false };
        afterCommit(() => countCapture(outcome));
        afterCommit(() => this.changed(payment.orderId));
        await this.answer(tx, { ...payment, ...recorded });
        return { status: outcome.status, recorded, announced: true };
      },
      { log: this.log, outbox: this.outbox },
    );
  }

  /**
   * Another settlement recorded the outcome (another process, or the recovery loop) and may have
   * left the answer to its reply: answered (again) if this one answers by event.
   */
  private async settledElsewhere(paymentId: string, announce: () => boolean): Promise<Settlement> {
    if (announce()) return this.answerNow(paymentId);
    return { status: (await this.payments.byId(paymentId))?.status, announced: false };
  }

  /** The payment's recorded outcome as its event (de-duplicated by id downstream), in a transaction of its own. */
  private answerNow(paymentId: string): Promise<Settlement> {
    return transaction(
      this.em,
      async ({ em: tx, afterCommit }): Promise<Settlement> => {
        const payment = await this.payments.byId(paymentId, tx);
        if (!payment) return { status: undefined, announced: false };
        await this.answer(tx, payment);
        if (payment.status !== 'PENDING') afterCommit(() => this.changed(payment.orderId));
        return { status: payment.status, announced: payment.status !== 'PENDING' };
      },
      { log: this.log, outbox: this.outbox },
    );
  }

  /** Both steps, for callers that are not inside an inbox transaction (tests, tools). */
  async captureNow(request: PaymentRequested): Promise<Payment['status'] | undefined> {
    const pending = await transaction(this.em, ({ em }) => this.capture(em, request), { log: this.log, outbox: this.outbox });
    if (pending) return this.settleCapture(pending);
    return (await this.payments.byOrderId(request.orderId))?.status;
  }

  /** PENDING payments nobody settled (crash after step 1); settled again, which is idempotent. */
  stalePending(olderThanMs: number, limit = 50): Promise<string[]> {
    return this.payments.stalePending(olderThanMs, limit);
  }

  /** The id of the order's payment, read in the caller's transaction. */
  async idOfOrder(tx: EntityManager, orderId: string): Promise<string | undefined> {
    return (await this.payments.byOrderId(orderId, tx))?.id;
  }

  private async callProvider(provider: PaymentProvider, payment: Chargeable): Promise<Outcome> {
    const request = { idempotencyKey: payment.orderId, amount: payment.amount, currency: payment.currency, token: payment.paymentToken ?? '' };
    try {
      return { status: 'CAPTURED', ...(await provider.capture(request)) };
    } catch (error) {
      const failure = failureOf(error);
      if (!failure) throw error;
      if (failure.code !== 'TIMEOUT') return failure;
      // Timed out even after retries: the charge may still have happened. Ask before failing.
      const known = await provider.status(payment.orderId).catch(() => undefined);
      return known?.status === 'SUCCEEDED' ? { status: 'CAPTURED', providerReference: known.providerReference } : failure;
    }
  }

  /** What the provider knows under the order id, else the (idempotent) capture; undefined when it cannot be asked. */
  private async resumeProvider(provider: PaymentProvider, payment: Chargeable): Promise<Outcome | undefined> {
    let known: ProviderStatus;
    try {
      known = await provider.status(payment.orderId);
    } catch (error) {
      this.log?.warn({ orderId: payment.orderId, err: error }, 'provider status unknown; payment left PENDING for the recovery loop');
      return undefined;
    }
    if (known.status === 'SUCCEEDED') return { status: 'CAPTURED', providerReference: known.providerReference };
    if (known.status === 'DECLINED') return { status: 'FAILED', code: known.code, reason: known.reason };
    // NOT_FOUND (never reached) or PENDING (the attempt died with the process): capture, same key.
    return this.callProvider(provider, payment);
  }

  /** The recorded outcome as its event; the catalog derives its id from the order (same answer, same id). */
  private async answer(tx: EntityManager, payment: Answerable): Promise<void> {
    if (payment.status === 'FAILED') {
      await emitEvent(tx, PAYMENT_FAILED, {
        orderId: payment.orderId,
        code: payment.failureCode ?? 'PROVIDER_ERROR',
        reason: payment.failureReason ?? '',
      });
    } else if (payment.status !== 'PENDING') {
      // CAPTURED, or already (partially) refunded: the capture happened.
      await emitEvent(tx, PAYMENT_CAPTURED, { orderId: payment.orderId, paymentId: payment.id, amount: payment.amount, currency: payment.currency });
    }
  }
}
