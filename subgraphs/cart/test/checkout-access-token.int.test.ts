import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { GUEST, signOrderAccessToken, type Identity } from '@shop/platform';
import { createContext } from '../src/context.ts';
import { ADMIN, customer, log, ORDER_ACCESS_TOKEN_SECRET, product, schema, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const A = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(A, product(A));
});
afterAll(async () => h?.close());

/** One request with the Order-Access-Token header's value, if given. */
// GraphQL results are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = async (query: string, identity: Identity, variables: Record<string, unknown>, token?: string): Promise<any> =>
  execute({
    schema,
    document: parse(query),
    variableValues: variables,
    contextValue: createContext(h.orm.em.fork(), identity, log, h.deps, token ?? null),
  });

const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } orderAccessToken userErrors { code } } }`;
const input = (key: string, email = 'buyer@example.com') => ({
  email,
  shippingAddress: { name: 'B', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
  paymentToken: 'tok_visa',
  idempotencyKey: key,
});

async function checkedOut(identity: Identity): Promise<{ id: string; token: string }> {
  const created = await h.run(`mutation ($a: ID!) { cartCreate(input: { lines: [{ merchandiseId: $a }] }) { cart { id } } }`, identity, { a: A });
  const cartId = created.data.cartCreate.cart.id;
  const res = await run(CHECKOUT, identity, { id: cartId, input: input(`key-${cartId}`) });
  expect(res.data.cartCheckout.userErrors).toEqual([]);
  const replay = await run(CHECKOUT, identity, { id: cartId, input: input(`key-${cartId}`) });
  // A replay with the same key: the same checkout and the same token.
  expect(replay.data.cartCheckout).toEqual(res.data.cartCheckout);
  return { id: res.data.cartCheckout.checkout.id, token: res.data.cartCheckout.orderAccessToken };
}

describe('the order access token cartCheckout returns', () => {
  it('is the token of the checkout id (= the order id), for a guest and for a customer', async () => {
    for (const identity of [GUEST, customer(`buyer-${randomUUID()}`)]) {
      const { id, token } = await checkedOut(identity);
      expect(token).toBe(signOrderAccessToken(ORDER_ACCESS_TOKEN_SECRET, id));
    }
  });

  it('is null when no checkout started', async () => {
    const created = await h.run(`mutation ($a: ID!) { cartCreate(input: { lines: [{ merchandiseId: $a }] }) { cart { id } } }`, GUEST, { a: A });
    const res = await run(CHECKOUT, GUEST, { id: created.data.cartCreate.cart.id, input: input('bad-email-key', 'not an email') });
    expect(res.data.cartCheckout).toMatchObject({ checkout: null, orderAccessToken: null });
  });

  it("opens a customer's checkout to its holder without signing in, and no other checkout", async () => {
    const mine = await checkedOut(customer(`owner-${randomUUID()}`));
    const other = await checkedOut(customer(`other-${randomUUID()}`));
    const CHECKOUT_QUERY = `query ($id: ID!) { checkout(id: $id) { id status } }`;
    expect((await run(CHECKOUT_QUERY, GUEST, { id: mine.id })).data.checkout).toBeNull();
    expect((await run(CHECKOUT_QUERY, GUEST, { id: mine.id }, mine.token)).data.checkout).toEqual({ id: mine.id, status: 'PENDING' });
    expect((await run(CHECKOUT_QUERY, GUEST, { id: other.id }, mine.token)).data.checkout).toBeNull();
    const entities = await run(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Checkout { id } } }`,
      GUEST,
      {
        reps: [
          { __typename: 'Checkout', id: mine.id },
          { __typename: 'Checkout', id: other.id },
        ],
      },
      mine.token,
    );
    expect(entities.data._entities).toEqual([{ id: mine.id }, null]);
  });

  it('opens a guest checkout only to its token (or an admin): its id alone leads nowhere', async () => {
    const guest = await checkedOut(GUEST);
    const other = await checkedOut(GUEST);
    const CHECKOUT_QUERY = `query ($id: ID!) { checkout(id: $id) { id cartId } }`;
    // The id is the order's, no secret; the checkout would lead to the guest cart and its contact details.
    expect((await run(CHECKOUT_QUERY, GUEST, { id: guest.id })).data.checkout).toBeNull();
    expect((await run(CHECKOUT_QUERY, customer(`c-${randomUUID()}`), { id: guest.id })).data.checkout).toBeNull();
    expect((await run(CHECKOUT_QUERY, GUEST, { id: guest.id }, guest.token)).data.checkout).toMatchObject({ id: guest.id });
    expect((await run(CHECKOUT_QUERY, GUEST, { id: guest.id }, other.token)).data.checkout).toBeNull();
    expect((await run(CHECKOUT_QUERY, customer(`c-${randomUUID()}`), { id: guest.id }, other.token)).data.checkout).toBeNull();
    expect((await run(CHECKOUT_QUERY, ADMIN, { id: guest.id })).data.checkout).toMatchObject({ id: guest.id });
  });
});
