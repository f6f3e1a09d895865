import { getNamedType } from 'graphql';
import { checkoutInput, gql } from './stack.ts';
import { addLine } from './shop.ts';
import { waitFor } from './wait.ts';
import { slotsOf, type Baseline, type RootField, type Slot } from './hostile-cases.ts';

/**
 * Real objects for the hostile-input suite: valid baselines (so a hostile value in one argument
 * is judged with everything else right) and existing ids of every kind to send where they do not
 * belong. Each root field gets its own product, cart and order: one field's mutations (a delete,
 * a checkout, a cancel) must not turn the next field's baseline into "not found".
 */

export interface Fixtures {
  product?: string;
  cart?: string;
  line?: string;
  order?: string;
  payment?: string;
  category: string;
  categorySlug: string;
}
type FixtureKey = keyof Fixtures;

/** Which object an ID slot names: by its name (productId, lineIds) or, for `id`, its owner. */
const ID_SUBJECTS: Array<[RegExp, FixtureKey]> = [
  [/^(cartline|line)/, 'line'],
  [/^(cart|guestcart)/, 'cart'],
  [/^(product|inventory)/, 'product'],
  [/^(order|checkout)/, 'order'],
  [/^payment/, 'payment'],
  [/^categor/, 'category'],
];

export function fixtureOf(slot: Slot): FixtureKey | undefined {
  if (slot.name === 'categorySlug' || (slot.name === 'slug' && /^categor/i.test(slot.owner))) return 'categorySlug';
  if (getNamedType(slot.type).name !== 'ID') return undefined;
  const subject = (slot.name === 'id' ? slot.owner : slot.name.replace(/Ids?$/, '')).toLowerCase();
  return ID_SUBJECTS.find(([pattern]) => pattern.test(subject))?.[1];
}

export const fixturesNeeded = (root: RootField): Set<FixtureKey> =>
  new Set(
    root.field.args
      .flatMap((a) => slotsOf(root.field.name, a.name, a.type))
      .map(fixtureOf)
      .filter((k): k is FixtureKey => k !== undefined),
  );

/** Text that must have a format to get past the first check (then the hostile value is the only fault). */
const TEXT_BASELINES: Record<string, () => string> = {
  email: () => `hostile-${crypto.randomUUID().slice(0, 8)}@example.com`,
  countryCode: () => 'US',
  postalCode: () => '12345',
  paymentToken: () => 'tok_visa',
  url: () => 'https://example.com/hostile.png',
  discountCodes: () => 'WELCOME10',
};

export const baselineFrom =
  (fixtures: Fixtures): Baseline =>
  (slot) => {
    const key = fixtureOf(slot);
    if (key && fixtures[key] !== undefined) return fixtures[key];
    if (slot.named.name === 'Int') return { stock: 100, quantity: 1, first: 5, threshold: 5, usageLimit: 10 }[slot.name] ?? 1;
    return TEXT_BASELINES[slot.name]?.();
  };

type Gateway = { url: string; admin: string };

export async function createProduct({ url, admin }: Gateway, tag: string): Promise<string> {
  const res = await gql<{ productCreate: { product: { id: string } | null } }>(
    url,
    'mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code message } } }',
    { token: admin, variables: { input: { sku: `hostile-${tag}`, name: `Hostile fixture ${tag}`, price: '9.99', stock: 1000 } } },
  );
  const id = res.body.data?.productCreate.product?.id;
  if (!id) throw new Error(`fixture product: ${JSON.stringify(res.body)}`);
  return id;
}

/** A guest cart holding one line of `product`. */
export async function createCart({ url }: Gateway, product: string): Promise<{ cart: string; line: string }> {
  const res = await gql<{ cartCreate: { cart: { id: string; lines: { edges: Array<{ node: { id: string } }> } } } }>(
    url,
    'mutation ($p: ID!) { cartCreate(input: { lines: [{ productId: $p, quantity: 1 }] }) { cart { id lines { edges { node { id } } } } userErrors { code } } }',
    { variables: { p: product } },
  );
  const cart = res.body.data?.cartCreate.cart;
  if (!cart?.lines.edges[0]) throw new Error(`fixture cart: ${JSON.stringify(res.body)}`);
  return { cart: cart.id, line: cart.lines.edges[0].node.id };
}

/** One checkout at a time: a customer has one active cart, which a checkout freezes until it settles. */
let orders: Promise<unknown> = Promise.resolve();

/** A settled order (checked out and paid) of the customer holding `customerToken`, with its payment. */
export function createOrder(gateway: Gateway, customerToken: string, product: string, tag: string): Promise<{ order: string; payment: string }> {
  const made = orders.then(() => checkOutOnce(gateway, customerToken, product, tag));
  orders = made.catch(() => undefined);
  return made;
}

async function checkOutOnce({ url }: Gateway, customerToken: string, product: string, tag: string): Promise<{ order: string; payment: string }> {
  const cartId = await waitFor(
    'fixture: an active customer cart',
    async () => {
      const res = await gql<{ cartCreate: { cart: { id: string; status: string } } }>(
        url,
        'mutation { cartCreate(input: {}) { cart { id status } } }',
        { token: customerToken },
      );
      const cart = res.body.data?.cartCreate.cart;
      return cart?.status === 'ACTIVE' ? cart.id : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  await addLine(url, cartId, product, customerToken);
  const checkout = await gql<{ cartCheckout: { checkout: { id: string } | null } }>(
    url,
    'mutation ($c: ID!, $i: CheckoutInput!) { cartCheckout(cartId: $c, input: $i) { checkout { id } userErrors { code message } } }',
    { token: customerToken, variables: { c: cartId, i: checkoutInput(`hostile-${tag}`, cartId) } },
  );
  const order = checkout.body.data?.cartCheckout.checkout?.id;
  if (!order) throw new Error(`fixture checkout: ${JSON.stringify(checkout.body)}`);
  return waitFor(
    `fixture: order ${order} settled`,
    async () => {
      const res = await gql<{ order: { status: string; payment: { id: string } | null } | null }>(
        url,
        'query ($id: ID!) { order(id: $id) { status payment { id } } }',
        {
          token: customerToken,
          variables: { id: order },
        },
      );
      const found = res.body.data?.order;
      return found?.payment && !['PENDING', 'AWAITING_PAYMENT'].includes(found.status) ? { order, payment: found.payment.id } : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200 },
  );
}

/** The objects one root field's baselines refer to, created fresh for it. */
export async function fixturesFor(
  gateway: Gateway,
  root: RootField,
  customerToken: string,
  category: Pick<Fixtures, 'category' | 'categorySlug'>,
): Promise<Fixtures> {
  const needed = fixturesNeeded(root);
  const tag = `${root.field.name}-${crypto.randomUUID().slice(0, 8)}`;
  const fixtures: Fixtures = { ...category };
  if (!['product', 'cart', 'line', 'order', 'payment'].some((k) => needed.has(k as FixtureKey))) return fixtures;
  fixtures.product = await createProduct(gateway, tag);
  if (needed.has('cart') || needed.has('line')) Object.assign(fixtures, await createCart(gateway, fixtures.product));
  if (needed.has('order') || needed.has('payment')) Object.assign(fixtures, await createOrder(gateway, customerToken, fixtures.product, tag));
  return fixtures;
}
