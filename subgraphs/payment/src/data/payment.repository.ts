import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { selectEntities, sql, type PaymentRequested } from '@shop/platform';
import { PaymentSchema, type Payment, type PaymentStatus } from './payment.entity.ts';
import { stalePendingIds } from './stale-pending.ts';

/** What a capture attempt ended with, as the payment row records it. */
export type CaptureOutcome = { status: 'CAPTURED'; providerReference: string } | { status: 'FAILED'; code: string; reason: string };

/**
 * The payment table. Reads go through the entity; the writes the saga's guarantees rest on
 * (insert-if-absent, conditional status changes) stay SQL, through sql() (prepared once per connection). `tx` is the caller's transaction;
 * without one, a single read goes past the identity map so it sees what other transactions
 * committed.
 */
export class PaymentRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** Payments whose `key` is among `values`, through this repository's (request) identity map unless `fresh`. */
  byKeys(key: 'id' | 'orderId', values: readonly string[], { fresh = false } = {}): Promise<Payment[]> {
    return values.length ? this.em.find(PaymentSchema, { [key]: { $in: [...values] } }, { disableIdentityMap: fresh }) : Promise.resolve([]);
  }

  byId(id: string, em: EntityManager = this.em): Promise<Payment | null> {
    return this.freshOne(em, 'id', id);
  }

  byOrderId(orderId: string, em: EntityManager = this.em): Promise<Payment | null> {
    return this.freshOne(em, 'order_id', orderId);
  }

  /** One payment as committed (past the identity map); the capture reads its payment on every order (selectEntities: no query building). */
  private async freshOne(em: EntityManager, column: 'id' | 'order_id', value: string): Promise<Payment | null> {
    const [payment] = await selectEntities(em, PaymentSchema, `${column} = $1`, [value], { fresh: true });
    return payment ?? null;
  }

  /**
   * The order's one PENDING payment, unless it has one already. Its customer: the request's, else
   * an owner assigned to the order before the payment was recorded (see assignOwner). Returns the
   * new payment's id; null when the order had one.
   */
  async insertPendingIfAbsent(tx: EntityManager, request: PaymentRequested): Promise<string | null> {
    await this.lockOrder(tx, request.orderId);
    // `on conflict do nothing`: a redelivered request under concurrency must neither fail nor add a row.
    const {
      rows: [inserted],
    } = await sql<{ id: string }>(
      tx,
      `insert into payment (id, order_id, customer_id, status, amount, currency, payment_token, created_at, updated_at)
       values ($1, $2, coalesce($3::varchar, (select customer_id from payment_order_owner where order_id = $2)), 'PENDING', $4, $5, $6, now(), now())
       on conflict (order_id) do nothing returning id`,
      [randomUUID(), request.orderId, request.customerId, request.amount, request.currency, request.paymentToken],
    );
    return inserted?.id ?? null;
  }

  /**
   * The order got an owner after checkout: remembered for a payment not recorded yet, and given to
   * the payment if it has no customer. True when a payment changed; a payment that has an owner
   * keeps it, so a redelivery or a second assignment changes nothing. `updated_at` stays: the owner
   * is not part of what the payment shows.
   */
  async assignOwner(tx: EntityManager, orderId: string, customerId: string): Promise<boolean> {
    await this.lockOrder(tx, orderId);
    await tx.execute('insert into payment_order_owner (order_id, customer_id) values (?, ?) on conflict (order_id) do nothing', [
      orderId,
      customerId,
    ]);
    const updated = await tx.execute<{ affectedRows: number }>(
      'update payment set customer_id = ? where order_id = ? and customer_id is null',
      [customerId, orderId],
      'run',
    );
    return updated.affectedRows === 1;
  }

  /**
   * Recording an order's payment and learning its owner take turns (a lock held until the
   * transaction ends): whichever comes second sees what the first committed, so an owner and a
   * payment that arrive at once on their two consumers cannot miss each other.
   */
  private async lockOrder(tx: EntityManager, orderId: string): Promise<void> {
    await sql(tx, 'select pg_advisory_xact_lock(hashtextextended($1, 0))', [orderId]);
  }

  /** Records the outcome if the payment is still PENDING; true for the one writer that did. */
  async settle(tx: EntityManager, id: string, outcome: CaptureOutcome): Promise<boolean> {
    const failed = outcome.status === 'FAILED' ? outcome : null;
    // Conditional on PENDING so only the first writer of an outcome wins. The token is needed only
    // to capture: a settled payment keeps none (refunds use the provider reference).
    const updated = await sql(
      tx,
      `update payment set status = $1, provider_reference = $2, failure_code = $3, failure_reason = $4, payment_token = null, updated_at = now()
       where id = $5 and status = 'PENDING'`,
      [outcome.status, outcome.status === 'CAPTURED' ? outcome.providerReference : null, failed?.code ?? null, failed?.reason ?? null, id],
    );
    return updated.affected === 1;
  }

  /** Ids of PENDING payments untouched for `olderThanMs`, oldest first. */
  stalePending(olderThanMs: number, limit: number): Promise<string[]> {
    return stalePendingIds(this.em, 'payment', olderThanMs, limit);
  }
}

export type { Payment, PaymentStatus };
