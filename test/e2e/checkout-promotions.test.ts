import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { addLine, guestCart, NEW_YORK, oneVariantProducts } from '../support/shop.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Checkout v2 with a promotion, through the gateway: a cart with Express delivery, a promotion and
 * tax shows a total, the checkout with that expectedTotal is captured for exactly that amount and
 * the order keeps the allocations; a promotion changed between the view and the checkout is
 * refused with TOTAL_CHANGED quoting the new total. Each test's promotion targets its own product,
 * so the seeded automatic promotions (over 100.00) and other carts are not involved.
 */

let stack: TestSupergraph;
let admin: string;
beforeAll(async () => {
  stack = await startTestSupergraph();
  admin = await devToken('admin-promotions-e2e', ['admin'], '1h');
});
afterAll(async () => stack?.stop());

interface Allocation {
  title: string;
  code: string | null;
  amount: { amount: string };
}
interface CartRead {
  version: number;
  cost: Record<'subtotalAmount' | 'discountAmount' | 'shippingAmount' | 'taxAmount' | 'totalAmount', { amount: string }>;
  lines: { edges: Array<{ node: { discountAllocations: Allocation[] } }> };
  discountAllocations: Allocation[];
  discountCodes: Array<{ code: string; applicable: boolean }>;
}
const CART = `version
  cost { subtotalAmount { amount } discountAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount } }
  lines(first: 10) { edges { node { discountAllocations { title code amount { amount } } } } }
  discountAllocations { title code amount { amount } } discountCodes { code applicable }`;
const cents = (amount: string) => Math.round(Number(amount) * 100);
const decimal = (minor: number) => (minor / 100).toFixed(2);
/** a × bp / 10 000 rounded half up: the README's rounding rule. */
const percentOf = (minor: number, basisPoints: number) => Math.floor((minor * basisPoints + 5_000) / 10_000);

async function run<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await gql<T>(stack.gatewayUrl, query, { variables, ...(token ? { token } : {}) });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

const readCart = async (id: string) => (await run<{ cart: CartRead }>(`query ($id: ID!) { cart(id: $id) { ${CART} } }`, { id })).cart;

/** A code promotion: `percentage` off the lines of one product. */
function promotionInput(code: string, productId: string, percentage: string) {
  return {
    title: `${percentage} % off this item`,
    code,
    action: { kind: 'LINE_PERCENTAGE', percentage },
    conditions: { targetProductIds: [productId] },
  };
}

async function createPromotion(code: string, productId: string, percentage: string): Promise<string> {
  const data = await run<{ promotionCreate: { promotion: { id: string } | null; userErrors: unknown[] } }>(
    'mutation ($i: PromotionInput!) { promotionCreate(input: $i) { promotion { id } userErrors { code field message } } }',
    { i: promotionInput(code, productId, percentage) },
    admin,
  );
  expect(data.promotionCreate.userErrors).toEqual([]);
  return data.promotionCreate.promotion!.id;
}

/** A guest cart with one unit of the product, a New York address (4 % tax), Express and the code. */
async function cartWithPromotion(productId: string, code: string): Promise<{ cartId: string; shown: CartRead }> {
  const cartId = await guestCart(stack.gatewayUrl);
  await addLine(stack.gatewayUrl, cartId, productId);
  const buyer = { email: `promo-${randomUUID().slice(0, 8)}@example.com`, deliveryAddress: NEW_YORK };
  await run('mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { userErrors { code } } }', {
    id: cartId,
    b: buyer,
  });
  await run('mutation ($id: ID!) { cartDeliveryOptionSelect(cartId: $id, handle: "express") { userErrors { code } } }', { id: cartId });
  const applied = await run<{ cartDiscountCodesUpdate: { cart: CartRead; userErrors: unknown[]; warnings: unknown[] } }>(
    `mutation ($id: ID!, $c: [String!]!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: $c) { cart { ${CART} } userErrors { code message } warnings { code message } } }`,
    { id: cartId, c: [code.toLowerCase()] },
  );
  expect(applied.cartDiscountCodesUpdate.userErrors).toEqual([]);
  expect(applied.cartDiscountCodesUpdate.warnings).toEqual([]);
  return { cartId, shown: applied.cartDiscountCodesUpdate.cart };
}

const checkoutMutation = `mutation ($id: ID!, $i: CheckoutInput!) {
  cartCheckout(cartId: $id, input: $i) { checkout { id } orderAccessToken userErrors { code field message } } }`;
type CheckoutAnswer = { cartCheckout: { checkout: { id: string } | null; orderAccessToken: string | null; userErrors: unknown[] } };

describe('promotions: the total shown is the total charged', () => {
  it('Express, a promotion and tax: the captured payment equals the total shown, and the order keeps the allocations', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 4 });
    const code = `E2E${randomUUID().slice(0, 8).toUpperCase()}`;
    await createPromotion(code, product!.id, '20');
    const { cartId, shown } = await cartWithPromotion(product!.id, code);

    const price = cents(product!.price.amount);
    const discount = percentOf(price, 2000);
    const allocation = { title: '20 % off this item', code, amount: { amount: decimal(discount) } };
    expect(shown.discountCodes).toEqual([{ code, applicable: true }]);
    expect(shown.lines.edges[0]!.node.discountAllocations).toEqual([allocation]);
    expect(shown.discountAllocations).toEqual([]);
    expect(cents(shown.cost.discountAmount.amount)).toBe(discount);
    // Express (1–2 days, 14.99; never free) and New York's 4 % on the discounted goods (delivery untaxed).
    expect(cents(shown.cost.shippingAmount.amount)).toBe(1499);
    expect(cents(shown.cost.taxAmount.amount)).toBe(percentOf(price - discount, 400));
    expect(cents(shown.cost.totalAmount.amount)).toBe(price - discount + 1499 + percentOf(price - discount, 400));
    expect((await readCart(cartId)).cost.totalAmount).toEqual(shown.cost.totalAmount);

    const checkout = await run<CheckoutAnswer>(checkoutMutation, {
      id: cartId,
      i: { paymentToken: 'tok_visa', idempotencyKey: `promo-${cartId}`, expectedTotal: shown.cost.totalAmount.amount },
    });
    expect(checkout.cartCheckout.userErrors).toEqual([]);
    type Order = {
      status: string;
      cost: { totalAmount: { amount: string }; discountAmount: { amount: string } };
      lines: Array<{ discountAllocations: Allocation[] }>;
      payment: { status: string; amount: { amount: string } } | null;
    };
    const order = await waitFor(
      'the order is paid and confirmed',
      async () => {
        const res = await gql<{ order: Order | null }>(
          stack.gatewayUrl,
          `query ($id: ID!) { order(id: $id) { status cost { totalAmount { amount } discountAmount { amount } }
             lines { discountAllocations { title code amount { amount } } } payment { status amount { amount } } } }`,
          { variables: { id: checkout.cartCheckout.checkout!.id }, headers: { 'Order-Access-Token': checkout.cartCheckout.orderAccessToken! } },
        );
        const found = res.body.data?.order;
        return found?.status === 'CONFIRMED' && found.payment?.status === 'CAPTURED' ? found : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    expect(order.payment!.amount.amount).toBe(shown.cost.totalAmount.amount);
    expect(order.cost).toEqual({ totalAmount: shown.cost.totalAmount, discountAmount: shown.cost.discountAmount });
    expect(order.lines).toEqual([{ discountAllocations: [allocation] }]);
  });

  it('a promotion changed between the view and the checkout: TOTAL_CHANGED with the new total, nothing charged', async () => {
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 5 });
    const code = `E2E${randomUUID().slice(0, 8).toUpperCase()}`;
    const promotionId = await createPromotion(code, product!.id, '10');
    const { cartId, shown } = await cartWithPromotion(product!.id, code);

    // The merchant raises the discount after the shopper saw the total.
    const updated = await run<{ promotionUpdate: { userErrors: unknown[] } }>(
      'mutation ($id: ID!, $i: PromotionInput!) { promotionUpdate(id: $id, input: $i) { userErrors { code message } } }',
      { id: promotionId, i: promotionInput(code, product!.id, '25') },
      admin,
    );
    expect(updated.promotionUpdate.userErrors).toEqual([]);

    const refused = await run<CheckoutAnswer>(checkoutMutation, {
      id: cartId,
      i: { paymentToken: 'tok_visa', idempotencyKey: `promo-${cartId}`, expectedTotal: shown.cost.totalAmount.amount },
    });
    const price = cents(product!.price.amount);
    const discount = percentOf(price, 2500);
    const total = price - discount + 1499 + percentOf(price - discount, 400);
    expect(refused.cartCheckout.checkout).toBeNull();
    expect(refused.cartCheckout.userErrors).toEqual([
      {
        code: 'TOTAL_CHANGED',
        field: ['input', 'expectedTotal'],
        message: `The total is now ${decimal(total)} USD (you were shown ${shown.cost.totalAmount.amount} USD); review your cart and check out again`,
      },
    ]);
    // A re-read shows that total (the refusal moved the cart's version on, so no older copy is served).
    const after = await readCart(cartId);
    expect(after.version).toBeGreaterThan(shown.version);
    expect(cents(after.cost.totalAmount.amount)).toBe(total);
    expect(after.lines.edges[0]!.node.discountAllocations).toEqual([{ title: '25 % off this item', code, amount: { amount: decimal(discount) } }]);
  });
});

describe('promotions on a category, through the real catalog', () => {
  it('a code on a top-level category takes its percentage off a product filed in a subcategory, and nothing off another', async () => {
    type Node = { id: string; price: { amount: string }; options: unknown[]; category: { ancestors: Array<{ id: string; name: string }> } | null };
    const listed = await run<{ products: { edges: Array<{ node: Node }> } }>(
      `{ products(first: 50, filter: { inStock: true }, sort: PRICE_ASC) { edges { node { id price { amount } options { name } category { ancestors { id name } } } } } }`,
      {},
    );
    // Products filed in a subcategory (they have ancestors), sold as one variant, one per top-level category.
    const byTop = new Map<string, { category: { id: string; name: string }; product: Node }>();
    for (const { node } of listed.products.edges) {
      const top = node.category?.ancestors[0];
      if (top && node.options.length === 0 && !byTop.has(top.id)) byTop.set(top.id, { category: top, product: node });
    }
    const sellable = [...byTop.values()];
    expect(sellable.length).toBeGreaterThanOrEqual(2);
    const [target, other] = sellable as [(typeof sellable)[0], (typeof sellable)[0]];
    const code = `CAT${randomUUID().slice(0, 8).toUpperCase()}`;
    const created = await run<{ promotionCreate: { userErrors: unknown[] } }>(
      'mutation ($i: PromotionInput!) { promotionCreate(input: $i) { userErrors { code field message } } }',
      {
        i: {
          title: `15 % off ${target.category.name}`,
          code,
          action: { kind: 'LINE_PERCENTAGE', percentage: '15' },
          conditions: { targetCategoryIds: [target.category.id] },
        },
      },
      admin,
    );
    expect(created.promotionCreate.userErrors).toEqual([]);

    const cartId = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, cartId, target.product.id);
    await addLine(stack.gatewayUrl, cartId, other.product.id);
    type Line = { merchandise: { id: string }; discountAllocations: Allocation[] };
    type Applied = { cartDiscountCodesUpdate: { cart: { cost: CartRead['cost']; lines: { edges: Array<{ node: Line }> } } } };
    const applied = await run<Applied>(
      `mutation ($id: ID!, $c: [String!]!) { cartDiscountCodesUpdate(cartId: $id, discountCodes: $c) {
         cart { cost { discountAmount { amount } } lines(first: 10) { edges { node { merchandise { id } discountAllocations { title code amount { amount } } } } } } } }`,
      { id: cartId, c: [code] },
    );
    const byProduct = new Map(applied.cartDiscountCodesUpdate.cart.lines.edges.map((e) => [e.node.merchandise.id, e.node]));
    const discount = percentOf(cents(target.product.price.amount), 1500);
    expect(byProduct.get(target.product.id)!.discountAllocations).toEqual([
      { title: `15 % off ${target.category.name}`, code, amount: { amount: decimal(discount) } },
    ]);
    expect(byProduct.get(other.product.id)!.discountAllocations).toEqual([]);
    expect(cents(applied.cartDiscountCodesUpdate.cart.cost.discountAmount.amount)).toBe(discount);
  });
});
