import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { linkParam } from '../support/smtp.ts';
import { login, LOGOUT, refresh, register, uniqueEmail, type AuthPayload } from '../support/accounts.ts';
import { oneVariantProducts } from '../support/shop.ts';

let stack: TestSupergraph;
beforeAll(async () => {
  stack = await startTestSupergraph();
});
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery staple';
const ME = `{ me { id email firstName emailVerified
  cart { id totalQuantity lines { edges { node { quantity merchandise { id sku } } } } }
  orders { totalCount } } }`;

describe('a shopper signs up, verifies the email and signs in (through the gateway)', () => {
  let email: string;
  let signedIn: AuthPayload;

  it('registers, gets a verification email with a working link, and verifies', async () => {
    email = uniqueEmail('ann');
    const registered = await register(stack.gatewayUrl, { email, password: PASSWORD, firstName: 'Ann', lastName: 'Lee' });
    expect(registered.userErrors).toEqual([]);
    expect(registered.customer).toMatchObject({ email, emailVerified: false });
    expect(registered.customerAccessToken?.accessToken).toBeTruthy();

    const mail = await stack.mail.waitForMail((m) => m.to.includes(email) && /confirm your email/i.test(m.subject), 30_000);
    const token = linkParam(mail, '/account/verify', 'token');
    expect(token).toBeTruthy();
    const verified = await gql<{ customerEmailVerify: { customer: { emailVerified: boolean }; userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($t: String!) { customerEmailVerify(token: $t) { customer { emailVerified } userErrors { code } } }',
      { variables: { t: token } },
    );
    expect(verified.body.data!.customerEmailVerify).toEqual({ customer: { emailVerified: true }, userErrors: [] });
    // Single use: the same link again is refused.
    const again = await gql<{ customerEmailVerify: { userErrors: Array<{ code: string }> } }>(
      stack.gatewayUrl,
      'mutation ($t: String!) { customerEmailVerify(token: $t) { userErrors { code } } }',
      { variables: { t: token } },
    );
    expect(again.body.data!.customerEmailVerify.userErrors).toEqual([{ code: 'INVALID_TOKEN' }]);
  });

  it('signs in and reads `me` across the subgraphs with the access token', async () => {
    signedIn = await login(stack.gatewayUrl, email, PASSWORD);
    expect(signedIn.userErrors).toEqual([]);
    const token = signedIn.customerAccessToken!.accessToken;
    const [product] = await oneVariantProducts(stack.gatewayUrl, 1);
    const me = await gql<{ me: { id: string; cart: { id: string } } }>(stack.gatewayUrl, '{ me { id cart { id } } }', { token });
    await gql(
      stack.gatewayUrl,
      'mutation ($c: ID!, $m: ID!) { cartLinesAdd(cartId: $c, lines: [{ merchandiseId: $m, quantity: 2 }]) { userErrors { code } } }',
      {
        token,
        variables: { c: me.body.data!.me.cart.id, m: product!.id },
      },
    );
    const page = await gql<{
      me: {
        id: string;
        email: string;
        firstName: string;
        emailVerified: boolean;
        cart: { totalQuantity: number; lines: { edges: Array<{ node: { merchandise: { sku: string } } }> } };
        orders: { totalCount: number };
      };
    }>(stack.gatewayUrl, ME, { token });
    expect(page.body.errors).toBeUndefined();
    // account (profile), cart (cart), catalog (merchandise), order (orders): one query.
    expect(page.body.data!.me).toMatchObject({ id: signedIn.customer!.id, email, firstName: 'Ann', emailVerified: true, orders: { totalCount: 0 } });
    expect(page.body.data!.me.cart.totalQuantity).toBe(2);
    expect(page.body.data!.me.cart.lines.edges[0]!.node.merchandise.sku).toBeTruthy();
  });

  it('rotates the refresh token, and a reused one revokes the whole sign-in', async () => {
    const first = signedIn.customerAccessToken!.refreshToken;
    const rotated = await refresh(stack.gatewayUrl, first);
    expect(rotated.userErrors).toEqual([]);
    const second = rotated.customerAccessToken!.refreshToken;
    expect(second).not.toBe(first);
    // The old one again: stolen-token detection ends the family, the newest token included.
    expect((await refresh(stack.gatewayUrl, first)).userErrors).toEqual([
      expect.objectContaining({ code: 'INVALID_TOKEN', field: ['refreshToken'] }),
    ]);
    expect((await refresh(stack.gatewayUrl, second)).userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TOKEN' })]);
  });

  it('logs out: the refresh token stops working', async () => {
    const session = await login(stack.gatewayUrl, email, PASSWORD);
    const out = await gql<{ customerLogout: { loggedOut: boolean } }>(stack.gatewayUrl, LOGOUT, {
      variables: { t: session.customerAccessToken!.refreshToken },
    });
    expect(out.body.data!.customerLogout.loggedOut).toBe(true);
    expect((await refresh(stack.gatewayUrl, session.customerAccessToken!.refreshToken)).userErrors[0]?.code).toBe('INVALID_TOKEN');
  });

  it('resets a forgotten password by the emailed link; old sessions end, the new password signs in', async () => {
    const before = await login(stack.gatewayUrl, email, PASSWORD);
    const asked = await gql<{ customerPasswordResetRequest: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($e: String!) { customerPasswordResetRequest(email: $e) { userErrors { code } } }',
      { variables: { e: email.toUpperCase() } },
    );
    expect(asked.body.data!.customerPasswordResetRequest.userErrors).toEqual([]);
    const mail = await stack.mail.waitForMail((m) => m.to.includes(email) && /reset/i.test(m.subject), 30_000);
    const token = linkParam(mail, '/account/reset', 'token');
    const reset = await gql<{ customerPasswordReset: AuthPayload }>(
      stack.gatewayUrl,
      'mutation ($t: String!, $p: String!) { customerPasswordReset(token: $t, password: $p) { customerAccessToken { accessToken } userErrors { code } } }',
      { variables: { t: token, p: 'a brand new long passphrase' } },
    );
    expect(reset.body.data!.customerPasswordReset.userErrors).toEqual([]);
    expect(reset.body.data!.customerPasswordReset.customerAccessToken!.accessToken).toBeTruthy();
    expect((await refresh(stack.gatewayUrl, before.customerAccessToken!.refreshToken)).userErrors[0]?.code).toBe('INVALID_TOKEN');
    expect((await login(stack.gatewayUrl, email, PASSWORD)).userErrors[0]?.code).toBe('INVALID_CREDENTIALS');
    expect((await login(stack.gatewayUrl, email, 'a brand new long passphrase')).userErrors).toEqual([]);
  });

  it('answers a reset request for an unknown email exactly like a known one, and sends nothing', async () => {
    const unknown = uniqueEmail('nobody');
    const res = await gql(stack.gatewayUrl, 'mutation ($e: String!) { customerPasswordResetRequest(email: $e) { userErrors { code } } }', {
      variables: { e: unknown },
    });
    expect(res.body).toEqual({ data: { customerPasswordResetRequest: { userErrors: [] } } });
    expect(stack.mail.mailsTo(unknown)).toEqual([]);
  });
});

describe('registration rules', () => {
  it('refuses a short or common password and a taken email, with typed userErrors', async () => {
    const email = uniqueEmail('rules');
    expect((await register(stack.gatewayUrl, { email, password: 'short' })).userErrors).toEqual([
      expect.objectContaining({ code: 'WEAK_PASSWORD', field: ['input', 'password'] }),
    ]);
    expect((await register(stack.gatewayUrl, { email, password: 'password1234' })).userErrors).toEqual([
      expect.objectContaining({ code: 'WEAK_PASSWORD', field: ['input', 'password'] }),
    ]);
    expect((await register(stack.gatewayUrl, { email: 'not-an-email', password: PASSWORD })).userErrors[0]).toMatchObject({
      code: 'INVALID',
      field: ['input', 'email'],
    });
    expect((await register(stack.gatewayUrl, { email, password: PASSWORD })).userErrors).toEqual([]);
    expect((await register(stack.gatewayUrl, { email: email.toUpperCase(), password: PASSWORD })).userErrors).toEqual([
      expect.objectContaining({ code: 'TAKEN', field: ['input', 'email'] }),
    ]);
  });

  it('gives every registered account the customer role only', async () => {
    const res = await gql<{ customerRegister: AuthPayload }>(
      stack.gatewayUrl,
      'mutation ($i: CustomerRegisterInput!) { customerRegister(input: $i) { customerAccessToken { accessToken } userErrors { code } } }',
      { variables: { i: { email: uniqueEmail('role'), password: PASSWORD } } },
    );
    const token = res.body.data!.customerRegister.customerAccessToken!.accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { roles: string[] };
    expect(claims.roles).toEqual(['customer']);
    // An admin-only field stays closed to it.
    const admin = await gql(stack.gatewayUrl, '{ discountCodes { code } }', { token });
    expect(admin.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
