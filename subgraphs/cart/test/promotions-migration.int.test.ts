import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@shop/platform';
import { migratedFromOldRows } from '../../../test/support/migration.ts';
import { claimDiscountCode, findDiscountCodes, releaseDiscountCodes } from '../src/data/discount.repository.ts';
import { cartOrmOptions } from '../src/data/orm.config.ts';
import { findPromotionByCode } from '../src/data/promotion.repository.ts';
import { toDiscountCode } from '../src/domain/discount-code-compat.ts';

let orm: MikroORM;
const EXPIRES = new Date('2030-01-01T00:00:00Z');

beforeAll(async () => {
  // Discount codes as the previous schema stored them.
  orm = await migratedFromOldRows('cart_promotions', cartOrmOptions, '20261216000030-promotions', async (em) => {
    await em.execute(
      `insert into discount_code (code, kind, value, minimum_subtotal, expires_at, usage_limit, usage_count, active) values
         ('TEN', 'PERCENTAGE', 1000, 0, null, null, 7, true),
         ('FIVE', 'FIXED_AMOUNT', 500, 2500, ?, 3, 2, true),
         ('OFF', 'PERCENTAGE', 2000, null, null, null, 0, false)`,
      [EXPIRES],
    );
  });
});
afterAll(async () => orm?.close());

describe('discount codes after the move to promotions', () => {
  it('become equivalent promotions: kind to action, minimum (0: none), expiry to end, limit and usage kept, inactive archived', async () => {
    const em = orm.em.fork();
    expect(await findPromotionByCode(em, 'ten')).toMatchObject({
      title: 'TEN',
      code: 'TEN',
      priority: 0,
      combinability: 'STACKABLE',
      startsAt: null,
      endsAt: null,
      usageLimit: null,
      usageCount: 7,
      archivedAt: null,
      conditions: { minimumSubtotal: null, minimumQuantity: null, target: null, signedInOnly: false, firstOrderOnly: false },
      action: { type: 'ORDER_PERCENTAGE', basisPoints: 1000 },
    });
    expect(await findPromotionByCode(em, 'FIVE')).toMatchObject({
      endsAt: EXPIRES,
      usageLimit: 3,
      usageCount: 2,
      conditions: { minimumSubtotal: 2500 },
      action: { type: 'ORDER_FIXED', amount: 500 },
    });
    expect((await findPromotionByCode(em, 'OFF'))?.archivedAt).toBeInstanceOf(Date);
  });

  it('still read the same through discount_code (now a view) and through the compatibility mapping', async () => {
    const em = orm.em.fork();
    const rows = await findDiscountCodes(em, ['TEN', 'FIVE', 'OFF']);
    const legacy = rows.map(({ code, kind, value, minimumSubtotal, expiresAt, usageLimit, usageCount, active }) => ({
      code,
      kind,
      value,
      minimumSubtotal,
      expiresAt,
      usageLimit,
      usageCount,
      active,
    }));
    expect(legacy.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: 'FIVE', kind: 'FIXED_AMOUNT', value: 500, minimumSubtotal: 2500, expiresAt: EXPIRES, usageLimit: 3, usageCount: 2, active: true },
      { code: 'OFF', kind: 'PERCENTAGE', value: 2000, minimumSubtotal: null, expiresAt: null, usageLimit: null, usageCount: 0, active: false },
      { code: 'TEN', kind: 'PERCENTAGE', value: 1000, minimumSubtotal: null, expiresAt: null, usageLimit: null, usageCount: 7, active: true },
    ]);
    expect(toDiscountCode((await findPromotionByCode(em, 'FIVE'))!)).toMatchObject(legacy.find((c) => c.code === 'FIVE')!);
  });

  it("counts a legacy claim and release on the promotion's own counter, within its limit", async () => {
    const claimOnce = () => orm.em.fork().transactional((tx) => claimDiscountCode(tx, 'FIVE'));
    expect(await claimOnce()).toBe(true);
    expect(await claimOnce()).toBe(false);
    expect((await findPromotionByCode(orm.em.fork(), 'FIVE'))?.usageCount).toBe(3);
    await orm.em.fork().transactional((tx) => releaseDiscountCodes(tx, ['FIVE']));
    expect((await findPromotionByCode(orm.em.fork(), 'FIVE'))?.usageCount).toBe(2);
  });
});
