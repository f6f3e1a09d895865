import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrencyCode } from '@shop/platform';

// The order seed's demo order (subgraphs share no code; the ids and total are data).
export const DEMO_CUSTOMER_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const DEMO_ORDER_ID = '00000000-0000-4000-8000-00000000a001';
export const DEMO_PAYMENT_ID = '00000000-0000-4000-8000-00000000b001';
/** The demo order's total: 1 × 1949 + 2 × 3400. */
export const DEMO_ORDER_TOTAL = 8749;

/**
 * The demo order's captured payment. Idempotent: does nothing when any payment exists (like the
 * order seed, so the demo pair is either both there or neither). Returns whether it inserted.
 */
export async function seedPayments(em: EntityManager, currency: CurrencyCode = 'USD'): Promise<boolean> {
  const existing = await em.execute<Array<{ n: number }>>('select count(*)::int as n from payment');
  if (Number(existing[0]?.n) > 0) return false;
  // Captured when the demo order was confirmed (its history's last step).
  const captured = new Date(Date.UTC(2026, 10, 1, 10, 0, 2));
  await em.execute(
    `insert into payment (id, order_id, customer_id, status, amount, currency, provider_reference, created_at, updated_at)
     values (?, ?, ?, 'CAPTURED', ?, ?, 'sim_demo_capture', ?, ?)`,
    [DEMO_PAYMENT_ID, DEMO_ORDER_ID, DEMO_CUSTOMER_ID, DEMO_ORDER_TOTAL, currency, captured, captured],
  );
  return true;
}
