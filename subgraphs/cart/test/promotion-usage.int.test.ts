import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimPromotionUsages, releasePromotionUsages, type ClaimRequest, type ClaimResult } from '../src/data/promotion-usage.repository.ts';
import { activePromotions, insertPromotion, setPromotionArchived } from '../src/data/promotion.repository.ts';
import { applyOrderStatus } from '../src/domain/cart-fate.ts';
import { parsePromotionInput } from '../src/domain/promotions/index.ts';
import { startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
beforeAll(async () => {
  h = await startCartHarness();
});
afterAll(async () => h?.close());

let sequence = 0;
/** A promotion stored as an admin would enter it; its id. */
async function define(input: Record<string, unknown>): Promise<string> {
  const parsed = parsePromotionInput(input, 'USD');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.userErrors));
  return (await insertPromotion(h.orm.em.fork(), parsed.promotion))!.id;
}

/** A code promotion (so it never turns up as an automatic one elsewhere in this file). */
const promotion = (input: Record<string, unknown> = {}) =>
  define({ title: 'Test', code: `USE-${++sequence}`, action: { type: 'ORDER_FIXED', amount: '1.00' }, ...input });

const claim = (request: Omit<ClaimRequest, 'checkoutId'> & { checkoutId?: string }): Promise<ClaimResult> =>
  h.orm.em.fork().transactional((tx) => claimPromotionUsages(tx, { checkoutId: randomUUID(), ...request }));
const release = (checkoutId: string) => h.orm.em.fork().transactional((tx) => releasePromotionUsages(tx, checkoutId));

/**
 * `n` claims, each in its own transaction, all begun (each holding its pooled connection) before any
 * of them claims: they really race for the promotion rows.
 */
async function racingClaims(n: number, request: (i: number) => Omit<ClaimRequest, 'checkoutId'>): Promise<ClaimResult[]> {
  const begun = Promise.withResolvers<void>();
  let waiting = n;
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      h.orm.em.fork().transactional(async (tx) => {
        await tx.execute('select 1');
        if (--waiting === 0) begun.resolve();
        await begun.promise;
        return claimPromotionUsages(tx, { checkoutId: randomUUID(), ...request(i) });
      }),
    ),
  );
}

async function usage(id: string): Promise<{ count: number; rows: number }> {
  const [row] = await h.orm.em.fork().execute<Array<{ count: number; rows: number }>>(
    `select usage_count as count, (select count(*)::int from promotion_usage where promotion_id = p.id and released_at is null) as rows
       from promotion p where id = ?`,
    [id],
  );
  return row!;
}

describe('claimPromotionUsages under concurrency', () => {
  it('lets exactly 5 of 20 racing checkouts claim a promotion limited to 5 uses', async () => {
    const id = await promotion({ usageLimit: 5 });
    const results = await racingClaims(20, (i) => ({ promotionIds: [id], customerId: `racer-${i}` }));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.flatMap((r) => (r.ok ? [] : r.refused));
    expect(refused).toHaveLength(15);
    expect(new Set(refused.map((r) => `${r.promotionId} ${r.reason}`))).toEqual(new Set([`${id} USAGE_LIMIT_REACHED`]));
    expect(await usage(id)).toEqual({ count: 5, rows: 5 });
  });

  it('lets one customer claim a once-per-customer promotion once in 5 racing checkouts; others and guests still may', async () => {
    const id = await promotion({ usageLimitPerCustomer: 1 });
    const results = await racingClaims(5, () => ({ promotionIds: [id], customerId: 'eager' }));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.flatMap((r) => (r.ok ? [] : r.refused.map((x) => x.reason)))).toEqual(Array(4).fill('CUSTOMER_USAGE_LIMIT_REACHED'));
    expect((await claim({ promotionIds: [id], customerId: 'someone-else' })).ok).toBe(true);
    // A guest is not a customer to count: only total limits apply to guests.
    expect((await claim({ promotionIds: [id], customerId: null })).ok).toBe(true);
    expect(await usage(id)).toEqual({ count: 3, rows: 3 });
  });
});

describe('claimPromotionUsages: all or none', () => {
  it('claims nothing when one promotion is used up, and says which', async () => {
    const [usedUp, free] = [await promotion({ usageLimit: 1 }), await promotion()];
    expect(await claim({ promotionIds: [usedUp], customerId: null })).toMatchObject({ ok: true });
    const checkoutId = randomUUID();
    expect(await claim({ promotionIds: [free, usedUp], customerId: 'c-1', checkoutId })).toEqual({
      ok: false,
      refused: [{ promotionId: usedUp, reason: 'USAGE_LIMIT_REACHED' }],
    });
    expect(await usage(free)).toEqual({ count: 0, rows: 0 });
    const [held] = await h.orm.em
      .fork()
      .execute<Array<{ n: number }>>('select count(*)::int as n from promotion_usage where checkout_id = ?', [checkoutId]);
    expect(held!.n).toBe(0);
  });

  it('refuses promotions that are archived, over, not started or unknown as NOT_ACTIVE', async () => {
    const archived = await promotion();
    await setPromotionArchived(h.orm.em.fork(), archived, true);
    const over = await promotion({ startsAt: '2020-01-01T00:00:00Z', endsAt: '2021-01-01T00:00:00Z' });
    const later = await promotion({ startsAt: '2999-01-01T00:00:00Z' });
    const unknown = randomUUID();
    const result = await claim({ promotionIds: [archived, over, later, unknown, 'not-a-uuid'], customerId: null });
    expect(result.ok).toBe(false);
    const refused = result.ok ? [] : result.refused;
    expect(refused.map((r) => r.reason)).toEqual(Array(refused.length).fill('NOT_ACTIVE'));
    expect(refused.map((r) => r.promotionId)).toEqual(expect.arrayContaining(['not-a-uuid']));
  });

  it('counts a promotion once when the same checkout claims it again', async () => {
    const id = await promotion({ usageLimit: 1 });
    const checkoutId = randomUUID();
    expect(await claim({ promotionIds: [id], customerId: 'c-2', checkoutId })).toEqual({ ok: true, claimed: [id] });
    expect(await claim({ promotionIds: [id, id], customerId: 'c-2', checkoutId })).toEqual({ ok: true, claimed: [] });
    expect(await usage(id)).toEqual({ count: 1, rows: 1 });
  });
});

describe('releasePromotionUsages', () => {
  it('gives a use back, so another checkout may claim it', async () => {
    const id = await promotion({ usageLimit: 1, usageLimitPerCustomer: 1 });
    const first = randomUUID();
    expect((await claim({ promotionIds: [id], customerId: 'c-3', checkoutId: first })).ok).toBe(true);
    expect(await claim({ promotionIds: [id], customerId: 'c-3' })).toMatchObject({ ok: false });
    expect(await release(first)).toEqual([id]);
    expect(await usage(id)).toEqual({ count: 0, rows: 0 });
    expect(await claim({ promotionIds: [id], customerId: 'c-3' })).toMatchObject({ ok: true, claimed: [id] });
  });

  it('releases once when called twice, one after the other or racing', async () => {
    const [a, b] = [await promotion({ usageLimit: 10 }), await promotion()];
    const checkoutId = randomUUID();
    await claim({ promotionIds: [a, b], customerId: 'c-4', checkoutId });
    expect((await release(checkoutId)).sort()).toEqual([a, b].sort());
    expect(await release(checkoutId)).toEqual([]);
    expect([await usage(a), await usage(b)]).toEqual([
      { count: 0, rows: 0 },
      { count: 0, rows: 0 },
    ]);

    const racing = randomUUID();
    await claim({ promotionIds: [a, b], customerId: 'c-4', checkoutId: racing });
    const results = await Promise.all([release(racing), release(racing), release(racing)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, 0, 2]);
    expect([await usage(a), await usage(b)]).toEqual([
      { count: 0, rows: 0 },
      { count: 0, rows: 0 },
    ]);
  });

  it('runs when an order fails (applyOrderStatus), and a redelivered failure changes nothing', async () => {
    const id = await promotion({ usageLimit: 3 });
    const cartId = `promo-cart-${randomUUID()}`;
    const orderId = randomUUID();
    const em = h.orm.em.fork();
    await em.execute(
      `insert into cart (id, status, version, currency, created_at, updated_at, expires_at) values (?, 'CHECKING_OUT', 1, 'USD', now(), now(), now() + interval '1 day')`,
      [cartId],
    );
    await em.execute(
      `insert into checkout (id, cart_id, idempotency_key, status, created_at, updated_at) values (?, ?, 'k', 'PENDING', now(), now())`,
      [orderId, cartId],
    );
    await claim({ promotionIds: [id], customerId: 'c-5', checkoutId: orderId });
    expect(await usage(id)).toEqual({ count: 1, rows: 1 });
    const failed = { orderId, cartId, status: 'PAYMENT_FAILED' as const, reason: 'declined' };
    expect(await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, failed))).toBe(cartId);
    expect(await usage(id)).toEqual({ count: 0, rows: 0 });
    expect(await h.orm.em.fork().transactional((tx) => applyOrderStatus(tx, failed))).toBeNull();
    expect(await usage(id)).toEqual({ count: 0, rows: 0 });
  });
});

describe('activePromotions', () => {
  it('answers the live automatic promotions and the entered codes (any case, any window), with used-up limits', async () => {
    const now = new Date();
    const automatic = (input: Record<string, unknown>) => define({ title: 'Auto', action: { type: 'FREE_DELIVERY' }, ...input });
    const live = await automatic({ usageLimit: 1 });
    const future = await automatic({ startsAt: new Date(now.getTime() + 3_600_000) });
    const ended = await automatic({ endsAt: new Date(now.getTime() - 1) });
    const archived = await automatic({});
    await setPromotionArchived(h.orm.em.fork(), archived, true);
    const onceEach = await promotion({ code: 'ONCE-EACH', usageLimitPerCustomer: 1 });
    const notYet = await promotion({ code: 'NOT-YET', startsAt: new Date(now.getTime() + 3_600_000) });
    const other = await promotion({ code: 'NOT-ENTERED' });
    await claim({ promotionIds: [live, onceEach], customerId: 'c-6' });

    const answer = await activePromotions(h.orm.em.fork(), { now, codes: [' once-each', 'not-yet', ''], customerId: 'c-6' });
    const ids = answer.promotions.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([live, onceEach, notYet]));
    for (const absent of [future, ended, archived, other]) expect(ids).not.toContain(absent);
    expect(answer.usageLimitReached.sort()).toEqual([live, onceEach].sort());
    expect(answer.promotions.find((p) => p.id === notYet)).toMatchObject({ code: 'NOT-YET', action: { type: 'ORDER_FIXED', amount: 100 } });

    const guest = await activePromotions(h.orm.em.fork(), { now, codes: ['ONCE-EACH'], customerId: null });
    expect(guest.usageLimitReached).toEqual([live]);
  });
});
