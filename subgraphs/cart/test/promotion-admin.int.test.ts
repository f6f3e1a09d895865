import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, customer, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
beforeAll(async () => {
  h = await startCartHarness();
});
afterAll(async () => h?.close());

const PROMOTION = `id title code priority combinability startsAt endsAt usageLimit usageLimitPerCustomer usageCount archived archivedAt
  conditions { minimumSubtotal { amount currencyCode } minimumQuantity targetVariantIds targetProductIds targetCategoryIds signedInOnly firstOrderOnly }
  action { kind percentage amount { amount } buyQuantity getQuantity maxApplications }`;
const CREATE = `mutation ($input: PromotionInput!) { promotionCreate(input: $input) { promotion { ${PROMOTION} } userErrors { field code message } } }`;
const UPDATE = `mutation ($id: ID!, $input: PromotionInput!) { promotionUpdate(id: $id, input: $input) { promotion { ${PROMOTION} } userErrors { field code message } } }`;
const ARCHIVE = `mutation ($id: ID!) { promotionArchive(id: $id) { promotion { id archived archivedAt } userErrors { field code } } }`;
const LIST = `query ($first: Int, $after: String, $all: Boolean) {
  promotions(first: $first, after: $after, includeArchived: $all) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title code usageCount archived } } } }`;

let sequence = 0;
/** A unique code per test, so the tests share one database without meeting. */
const code = (prefix: string) => `${prefix}-${++sequence}-${process.pid}`;
const fields = (errors: Array<{ field: string[]; code: string }>) => errors.map((e) => [e.field.join('.'), e.code]).sort();

async function create(input: Record<string, unknown>) {
  const res = await h.run(CREATE, ADMIN, { input });
  expect(res.errors).toBeUndefined();
  return res.data.promotionCreate;
}

async function listAll(all = true): Promise<Array<{ id: string; code: string | null; usageCount: number; archived: boolean }>> {
  const res = await h.run(LIST, ADMIN, { first: 100, all });
  expect(res.errors).toBeUndefined();
  return res.data.promotions.edges.map((e: { node: unknown }) => e.node);
}

describe('promotionCreate / promotionUpdate / promotionArchive (admin)', () => {
  it('creates a promotion from GraphQL names: code upper-cased, decimals to money and percent, targets, every field back', async () => {
    const tees = code('tees');
    const { promotion, userErrors } = await create({
      title: ' Tees: buy 2, get 1 half price ',
      code: tees.toLowerCase(),
      priority: 5,
      combinability: 'EXCLUSIVE',
      startsAt: '2026-06-01T00:00:00Z',
      endsAt: '2026-07-01T00:00:00Z',
      usageLimit: 100,
      usageLimitPerCustomer: 2,
      conditions: { minimumSubtotal: '20.00', minimumQuantity: 3, targetProductIds: ['p-tee'], targetCategoryIds: ['c-shirts'], signedInOnly: true },
      action: { kind: 'BUY_X_GET_Y', buyQuantity: 2, getQuantity: 1, percentage: '50', maxApplications: 4 },
    });
    expect(userErrors).toEqual([]);
    expect(promotion).toEqual({
      id: expect.any(String),
      title: 'Tees: buy 2, get 1 half price',
      code: tees.toUpperCase(),
      priority: 5,
      combinability: 'EXCLUSIVE',
      startsAt: '2026-06-01T00:00:00.000Z',
      endsAt: '2026-07-01T00:00:00.000Z',
      usageLimit: 100,
      usageLimitPerCustomer: 2,
      usageCount: 0,
      archived: false,
      archivedAt: null,
      conditions: {
        minimumSubtotal: { amount: '20.00', currencyCode: 'USD' },
        minimumQuantity: 3,
        targetVariantIds: [],
        targetProductIds: ['p-tee'],
        targetCategoryIds: ['c-shirts'],
        signedInOnly: true,
        firstOrderOnly: false,
      },
      action: { kind: 'BUY_X_GET_Y', percentage: '50.00', amount: null, buyQuantity: 2, getQuantity: 1, maxApplications: 4 },
    });
    const [row] = await h.orm.em.fork().execute<Array<{ action: unknown }>>('select action from promotion where id = ?', [promotion.id]);
    expect(row!.action).toEqual({ type: 'BUY_X_GET_Y', buyQuantity: 2, getQuantity: 1, basisPoints: 5000, maxApplications: 4 });
  });

  it('fills the defaults for an automatic promotion: no code, priority 0, stackable, no conditions', async () => {
    const { promotion } = await create({ title: 'Free delivery', action: { kind: 'FREE_DELIVERY' } });
    expect(promotion).toMatchObject({
      code: null,
      priority: 0,
      combinability: 'STACKABLE',
      conditions: { minimumSubtotal: null, targetProductIds: [], signedInOnly: false, firstOrderOnly: false },
      action: { kind: 'FREE_DELIVERY', percentage: null, amount: null, buyQuantity: null },
    });
  });

  it('reports every problem of an input at once, under the GraphQL field names, and writes nothing', async () => {
    const before = await listAll();
    const res = await h.run(CREATE, ADMIN, {
      input: {
        title: '  ',
        code: 'no spaces!',
        priority: -1,
        startsAt: '2026-07-01T00:00:00Z',
        endsAt: '2026-06-01T00:00:00Z',
        usageLimit: 0,
        conditions: { minimumSubtotal: '1.999', targetVariantIds: [''] },
        action: { kind: 'ORDER_PERCENTAGE', percentage: '150', amount: '5.00' },
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.promotionCreate.promotion).toBeNull();
    expect(fields(res.data.promotionCreate.userErrors)).toEqual([
      ['input.action.amount', 'INVALID'],
      ['input.action.percentage', 'INVALID'],
      ['input.code', 'INVALID'],
      ['input.conditions.minimumSubtotal', 'PRECISION'],
      ['input.conditions.targetVariantIds.0', 'REQUIRED'],
      ['input.endsAt', 'INVALID'],
      ['input.priority', 'NEGATIVE'],
      ['input.title', 'REQUIRED'],
      ['input.usageLimit', 'INVALID'],
    ]);
    const missing = await h.run(CREATE, ADMIN, { input: { title: 'Bxgy', action: { kind: 'BUY_X_GET_Y', getQuantity: 1 } } });
    expect(missing.data.promotionCreate.userErrors).toEqual([
      { field: ['input', 'action', 'buyQuantity'], code: 'REQUIRED', message: 'Buy quantity is required for BUY_X_GET_Y promotions' },
    ]);
    expect(await listAll()).toEqual(before);
  });

  it('keeps codes unique in any case, archived ones included, reported with the other problems', async () => {
    const summer = code('summer');
    const first = await create({ title: 'Summer', code: summer, action: { kind: 'ORDER_FIXED', amount: '5.00' } });
    expect(first.userErrors).toEqual([]);
    await h.run(ARCHIVE, ADMIN, { id: first.promotion.id });
    const again = await h.run(CREATE, ADMIN, {
      input: { title: '', code: ` ${summer.toLowerCase()} `, action: { kind: 'ORDER_FIXED', amount: '5' } },
    });
    expect(again.data.promotionCreate.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'title'], code: 'REQUIRED' }),
      { field: ['input', 'code'], code: 'TAKEN', message: `Code ${summer.toUpperCase()} is already used by "Summer" (archived)` },
    ]);
    const other = await create({ title: 'Other', code: code('other'), action: { kind: 'ORDER_FIXED', amount: '1.00' } });
    const clash = await h.run(UPDATE, ADMIN, { id: other.promotion.id, input: { title: 'Other', code: summer, action: { kind: 'FREE_DELIVERY' } } });
    expect(fields(clash.data.promotionUpdate.userErrors)).toEqual([['input.code', 'TAKEN']]);
  });

  it('updates the definition, keeping the id, usage count and archived state; an unknown id is NOT_FOUND', async () => {
    const { promotion } = await create({ title: 'Spring', code: code('spring'), action: { kind: 'ORDER_PERCENTAGE', percentage: '10' } });
    await h.orm.em.fork().execute('update promotion set usage_count = 3 where id = ?', [promotion.id]);
    const res = await h.run(UPDATE, ADMIN, {
      id: promotion.id,
      input: { title: 'Spring, better', code: promotion.code, usageLimit: 10, action: { kind: 'LINE_PERCENTAGE', percentage: '12.5' } },
    });
    expect(res.data.promotionUpdate.userErrors).toEqual([]);
    expect(res.data.promotionUpdate.promotion).toMatchObject({
      id: promotion.id,
      title: 'Spring, better',
      usageLimit: 10,
      usageCount: 3,
      archived: false,
      action: { kind: 'LINE_PERCENTAGE', percentage: '12.50' },
    });
    for (const id of ['6f1c1a55-0b9e-4c43-9e4e-3f3c1f0b7a11', 'abc']) {
      const missing = await h.run(UPDATE, ADMIN, { id, input: { title: 'x', action: { kind: 'FREE_DELIVERY' } } });
      expect(missing.errors).toBeUndefined();
      expect(missing.data.promotionUpdate).toMatchObject({ promotion: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
      const archive = await h.run(ARCHIVE, ADMIN, { id });
      expect(archive.data.promotionArchive).toEqual({ promotion: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
    }
  });

  it('archives once (a second archive keeps the time); archived promotions are listed only when asked for', async () => {
    const { promotion } = await create({ title: 'Winter', action: { kind: 'FREE_DELIVERY' } });
    const first = await h.run(ARCHIVE, ADMIN, { id: promotion.id });
    expect(first.data.promotionArchive.promotion).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    const second = await h.run(ARCHIVE, ADMIN, { id: promotion.id });
    expect(second.data.promotionArchive.promotion.archivedAt).toBe(first.data.promotionArchive.promotion.archivedAt);
    expect((await listAll(false)).map((p) => p.id)).not.toContain(promotion.id);
    expect((await listAll(true)).find((p) => p.id === promotion.id)).toMatchObject({ archived: true });
  });
});

describe('promotions (admin list)', () => {
  it('pages in priority order with cursors, and counts what the filter holds', async () => {
    const all = await listAll();
    const pages: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res = await h.run(LIST, ADMIN, { first: 2, after, all: true });
      const connection = res.data.promotions;
      expect(connection.totalCount).toBe(all.length);
      pages.push(...connection.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toEqual(all.map((p) => p.id));
    const bad = await h.run(LIST, ADMIN, { first: 2, after: 'nonsense' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('discount codes (deprecated) over promotions', () => {
  const UPSERT = `mutation ($input: DiscountCodeInput!) {
    discountCodeUpsert(input: $input) { discountCode { code kind value minimumSubtotal { amount } usageLimit usageCount active } userErrors { field code } } }`;
  const CODES = '{ discountCodes { code kind value active } }';

  it('writes a code as an order promotion, redefines it keeping what a code cannot say, and archives it when switched off', async () => {
    const spring = code('spring').toUpperCase();
    const made = await h.run(UPSERT, ADMIN, { input: { code: spring.toLowerCase(), kind: 'PERCENTAGE', value: '15', minimumSubtotal: '0' } });
    expect(made.data.discountCodeUpsert).toEqual({
      discountCode: { code: spring, kind: 'PERCENTAGE', value: '15.00', minimumSubtotal: null, usageLimit: null, usageCount: 0, active: true },
      userErrors: [],
    });
    const listed = (await listAll()).find((p) => p.code === spring)!;
    await h.run(UPDATE, ADMIN, {
      id: listed.id,
      input: {
        title: 'Spring sale',
        code: spring,
        priority: 7,
        conditions: { firstOrderOnly: true },
        action: { kind: 'ORDER_PERCENTAGE', percentage: '15' },
      },
    });
    const redefined = await h.run(UPSERT, ADMIN, { input: { code: spring, kind: 'FIXED_AMOUNT', value: '4.00', usageLimit: 9, active: false } });
    expect(redefined.data.discountCodeUpsert.discountCode).toMatchObject({ kind: 'FIXED_AMOUNT', value: '4.00', usageLimit: 9, active: false });
    const list = await h.run(`{ promotions(includeArchived: true) { edges { node { ${PROMOTION} } } } }`, ADMIN);
    const promotion = list.data.promotions.edges.map((e: { node: { id: string } }) => e.node).find((p: { id: string }) => p.id === listed.id);
    expect(promotion).toMatchObject({
      title: 'Spring sale',
      priority: 7,
      archived: true,
      usageLimit: 9,
      conditions: { firstOrderOnly: true },
      action: { kind: 'ORDER_FIXED', amount: { amount: '4.00' } },
    });
    const back = await h.run(UPSERT, ADMIN, { input: { code: spring, kind: 'FIXED_AMOUNT', value: '4.00' } });
    expect(back.data.discountCodeUpsert.discountCode.active).toBe(true);
  });

  it('lists the promotions a code can express, not automatic, targeted or other kinds', async () => {
    const targeted = code('targeted').toUpperCase();
    const free = code('free').toUpperCase();
    await create({ title: 'T', code: targeted, conditions: { targetProductIds: ['p-1'] }, action: { kind: 'ORDER_PERCENTAGE', percentage: '5' } });
    await create({ title: 'F', code: free, action: { kind: 'FREE_DELIVERY' } });
    const res = await h.run(CODES, ADMIN);
    const codes = res.data.discountCodes.map((c: { code: string }) => c.code);
    expect(codes).toEqual(expect.arrayContaining(['WELCOME10', 'SAVE15', 'FIVEOFF']));
    expect(codes).not.toContain(targeted);
    expect(codes).not.toContain(free);
    expect(res.data.discountCodes.find((c: { code: string }) => c.code === 'FIVEOFF')).toEqual({
      code: 'FIVEOFF',
      kind: 'FIXED_AMOUNT',
      value: '5.00',
      active: true,
    });
  });
});

describe('admin only', () => {
  it('refuses guests and customers every promotion field, and writes nothing', async () => {
    const before = await listAll();
    const input = { title: 'Sneaky', action: { kind: 'FREE_DELIVERY' } };
    const { id } = before[0]!;
    for (const identity of [GUEST, customer('shopper-1')]) {
      const denied = [
        await h.run(CREATE, identity, { input }),
        await h.run(UPDATE, identity, { id, input }),
        await h.run(ARCHIVE, identity, { id }),
        await h.run(LIST, identity, {}),
        await h.run('{ discountCodes { code } }', identity),
        await h.run('mutation { discountCodeUpsert(input: { code: "SNEAKY", kind: PERCENTAGE, value: "50" }) { userErrors { code } } }', identity),
      ];
      for (const res of denied) expect(res.errors?.[0]?.extensions?.code).toMatch(/^(UNAUTHENTICATED|FORBIDDEN)$/);
    }
    expect(await listAll()).toEqual(before);
  });
});
