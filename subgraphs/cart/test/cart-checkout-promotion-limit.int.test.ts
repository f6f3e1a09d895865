import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, NEW_YORK as NY, product, startCartHarness, type CartHarness } from './cart-harness.ts';
import { waitFor } from '../../../test/support/wait.ts';

let h: CartHarness;
const MUG = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 2500, name: 'Mug' }));
});
afterAll(async () => h?.close());

const CHECKOUT = `mutation ($id: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $id, input: $i) { checkout { id status } userErrors { code field message } } }`;
const CODES = `mutation ($id: ID!, $codes: [String!]!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: $codes) { userErrors { code message } } }`;

let sequence = 0;
/** A code promotion (5.00 off the order) limited to `usageLimit` uses in total; its code and id. */
async function limitedCode(usageLimit: number): Promise<{ code: string; id: string }> {
  const code = `LAUNCH-${++sequence}-${process.pid}`;
  const res = await h.run(
    `mutation ($input: PromotionInput!) { promotionCreate(input: $input) { promotion { id code } userErrors { code } } }`,
    ADMIN,
    {
      input: { title: 'Launch offer', code, usageLimit, action: { kind: 'ORDER_FIXED', amount: '5.00' } },
    },
  );
  expect(res.data.promotionCreate.userErrors).toEqual([]);
  return res.data.promotionCreate.promotion;
}

/** A guest's mug cart with an email and a New York address, and `code` entered. */
async function cartWithCode(code: string): Promise<string> {
  const created = await h.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { id } } }`, GUEST, {
    l: [{ merchandiseId: MUG }],
  });
  const id = created.data.cartCreate.cart.id;
  const buyer = await h.run(
    `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { userErrors { code } } }`,
    GUEST,
    { id, b: { email: 'ada@example.com', deliveryAddress: NY } },
  );
  expect(buyer.data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
  const codes = await h.run(CODES, GUEST, { id, codes: [code.toLowerCase()] });
  expect(codes.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
  return id;
}

async function shown(id: string) {
  const res = await h.run(
    `query ($id: ID!) { cart(id: $id) { status cost { discountAmount { amount } totalAmount { amount } } discountCodes { code applicable }
       discountAllocations { title code amount { amount } } } }`,
    GUEST,
    { id },
  );
  const cart = res.data.cart;
  return {
    status: cart.status,
    discount: cart.cost.discountAmount.amount,
    total: cart.cost.totalAmount.amount,
    codes: cart.discountCodes,
    allocations: cart.discountAllocations,
  };
}

const checkout = (id: string, input: Record<string, unknown> = {}) =>
  h.run(CHECKOUT, GUEST, { id, i: { paymentToken: 'tok_visa', idempotencyKey: `key-${randomUUID()}`, ...input } });

/** What was written: the promotion's usage count and unreleased uses, and the cart's checkouts. */
async function written(promotionId: string, cartId: string) {
  const [row] = await h.orm.em.fork().execute<Array<{ usageCount: number; uses: number; checkouts: number }>>(
    `select usage_count as "usageCount",
            (select count(*)::int from promotion_usage where promotion_id = p.id and released_at is null) as uses,
            (select count(*)::int from checkout where cart_id = ?) as checkouts
       from promotion p where id = ?`,
    [cartId, promotionId],
  );
  return row!;
}

const usedUp = (code: string) => ({
  code: 'DISCOUNT_EXPIRED',
  field: ['discountCodes'],
  message: `Discount code ${code} has been used up; remove it to check out`,
});

describe('a promotion’s usage limit at checkout', () => {
  it('refuses the second checkout of a once-only code by name, writes nothing for it, and checks out once the code is removed', async () => {
    const promotion = await limitedCode(1);
    const [first, second] = [await cartWithCode(promotion.code), await cartWithCode(promotion.code)];
    const seen = [];
    for (const id of [first, second]) {
      const cart = await shown(id);
      expect(cart).toMatchObject({
        discount: '5.00',
        codes: [{ code: promotion.code, applicable: true }],
        allocations: [{ title: 'Launch offer', code: promotion.code, amount: { amount: '5.00' } }],
      });
      seen.push(cart.total);
    }

    const ok = await checkout(first, { expectedTotal: seen[0] });
    expect(ok.data.cartCheckout.userErrors).toEqual([]);
    expect(await written(promotion.id, first)).toEqual({ usageCount: 1, uses: 1, checkouts: 1 });

    // With the total it was shown, as a client checks out: the answer names the code rather than
    // a bare TOTAL_CHANGED (the retry with the new total would meet the used-up code anyway).
    const refused = await checkout(second, { expectedTotal: seen[1] });
    expect(refused.data.cartCheckout).toEqual({ checkout: null, userErrors: [usedUp(promotion.code)] });
    expect(await written(promotion.id, second)).toEqual({ usageCount: 1, uses: 1, checkouts: 0 });
    expect((await shown(second)).status).toBe('ACTIVE');

    const removed = await h.run(CODES, GUEST, { id: second, codes: [] });
    expect(removed.data.cartDiscountCodesUpdate.userErrors).toEqual([]);
    const now = await shown(second);
    expect(now).toMatchObject({ status: 'ACTIVE', discount: '0.00', codes: [], allocations: [] });
    const retry = await checkout(second, { expectedTotal: now.total });
    expect(retry.data.cartCheckout.userErrors).toEqual([]);
    expect(retry.data.cartCheckout.checkout.status).toBe('PENDING');
    expect(await written(promotion.id, second)).toEqual({ usageCount: 1, uses: 1, checkouts: 1 });
  });

  it('lets exactly 2 of 6 checkouts racing for a twice-only code claim it; the others are refused by name', async () => {
    const promotion = await limitedCode(2);
    const carts: string[] = [];
    for (let i = 0; i < 6; i++) carts.push(await cartWithCode(promotion.code));
    const totals = await Promise.all(carts.map(async (id) => (await shown(id)).total));

    // Hold the promotion's row until all six wait to claim it: each has priced its cart with the
    // code still unused, so the claim (not the price check) is what has to refuse four of them.
    const gate = Promise.withResolvers<void>();
    const locked = Promise.withResolvers<void>();
    const holder = h.orm.em.fork().transactional(async (tx) => {
      await tx.execute('select id from promotion where id = ? for update', [promotion.id]);
      locked.resolve();
      await gate.promise;
    });
    // The checkouts start only once the row is held: one that reached its claim first would take a
    // use and finish, and six could never be seen waiting.
    await Promise.race([locked.promise, holder]);
    const results = carts.map((id, i) => checkout(id, { expectedTotal: totals[i] }));
    try {
      await waitFor('all six checkouts to wait for the promotion', async () => {
        const [row] = await h.orm.em.fork().execute<Array<{ n: number }>>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'select id from promotion where id = any(%for update'`,
        );
        return row!.n === 6;
      });
    } finally {
      gate.resolve();
      await holder;
    }
    const answers = (await Promise.all(results)).map((r) => r.data.cartCheckout);

    expect(answers.filter((a) => a.checkout !== null && a.userErrors.length === 0)).toHaveLength(2);
    const refused = answers.filter((a) => a.checkout === null);
    expect(refused).toHaveLength(4);
    for (const a of refused) expect(a.userErrors).toEqual([usedUp(promotion.code)]);
    const [counts] = await h.orm.em.fork().execute<Array<{ usageCount: number; uses: number; checkouts: number }>>(
      `select usage_count as "usageCount",
              (select count(*)::int from promotion_usage where promotion_id = p.id and released_at is null) as uses,
              (select count(*)::int from checkout where cart_id in (?)) as checkouts
         from promotion p where id = ?`,
      [carts, promotion.id],
    );
    expect(counts).toEqual({ usageCount: 2, uses: 2, checkouts: 2 });
    const statuses = await Promise.all(carts.map(async (id) => (await shown(id)).status));
    expect(statuses.filter((s) => s === 'CHECKING_OUT')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'ACTIVE')).toHaveLength(4);
  });
});
