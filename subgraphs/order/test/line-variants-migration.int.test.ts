import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@shop/platform';
import { migratedFromOldRows } from '../../../test/support/migration.ts';
import { orderOrmOptions } from '../src/data/orm.config.ts';
import { linesOf } from '../src/data/order.repository.ts';

let orm: MikroORM;
const orderId = randomUUID();
const lamp = randomUUID();

beforeAll(async () => {
  // An order line as the previous schema wrote it: product_id was what was bought.
  orm = await migratedFromOldRows('order_variants', orderOrmOptions, '20261202000004-line-variants', async (em) => {
    await em.execute(
      `insert into customer_order (id, email, status, currency, subtotal_amount, total_amount, shipping_address, created_at, updated_at)
       values (?, 'old@example.com', 'CONFIRMED', 'USD', 5000, 5000, '{}', now(), now())`,
      [orderId],
    );
    await em.execute(
      `insert into order_line (id, order_id, product_id, name, quantity, unit_price_amount, position) values (?, ?, ?, 'Desk Lamp', 2, 2500, 0)`,
      [randomUUID(), orderId, lamp],
    );
  });
});
afterAll(async () => orm?.close());

describe('order lines after the move to variants, with rows the previous schema wrote', () => {
  it("reads an existing line as the product's only variant (same id), with no SKU recorded and no options", async () => {
    const [lines] = await linesOf(orm.em.fork(), [orderId]);
    const line = lines![0];
    expect(line).toMatchObject({
      productId: lamp,
      variantId: lamp,
      sku: '',
      variantTitle: null,
      selectedOptions: [],
      name: 'Desk Lamp',
      quantity: 2,
    });
  });
});
