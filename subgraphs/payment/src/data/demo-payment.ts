import type { EntityManager } from '@mikro-orm/postgresql';

// The order seed's demo order (subgraphs share no code; the ids and total are data).
export const DEMO_ORDER_ID = '00000000-0000-4000-8000-00000000a001';
const DEMO_CUSTOMER_ID = 'c0ffee00-0000-4000-8000-000000000001';
const DEMO_ORDER_TOTAL = 15974 + 2 * 26492;

/** The demo order's captured payment. Idempotent (one payment per order). */
export async function seedDemoPayment(em: EntityManager, currency: string): Promise<boolean> {
  const result = await em.execute<{ affectedRows: number }>(
    `insert into payment (id, order_id, customer_id, status, amount, currency, provider_reference, created_at, updated_at)
     values ('00000000-0000-4000-8000-00000000b001', ?, ?, 'CAPTURED', ?, ?, 'sim_demo_capture', now(), now())
     on conflict (order_id) do nothing`,
    [DEMO_ORDER_ID, DEMO_CUSTOMER_ID, DEMO_ORDER_TOTAL, currency],
    'run',
  );
  return result.affectedRows > 0;
}
