import pg from 'pg';
import { gql, type TestSupergraph } from './stack.ts';
import type { CartCount, Purchases } from './fault-shop.ts';
import type { Recorder } from './faults.ts';
import { sleep } from './live.ts';

/**
 * What must hold after any fault, read from the subgraphs' own databases: nothing lost, nothing
 * stuck, at most one capture per order, no charged-but-failed order, stock = initial − confirmed.
 */

const FINAL = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED'];
const PAID = ['CONFIRMED', 'SHIPPED', 'DELIVERED'];

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface Stock {
  onHand: number;
  reserved: number;
}

/** Stock of variants as the catalog database holds it (a one-variant product's variant has the product's id). */
export async function stockOf(stack: TestSupergraph, productIds: string[]): Promise<Map<string, Stock>> {
  const rows = await query<{ id: string; on_hand: number; reserved: number }>(
    stack.databaseUrls.catalog!,
    'select id::text, on_hand, reserved from product_variant where id::text = any($1)',
    [productIds],
  );
  return new Map(rows.map((r) => [r.id, { onHand: r.on_hand, reserved: r.reserved }]));
}

export interface Scope {
  /** Every cart the scenario made (checkouts the client never heard of are found through them). */
  cartIds: string[];
  /** Checkouts the client saw accepted (their ids are the order ids). */
  accepted: Iterable<string>;
  /** Stock of the scenario's products before it started. */
  initialStock: Map<string, Stock>;
}

export interface Outcome {
  /** Everything that breaks an invariant (empty when all hold). */
  problems: string[];
  /** Final order statuses by count. */
  statuses: Record<string, number>;
}

/** One reading of the four databases for the scope, and what it breaks. */
export async function check(stack: TestSupergraph, scope: Scope): Promise<Outcome> {
  const { cart, order, payment } = stack.databaseUrls as Record<string, string>;
  const problems: string[] = [];
  const carts = await query<{ id: string; status: string }>(cart!, 'select id::text, status from cart where id::text = any($1)', [scope.cartIds]);
  const checkouts = await query<{ id: string; cart_id: string; status: string }>(
    cart!,
    'select id::text, cart_id::text, status from checkout where cart_id::text = any($1)',
    [scope.cartIds],
  );
  const orderIds = [...new Set([...scope.accepted, ...checkouts.map((c) => c.id)])];
  const orders = new Map(
    (await query<{ id: string; status: string }>(order!, 'select id::text, status from customer_order where id::text = any($1)', [orderIds])).map(
      (o) => [o.id, o.status],
    ),
  );
  const lines = await query<{ order_id: string; product_id: string; quantity: number }>(
    order!,
    'select order_id::text, product_id::text, quantity from order_line where order_id::text = any($1)',
    [orderIds],
  );
  const payments = await query<{ order_id: string; status: string; amount: number; n: number }>(
    payment!,
    'select order_id::text, min(status) as status, min(amount) as amount, count(*)::int as n from payment where order_id::text = any($1) group by order_id',
    [orderIds],
  );
  // The provider's ledger: one row per idempotency key (the order id for a capture), so a second
  // charge of an order would be a second payment row; refunds point at their capture.
  const captures = await query<{ order_id: string; amount: number; refunded: number }>(
    payment!,
    `select c.idempotency_key as order_id, c.amount,
            (select coalesce(sum(r.amount), 0) from simulator_charge r
              where r.kind = 'REFUND' and r.outcome = 'SUCCEEDED' and r.capture_reference = c.provider_reference)::int as refunded
       from simulator_charge c where c.kind = 'CAPTURE' and c.outcome = 'SUCCEEDED' and c.idempotency_key = any($1)`,
    [orderIds],
  );
  const pendingRefunds = await query<{ order_id: string }>(
    payment!,
    `select p.order_id::text from refund r join payment p on p.id = r.payment_id where r.status = 'PENDING' and p.order_id::text = any($1)`,
    [orderIds],
  );

  for (const id of scope.accepted) if (!orders.has(id)) problems.push(`lost: accepted checkout ${id} has no order`);
  for (const c of checkouts) {
    if (!orders.has(c.id)) problems.push(`lost: checkout ${c.id} of cart ${c.cart_id} has no order`);
    if (c.status === 'PENDING') problems.push(`stuck: checkout ${c.id} PENDING`);
  }
  for (const c of carts) if (c.status === 'CHECKING_OUT') problems.push(`stuck: cart ${c.id} CHECKING_OUT`);
  for (const [id, status] of orders) if (!FINAL.includes(status)) problems.push(`stuck: order ${id} ${status}`);
  const paymentOf = new Map(payments.map((p) => [p.order_id, p]));
  for (const p of payments) {
    if (p.n > 1) problems.push(`double capture: order ${p.order_id} has ${p.n} payments`);
    if (p.status === 'PENDING') problems.push(`stuck: payment of order ${p.order_id} PENDING`);
  }
  for (const r of pendingRefunds) problems.push(`stuck: refund of order ${r.order_id} PENDING`);
  const captureOf = new Map(captures.map((c) => [c.order_id, c]));
  for (const [id, status] of orders) {
    const charged = captureOf.get(id);
    if (PAID.includes(status)) {
      if (!charged || paymentOf.get(id)?.status !== 'CAPTURED')
        problems.push(`unpaid: order ${id} ${status} with payment ${paymentOf.get(id)?.status} and ${charged ? 'a' : 'no'} capture`);
    } else if (charged && charged.refunded < charged.amount) {
      problems.push(
        `charged but failed: order ${id} ${status}, captured ${charged.amount}, refunded ${charged.refunded} (payment ${paymentOf.get(id)?.status})`,
      );
    }
  }

  const sold = new Map<string, number>();
  for (const l of lines) if (PAID.includes(orders.get(l.order_id) ?? '')) sold.set(l.product_id, (sold.get(l.product_id) ?? 0) + l.quantity);
  const now = await stockOf(stack, [...scope.initialStock.keys()]);
  for (const [id, before] of scope.initialStock) {
    const after = now.get(id);
    const expected = { onHand: before.onHand - (sold.get(id) ?? 0), reserved: before.reserved };
    if (after?.onHand !== expected.onHand || after.reserved !== expected.reserved) {
      problems.push(`stock: product ${id} is ${JSON.stringify(after)}, expected ${JSON.stringify(expected)} (initial − confirmed)`);
    }
  }
  const statuses: Record<string, number> = {};
  for (const status of orders.values()) statuses[status] = (statuses[status] ?? 0) + 1;
  return { problems, statuses };
}

/**
 * Waits (bounded) until every invariant holds; a transient state (an order still in its saga, a
 * refund on its way) is given the time. Answers the last reading and how long it took.
 */
export async function settle(stack: TestSupergraph, scope: Scope, timeoutMs: number): Promise<Outcome & { ms: number }> {
  const started = Date.now();
  for (;;) {
    const outcome = await check(stack, scope);
    if (outcome.problems.length === 0 || Date.now() - started > timeoutMs) return { ...outcome, ms: Date.now() - started };
    await sleep(250);
  }
}

/**
 * Cart edits: every acknowledged add is in the cart's row (and no more than were sent), and a
 * read through the gateway (the cache first) answers what Postgres holds.
 */
export async function cartWritesKept(stack: TestSupergraph, counts: CartCount[]): Promise<string[]> {
  const rows = await query<{ id: string; version: number; quantity: number }>(
    stack.databaseUrls.cart!,
    'select c.id::text, c.version, coalesce(sum(l.quantity), 0)::int as quantity from cart c left join cart_line l on l.cart_id = c.id where c.id::text = any($1) group by c.id',
    [counts.map((c) => c.id)],
  );
  const stored = new Map(rows.map((r) => [r.id, r]));
  const problems: string[] = [];
  for (const cart of counts) {
    const row = stored.get(cart.id);
    if (!row || row.quantity < cart.acked || row.quantity > cart.attempted) {
      problems.push(`lost: cart ${cart.id} holds ${row?.quantity} units after ${cart.acked} acknowledged of ${cart.attempted} sent`);
      continue;
    }
    const read = await gql<{ cart: { version: number; totalQuantity: number } }>(
      stack.gatewayUrl,
      'query ($id: ID!) { cart(id: $id) { version totalQuantity } }',
      { variables: { id: cart.id } },
    );
    const seen = read.body.data?.cart;
    if (seen?.version !== row.version || seen.totalQuantity !== row.quantity) {
      problems.push(
        `stale: cart ${cart.id} reads ${JSON.stringify(seen ?? read.body.errors)}, Postgres holds version ${row.version} with ${row.quantity} units`,
      );
    }
  }
  return problems;
}

/**
 * Checkouts accepted before the kill (and before the restart) whose order reached its final status
 * only after it: the sagas the fault cut through or held up.
 */
export async function sagasHeldUp(stack: TestSupergraph, purchases: Purchases, rec: Recorder): Promise<{ atKill: number; atRestart: number }> {
  const finishedAfter = async (at: number) => {
    const [row] = await query<{ n: number }>(
      stack.databaseUrls.order!,
      'select count(distinct order_id)::int as n from order_status_change where order_id::text = any($1) and status = any($3) and at > $2',
      [purchases.acceptedBefore(at), new Date(at), FINAL],
    );
    return row?.n ?? 0;
  };
  return { atKill: await finishedAfter(rec.marks.fault!), atRestart: await finishedAfter(rec.marks.restart!) };
}
