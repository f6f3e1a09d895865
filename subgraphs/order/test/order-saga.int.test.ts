import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  connectOrm,
  createLogger,
  runMigrations,
  type CapturePayment,
  type CheckoutRequested,
  type MikroORM,
  type PaymentCaptureAnswer,
  type PaymentRequested,
  type ReserveStock,
  type StockReserveAnswer,
  type StockReserveRequested,
} from '@shop/platform';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import {
  failTimedOut,
  onPaymentCaptured,
  onPaymentFailed,
  onStockRejected,
  onStockReleased,
  onStockReserved,
  startOrder,
} from '../src/domain/order-saga.ts';

const log = createLogger('order-saga-test', 'silent');
const timeouts = { reserveMs: 60_000, paymentMs: 60_000 };
let orm: MikroORM;

beforeAll(async () => {
  const url = await createTestDatabase('order_saga');
  await runMigrations(orderOrmOptions(url), log);
  orm = await connectOrm(orderOrmOptions(url), log);
});
afterAll(async () => orm?.close());

const tx = <T>(work: (em: EntityManager) => Promise<T>) => orm.em.fork().transactional(work);

function checkout(): CheckoutRequested {
  const id = randomUUID();
  return {
    checkoutId: id,
    cartId: `cart-${id.slice(0, 8)}`,
    customerId: 'customer-1',
    email: 'a@example.com',
    shippingAddress: { name: 'A', line1: '1 St', line2: null, city: 'C', postalCode: '1', countryCode: 'US' },
    paymentToken: 'tok_visa',
    idempotencyKey: 'key-12345',
    currency: 'USD',
    lines: [{ productId: randomUUID(), name: 'Mug', quantity: 2, unitPriceAmount: 1250 }],
    totals: { subtotal: 2500, discount: 0, shipping: 499, tax: 181, total: 3180 },
    discountCodes: [],
  };
}

async function state(orderId: string) {
  const [order] = await orm.em
    .fork()
    .execute<Array<{ status: string; payment_token: string | null }>>('select status, payment_token from customer_order where id = ?', [orderId]);
  const history = await orm.em
    .fork()
    .execute<Array<{ status: string }>>('select status from order_status_change where order_id = ? order by at, id', [orderId]);
  const events = await orm.em
    .fork()
    .execute<Array<{ subject: string; payload: { data: Record<string, unknown> } }>>(
      `select subject, payload from outbox_event where payload->'data'->>'orderId' = ? order by seq`,
      [orderId],
    );
  return {
    status: order?.status,
    token: order?.payment_token,
    history: history.map((h) => h.status),
    subjects: events.map((e) => e.subject),
    events,
  };
}

/** A step request that records what it was asked and gives `answer`. */
const answeringWith =
  <Q, A>(asked: Q[], answer: A) =>
  async (request: Q): Promise<A> => {
    asked.push(request);
    return answer;
  };

/** Backends of this database waiting for an advisory lock (the checkout step's). */
const waitingOnTheStep = async () =>
  (
    await orm.em
      .fork()
      .execute<Array<{ n: number }>>(
        `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and not l.granted and d.datname = current_database()`,
      )
  )[0]!.n;

describe('the checkout saga, step by step on the real database', () => {
  it('runs the happy path once, however often each event arrives', async () => {
    const c = checkout();
    expect(await tx((em) => startOrder(em, c, timeouts))).toMatchObject({ status: 'PENDING' });
    expect(await tx((em) => startOrder(em, c, timeouts))).toBeNull();
    expect(await tx((em) => onStockReserved(em, c.checkoutId, timeouts))).toBe(true);
    expect(await tx((em) => onStockReserved(em, c.checkoutId, timeouts))).toBe(false);
    expect(await tx((em) => onPaymentCaptured(em, c.checkoutId))).toBe(true);
    expect(await tx((em) => onPaymentCaptured(em, c.checkoutId))).toBe(false);
    const s = await state(c.checkoutId);
    expect(s.status).toBe('CONFIRMED');
    expect(s.history).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    expect(s.token).toBeNull(); // the payment token does not stay once it was used
    expect(s.subjects).toEqual([
      'order.status.pending',
      'order.stock.reserve',
      'order.status.awaiting_payment',
      'order.payment.requested',
      'order.status.confirmed',
      'order.stock.commit',
    ]);
    const payment = s.events.find((e) => e.subject === 'order.payment.requested')!;
    expect(payment.payload.data).toMatchObject({ amount: 3180, currency: 'USD', paymentToken: 'tok_visa', customerId: 'customer-1' });
  });

  it('compensates: rejected stock → REJECTED; declined payment → PAYMENT_FAILED and stock released', async () => {
    const rejected = checkout();
    await tx((em) => startOrder(em, rejected, timeouts));
    await tx((em) => onStockRejected(em, rejected.checkoutId, 'short'));
    expect((await state(rejected.checkoutId)).status).toBe('REJECTED');

    const declined = checkout();
    await tx((em) => startOrder(em, declined, timeouts));
    await tx((em) => onStockReserved(em, declined.checkoutId, timeouts));
    await tx((em) => onPaymentFailed(em, declined.checkoutId, 'DECLINED'));
    const s = await state(declined.checkoutId);
    expect(s.status).toBe('PAYMENT_FAILED');
    expect(s.subjects.slice(-2)).toEqual(['order.status.payment_failed', 'order.stock.release']);
  });

  it('fails a step that does not answer in time, and refunds a capture that arrives after', async () => {
    const slow = checkout();
    await tx((em) => startOrder(em, slow, { reserveMs: 60_000, paymentMs: 1 }));
    await tx((em) => onStockReserved(em, slow.checkoutId, { reserveMs: 60_000, paymentMs: 1 }));
    await new Promise((r) => setTimeout(r, 20));
    expect(await tx((em) => failTimedOut(em))).toContain(slow.checkoutId);
    expect((await state(slow.checkoutId)).status).toBe('PAYMENT_FAILED');
    expect(await tx((em) => onPaymentCaptured(em, slow.checkoutId))).toBe(false);
    const s = await state(slow.checkoutId);
    expect(s.subjects.slice(-2)).toEqual(['order.stock.release', 'order.payment.refund']);
  });

  it('cancels an order whose stock the catalog released before it was settled: refunded when paid, nothing returned', async () => {
    // Paid, then the commit found the reservation expired (the catalog answers inventory.released).
    const paid = checkout();
    await tx((em) => startOrder(em, paid, timeouts));
    await tx((em) => onStockReserved(em, paid.checkoutId, timeouts));
    await tx((em) => onPaymentCaptured(em, paid.checkoutId));
    expect(await tx((em) => onStockReleased(em, paid.checkoutId, 'EXPIRED'))).toBe(true);
    expect(await tx((em) => onStockReleased(em, paid.checkoutId, 'EXPIRED'))).toBe(false);
    const p = await state(paid.checkoutId);
    expect(p.status).toBe('CANCELLED');
    expect(p.history).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'CANCELLED']);
    expect(p.subjects.slice(-3)).toEqual(['order.stock.commit', 'order.status.cancelled', 'order.payment.refund']);
    expect(p.events.at(-1)!.payload.data).toMatchObject({ amount: null, idempotencyKey: `stock-released:${paid.checkoutId}` });

    // Expired while the payment was still out: cancelled now, and the capture that still comes is refunded.
    const waiting = checkout();
    await tx((em) => startOrder(em, waiting, timeouts));
    await tx((em) => onStockReserved(em, waiting.checkoutId, timeouts));
    expect(await tx((em) => onStockReleased(em, waiting.checkoutId, 'EXPIRED'))).toBe(true);
    expect((await state(waiting.checkoutId)).subjects.at(-1)).toBe('order.status.cancelled');
    expect(await tx((em) => onPaymentCaptured(em, waiting.checkoutId))).toBe(false);
    const w = await state(waiting.checkoutId);
    expect(w.status).toBe('CANCELLED');
    expect(w.subjects.slice(-2)).toEqual(['order.status.cancelled', 'order.payment.refund']);

    // Still waiting for its reservation (asked by event): no stock for it, rejected like a short one.
    const waitingForStock = checkout();
    await tx((em) => startOrder(em, waitingForStock, timeouts));
    expect(await tx((em) => onStockReleased(em, waitingForStock.checkoutId, 'EXPIRED'))).toBe(true);
    const r = await state(waitingForStock.checkoutId);
    expect(r.history).toEqual(['PENDING', 'REJECTED']);
    expect(r.subjects.at(-1)).toBe('order.status.rejected');

    // The answer to a release the order asked for itself changes nothing.
    const declined = checkout();
    await tx((em) => startOrder(em, declined, timeouts));
    await tx((em) => onStockReserved(em, declined.checkoutId, timeouts));
    await tx((em) => onPaymentFailed(em, declined.checkoutId, 'DECLINED'));
    expect(await tx((em) => onStockReleased(em, declined.checkoutId, 'PAYMENT_FAILED'))).toBe(false);
    expect((await state(declined.checkoutId)).status).toBe('PAYMENT_FAILED');
  });

  it('erases the payment token on every status after PENDING, also when the payment was never requested', async () => {
    const rejected = checkout();
    await tx((em) => startOrder(em, rejected, timeouts));
    expect((await state(rejected.checkoutId)).token).toBe('tok_visa');
    await tx((em) => onStockRejected(em, rejected.checkoutId, 'short'));
    expect(await state(rejected.checkoutId)).toMatchObject({ status: 'REJECTED', token: null });

    const unanswered = checkout();
    // A deadline already past: the sweep finds it without waiting.
    await tx((em) => startOrder(em, unanswered, { reserveMs: -1_000, paymentMs: 60_000 }));
    expect(await tx((em) => failTimedOut(em))).toContain(unanswered.checkoutId);
    expect(await state(unanswered.checkoutId)).toMatchObject({ status: 'REJECTED', token: null });

    const declined = checkout();
    await tx((em) => startOrder(em, declined, timeouts));
    await tx((em) => onStockReserved(em, declined.checkoutId, timeouts));
    await tx((em) => onPaymentFailed(em, declined.checkoutId, 'DECLINED'));
    expect(await state(declined.checkoutId)).toMatchObject({ status: 'PAYMENT_FAILED', token: null });

    // And the database refuses a token on any status but PENDING.
    await expect(orm.em.fork().execute(`update customer_order set payment_token = 'tok_visa' where id = ?`, [declined.checkoutId])).rejects.toThrow(
      /customer_order_token_only_pending/,
    );
  });

  it('moves on in the checkout step when the catalog answers the reservation request; asks by event when it does not', async () => {
    const asked: StockReserveRequested[] = [];
    const answering = (answer: StockReserveAnswer | undefined): ReserveStock => answeringWith(asked, answer);

    const reserved = checkout();
    expect(await tx((em) => startOrder(em, reserved, timeouts, { reserve: answering({ status: 'RESERVED' }) }))).toMatchObject({
      status: 'AWAITING_PAYMENT',
    });
    expect(asked.at(-1)).toEqual({ orderId: reserved.checkoutId, lines: [{ productId: reserved.lines[0]!.productId, quantity: 2 }] });
    let s = await state(reserved.checkoutId);
    expect(s).toMatchObject({ status: 'AWAITING_PAYMENT', token: null, history: ['PENDING', 'AWAITING_PAYMENT'] });
    // Only the status the order rests in is announced: PENDING passed within the step.
    expect(s.subjects).toEqual(['order.status.awaiting_payment', 'order.payment.requested']);
    expect(s.events.at(-1)!.payload.data).toMatchObject({ amount: 3180, currency: 'USD', paymentToken: 'tok_visa', customerId: 'customer-1' });
    // A redelivered checkout neither asks again nor changes anything; the saga goes on as before.
    expect(await tx((em) => startOrder(em, reserved, timeouts, { reserve: answering({ status: 'RESERVED' }) }))).toBeNull();
    expect(asked).toHaveLength(1);
    expect(await tx((em) => onStockReserved(em, reserved.checkoutId, timeouts))).toBe(false);
    expect(await tx((em) => onPaymentCaptured(em, reserved.checkoutId))).toBe(true);
    expect((await state(reserved.checkoutId)).history).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);

    const short = checkout();
    const shortProducts = [{ productId: short.lines[0]!.productId, requested: 2, available: 1 }];
    await tx((em) => startOrder(em, short, timeouts, { reserve: answering({ status: 'REJECTED', shortProducts }) }));
    s = await state(short.checkoutId);
    expect(s).toMatchObject({ status: 'REJECTED', token: null, history: ['PENDING', 'REJECTED'] });
    expect(s.subjects).toEqual(['order.status.rejected']);
    expect(s.events.at(-1)!.payload.data).toMatchObject({ reason: 'Not enough stock for 1 product(s)' });

    const unanswered = checkout();
    await tx((em) => startOrder(em, unanswered, timeouts, { reserve: answering(undefined) }));
    s = await state(unanswered.checkoutId);
    expect(s).toMatchObject({ status: 'PENDING', token: 'tok_visa', history: ['PENDING'] });
    expect(s.subjects).toEqual(['order.status.pending', 'order.stock.reserve']);
    expect(await tx((em) => onStockReserved(em, unanswered.checkoutId, timeouts))).toBe(true);
    expect((await state(unanswered.checkoutId)).status).toBe('AWAITING_PAYMENT');
  });

  it('confirms in the checkout step when the payment answers the capture request too; asks by event when it does not', async () => {
    const asked: PaymentRequested[] = [];
    const paying = (answer: PaymentCaptureAnswer | undefined): CapturePayment => answeringWith(asked, answer);
    const reserve: ReserveStock = async () => ({ status: 'RESERVED' });

    const paid = checkout();
    const started = await tx((em) => startOrder(em, paid, timeouts, { reserve, capture: paying({ status: 'CAPTURED' }) }));
    // What the order's live update carries: the status it rests in and its updatedAt as committed.
    const [row] = await orm.em
      .fork()
      .execute<Array<{ ms: number }>>(`select floor(extract(epoch from updated_at) * 1000)::float8 as ms from customer_order where id = ?`, [
        paid.checkoutId,
      ]);
    expect(started).toEqual({ status: 'CONFIRMED', updatedAt: new Date(row!.ms) });
    expect(asked.at(-1)).toEqual({ orderId: paid.checkoutId, customerId: 'customer-1', amount: 3180, currency: 'USD', paymentToken: 'tok_visa' });
    let s = await state(paid.checkoutId);
    expect(s).toMatchObject({ status: 'CONFIRMED', token: null, history: ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED'] });
    expect(s.subjects).toEqual(['order.status.confirmed', 'order.stock.commit']);
    // The capture's event, should it come as well (the payment answered late), changes nothing.
    expect(await tx((em) => onPaymentCaptured(em, paid.checkoutId))).toBe(false);
    expect(await tx((em) => startOrder(em, paid, timeouts, { reserve, capture: paying({ status: 'CAPTURED' }) }))).toBeNull();
    expect(asked).toHaveLength(1);

    const declined = checkout();
    await tx((em) =>
      startOrder(em, declined, timeouts, { reserve, capture: paying({ status: 'FAILED', code: 'card_declined', reason: 'Declined' }) }),
    );
    s = await state(declined.checkoutId);
    expect(s).toMatchObject({ status: 'PAYMENT_FAILED', token: null, history: ['PENDING', 'AWAITING_PAYMENT', 'PAYMENT_FAILED'] });
    expect(s.subjects).toEqual(['order.status.payment_failed', 'order.stock.release']);
    expect(s.events.at(-1)!.payload.data).toMatchObject({ reason: 'PAYMENT_FAILED' });
    expect(s.events.at(-2)!.payload.data).toMatchObject({ reason: 'card_declined' });

    const unanswered = checkout();
    await tx((em) => startOrder(em, unanswered, timeouts, { reserve, capture: paying(undefined) }));
    s = await state(unanswered.checkoutId);
    expect(s).toMatchObject({ status: 'AWAITING_PAYMENT', token: null, history: ['PENDING', 'AWAITING_PAYMENT'] });
    expect(s.subjects).toEqual(['order.status.awaiting_payment', 'order.payment.requested']);
    expect(s.events.at(-1)!.payload.data).toMatchObject({ amount: 3180, paymentToken: 'tok_visa' });
    expect(await tx((em) => onPaymentCaptured(em, unanswered.checkoutId))).toBe(true);
    expect((await state(unanswered.checkoutId)).status).toBe('CONFIRMED');
  });

  it('a capture answered by event while the checkout step is still open waits for the step, then confirms the order', async () => {
    const c = checkout();
    let answered: Promise<boolean> | undefined;
    // The payment answers by event (say, late) while the order is still asking: the step has not committed yet.
    const capture: CapturePayment = async () => {
      answered = tx((em) => onPaymentCaptured(em, c.checkoutId));
      // The answer's handler waits for the step (it would otherwise have found no order and given up).
      await waitFor('the answer waiting for the checkout step', async () => (await waitingOnTheStep()) > 0);
      return undefined; // no reply in time: the order asks by event
    };
    await tx((em) => startOrder(em, c, timeouts, { reserve: async () => ({ status: 'RESERVED' }), capture }));
    expect(await answered).toBe(true);
    expect((await state(c.checkoutId)).history).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
  });
});
