import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrencyCode } from '@shop/platform';

/** Fixed ids so docs, tests and the payment seed can name the demo order. */
export const DEMO_CUSTOMER_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const DEMO_ORDER_ID = '00000000-0000-4000-8000-00000000a001';

// The catalog seed's SKU-000001 and SKU-000002 (subgraphs share no code; the ids are data).
const LINES = [
  { productId: '53e7375a-9289-4098-8294-9dd41411b998', name: 'Greenhaven Indoor Watering Can', quantity: 1, unitPriceAmount: 1949 },
  { productId: 'f8e191da-0473-44ff-b2c3-5b37a4b3a6b8', name: 'Tumble & Co 500-Piece Jigsaw Puzzle', quantity: 2, unitPriceAmount: 3400 },
];
/** 8749: the payment seed charges exactly this. */
export const DEMO_ORDER_TOTAL = LINES.reduce((sum, l) => sum + l.quantity * l.unitPriceAmount, 0);

/**
 * The demo customer's confirmed order with its history. Idempotent: does nothing when any order
 * exists (like the catalog seed), so it never mixes into a database with real orders.
 * Returns whether it inserted.
 */
export async function seedOrders(em: EntityManager, currency: CurrencyCode = 'USD'): Promise<boolean> {
  const existing = await em.execute<Array<{ n: number }>>('select count(*)::int as n from customer_order');
  if (Number(existing[0]?.n) > 0) return false;
  await em.transactional(async (tx) => {
    const placed = new Date(Date.UTC(2026, 10, 1, 10, 0, 0));
    await tx.execute(
      `insert into customer_order (id, customer_id, email, status, currency, subtotal_amount, total_amount, shipping_address, created_at, updated_at)
       values (?, ?, ?, 'CONFIRMED', ?, ?, ?, ?, ?, ?)`,
      [
        DEMO_ORDER_ID,
        DEMO_CUSTOMER_ID,
        'demo@example.com',
        currency,
        DEMO_ORDER_TOTAL,
        DEMO_ORDER_TOTAL,
        JSON.stringify({ name: 'Demo Customer', line1: '1 Main Street', city: 'Springfield', postalCode: '12345', countryCode: 'US' }),
        placed,
        placed,
      ],
    );
    for (const [position, line] of LINES.entries()) {
      await tx.execute(
        `insert into order_line (id, order_id, product_id, variant_id, sku, variant_title, name, quantity, unit_price_amount, position)
         values (gen_random_uuid(), ?, ?, ?, '', 'Default Title', ?, ?, ?, ?)`,
        [DEMO_ORDER_ID, line.productId, line.productId, line.name, line.quantity, line.unitPriceAmount, position],
      );
    }
    for (const [i, status] of (['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED'] as const).entries()) {
      await tx.execute('insert into order_status_change (id, order_id, status, reason, at) values (gen_random_uuid(), ?, ?, null, ?)', [
        DEMO_ORDER_ID,
        status,
        new Date(placed.getTime() + i * 1000),
      ]);
    }
  });
  return true;
}
