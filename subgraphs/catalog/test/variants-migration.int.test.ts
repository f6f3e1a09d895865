import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@shop/platform';
import { migratedFromOldRows } from '../../../test/support/migration.ts';
import { catalogOrmOptions } from '../src/data/orm.config.ts';
import { InventoryService } from '../src/domain/inventory.service.ts';

let orm: MikroORM;
const lamp = randomUUID();
const gone = randomUUID();
const heldOrder = randomUUID();

beforeAll(async () => {
  // Data as the previous schema wrote it: stock on the product, a reservation line and an adjustment naming it.
  orm = await migratedFromOldRows('catalog_variants', catalogOrmOptions, '20261202000000-variants', async (em) => {
    await em.execute(
      `insert into product (id, sku, slug, name, description, price_amount, currency, images, on_hand, reserved, created_at, updated_at, deleted_at)
       values (?, 'LAMP-1', 'lamp', 'Desk Lamp', '', 2500, 'USD', '[]', 10, 3, now(), now(), null),
              (?, 'GONE-1', 'gone', 'Old Lamp', '', 900, 'USD', '[]', 2, 0, now(), now(), now())`,
      [lamp, gone],
    );
    await em.execute(
      `insert into stock_reservation (order_id, status, expires_at, created_at, updated_at) values (?, 'RESERVED', now() + interval '1 hour', now(), now())`,
      [heldOrder],
    );
    await em.execute('insert into stock_reservation_line (order_id, product_id, quantity) values (?, ?, 3)', [heldOrder, lamp]);
    await em.execute(
      `insert into inventory_adjustment (id, product_id, delta, reason, actor, created_at) values (?, ?, 10, 'delivery', 'admin-1', now())`,
      [randomUUID(), lamp],
    );
  });
});
afterAll(async () => orm?.close());

describe('migration to variants, with data the previous schema wrote', () => {
  it('makes every product a one-variant product with its id, SKU, price and stock', async () => {
    const variants = await orm.em
      .fork()
      .execute(
        'select id, product_id as "productId", sku, title, price_amount as "price", on_hand as "onHand", reserved, deleted_at is not null as deleted from product_variant order by sku',
      );
    expect(variants).toEqual([
      { id: gone, productId: gone, sku: 'GONE-1', title: 'Default Title', price: 900, onHand: 2, reserved: 0, deleted: true },
      { id: lamp, productId: lamp, sku: 'LAMP-1', title: 'Default Title', price: 2500, onHand: 10, reserved: 3, deleted: false },
    ]);
    const [product] = await orm.em.fork().execute(`select options from product where id = ?`, [lamp]);
    expect(product).toEqual({ options: [] });
  });

  it('keeps existing reservations working: the held order commits against the variant', async () => {
    const [line] = await orm.em
      .fork()
      .execute('select variant_id as "variantId", quantity from stock_reservation_line where order_id = ?', [heldOrder]);
    expect(line).toEqual({ variantId: lamp, quantity: 3 });
    const result = await orm.em.fork().transactional((em) => new InventoryService().commit(em, heldOrder));
    expect(result.outcome).toEqual({ status: 'COMMITTED', orderId: heldOrder });
    const [stock] = await orm.em.fork().execute('select on_hand as "onHand", reserved from product_variant where id = ?', [lamp]);
    expect(stock).toEqual({ onHand: 7, reserved: 0 });
    const [adjustment] = await orm.em.fork().execute('select variant_id as "variantId", delta from inventory_adjustment');
    expect(adjustment).toEqual({ variantId: lamp, delta: 10 });
  });
});
