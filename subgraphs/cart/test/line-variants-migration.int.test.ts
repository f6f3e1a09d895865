import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@shop/platform';
import { migratedFromOldRows } from '../../../test/support/migration.ts';
import { cartOrmOptions } from '../src/data/orm.config.ts';
import { loadCartView } from '../src/domain/cart-view.ts';

let orm: MikroORM;
const cartId = 'migration-cart-0000000000000001';
const lamp = randomUUID();

beforeAll(async () => {
  // A cart line as the previous schema wrote it: product_id was what the line bought.
  orm = await migratedFromOldRows('cart_variants', cartOrmOptions, '20261202000004-line-variants', async (em) => {
    await em.execute(
      `insert into cart (id, status, version, currency, created_at, updated_at, expires_at) values (?, 'ACTIVE', 3, 'USD', now(), now(), now() + interval '1 day')`,
      [cartId],
    );
    await em.execute(
      `insert into cart_line (id, cart_id, product_id, quantity, unit_price_amount, name, available, priced_at, created_at, updated_at)
       values (?, ?, ?, 2, 2500, 'Desk Lamp', true, now(), now(), now())`,
      [randomUUID(), cartId, lamp],
    );
  });
});
afterAll(async () => orm?.close());

describe('cart lines after the move to variants, with rows the previous schema wrote', () => {
  it("reads an existing line as buying the product's only variant (same id), with its price and quantity", async () => {
    const view = await loadCartView(orm.em.fork(), cartId, { defaultCountry: 'US', pricesIncludeTax: false });
    expect(view).toMatchObject({ version: 3, totals: expect.objectContaining({ subtotal: 5000 }) });
    expect(view!.lines).toEqual([
      expect.objectContaining({
        variantId: lamp,
        productId: lamp,
        quantity: 2,
        unitPriceAmount: 2500,
        name: 'Desk Lamp',
        sku: null,
        selectedOptions: [],
      }),
    ]);
  });

  it('keeps one line per variant: the same variant cannot be inserted twice', async () => {
    await expect(
      orm.em
        .fork()
        .execute(`insert into cart_line (id, cart_id, variant_id, product_id, quantity, created_at) values (?, ?, ?, ?, 1, now())`, [
          randomUUID(),
          cartId,
          lamp,
          lamp,
        ]),
    ).rejects.toThrow(/cart_line_cart_id_variant_id_key/);
  });
});
