import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutInput, gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { addLine, guestCart, oneVariantProducts } from '../support/shop.ts';
import { linkParam } from '../support/smtp.ts';
import { login, register } from '../support/accounts.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
beforeAll(async () => {
  stack = await startTestSupergraph();
});
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery staple';

async function verifyEmail(email: string): Promise<void> {
  const mail = await stack.mail.waitForMail((m) => m.to.includes(email) && /confirm your email/i.test(m.subject), 30_000);
  const res = await gql<{ customerEmailVerify: { userErrors: unknown[] } }>(
    stack.gatewayUrl,
    'mutation ($t: String!) { customerEmailVerify(token: $t) { userErrors { code } } }',
    { variables: { t: linkParam(mail, '/account/verify', 'token') } },
  );
  expect(res.body.data!.customerEmailVerify.userErrors).toEqual([]);
}

describe('a guest who signs up takes their orders and cart along', () => {
  it('claims the guest orders placed with the email once it is verified', async () => {
    const tag = `claim-${randomBytes(4).toString('hex')}`;
    const email = `${tag}@example.com`;
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1);
    const cartId = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, cartId, product!.id);
    const checkout = await gql<{ cartCheckout: { checkout: { id: string }; orderAccessToken: string } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } orderAccessToken } }',
      { variables: { id: cartId, input: checkoutInput(tag, cartId) } },
    );
    const { checkout: made, orderAccessToken } = checkout.body.data!.cartCheckout;
    // The saga creates the order; the guest's token shows it.
    await waitFor('the guest order', async () => {
      const res = await gql<{ order: { id: string } | null }>(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { id } }', {
        variables: { id: made.id },
        headers: { 'Order-Access-Token': orderAccessToken },
      });
      return res.body.data?.order;
    });

    const { customerAccessToken } = await register(stack.gatewayUrl, { email: email.toUpperCase(), password: PASSWORD });
    const token = customerAccessToken!.accessToken;
    const CLAIM = 'mutation { customerOrdersClaim { userErrors { code message } } }';
    // Not before the email is verified: anyone can sign up with someone else's address.
    const early = await gql<{ customerOrdersClaim: { userErrors: Array<{ code: string }> } }>(stack.gatewayUrl, CLAIM, { token });
    expect(early.body.data!.customerOrdersClaim.userErrors[0]!.code).toBe('INVALID');

    await verifyEmail(email);
    const claimed = await gql<{ customerOrdersClaim: { userErrors: unknown[] } }>(stack.gatewayUrl, CLAIM, { token });
    expect(claimed.body.data!.customerOrdersClaim.userErrors).toEqual([]);
    const orders = await waitFor('the claimed order in me.orders', async () => {
      const res = await gql<{ me: { orders: { edges: Array<{ node: { id: string } }> } } }>(
        stack.gatewayUrl,
        '{ me { orders { edges { node { id } } } } }',
        { token },
      );
      const ids = res.body.data?.me.orders.edges.map((e) => e.node.id) ?? [];
      return ids.length ? ids : null;
    });
    expect(orders).toEqual([made.id]);
    // Now the owner reads it without the guest token.
    const own = await gql<{ order: { id: string } | null }>(stack.gatewayUrl, 'query ($id: ID!) { order(id: $id) { id } }', {
      token,
      variables: { id: made.id },
    });
    expect(own.body.data!.order?.id).toBe(made.id);
  });

  it('folds the guest cart into the customer cart when signing in with guestCartId', async () => {
    const email = `merge-${randomBytes(4).toString('hex')}@example.com`;
    await register(stack.gatewayUrl, { email, password: PASSWORD });
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1, { offset: 1 });
    const cartId = await guestCart(stack.gatewayUrl);
    await addLine(stack.gatewayUrl, cartId, product!.id);
    await addLine(stack.gatewayUrl, cartId, product!.id);

    const session = await login(stack.gatewayUrl, email, PASSWORD, {}, cartId);
    expect(session.userErrors).toEqual([]);
    const token = session.customerAccessToken!.accessToken;
    const cart = await waitFor('the merged cart', async () => {
      const res = await gql<{ me: { cart: { totalQuantity: number; lines: { edges: Array<{ node: { merchandise: { id: string } } }> } } } }>(
        stack.gatewayUrl,
        '{ me { cart { totalQuantity lines { edges { node { merchandise { id } } } } } } }',
        { token },
      );
      const mine = res.body.data?.me.cart;
      return mine && mine.totalQuantity === 2 ? mine : null;
    });
    expect(cart.lines.edges.map((e) => e.node.merchandise.id)).toEqual([product!.id]);
    // The guest cart is spent (EXPIRED), as with cartMerge.
    const guest = await gql<{ cart: { status: string } | null }>(stack.gatewayUrl, 'query ($id: ID!) { cart(id: $id) { status } }', {
      variables: { id: cartId },
    });
    expect(guest.body.data!.cart?.status ?? 'EXPIRED').toBe('EXPIRED');
  });
});
