import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { kidOf, login, LOGIN, register, uniqueEmail } from '../support/accounts.ts';
import { waitFor } from '../support/wait.ts';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';

const run = promisify(execFile);
let stack: TestSupergraph;
beforeAll(async () => {
  // The account rereads its key ring often, so the rotation below reaches it quickly.
  stack = await startTestSupergraph({ ACCOUNT_KEY_RING_RELOAD_MS: '300' });
});
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery staple';
const ADDRESS = { address1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us', firstName: 'Ann' };

async function signedUp(tag: string) {
  const email = uniqueEmail(tag);
  const { customer, customerAccessToken } = await register(stack.gatewayUrl, { email, password: PASSWORD });
  return { email, id: customer!.id, token: customerAccessToken!.accessToken };
}

describe('sign-in answers reveal nothing', () => {
  it('answers an unknown email and a wrong password with the same body', async () => {
    const { email } = await signedUp('same');
    const wrong = await gql(stack.gatewayUrl, LOGIN, { variables: { email, password: 'not the password at all' } });
    const unknown = await gql(stack.gatewayUrl, LOGIN, { variables: { email: uniqueEmail('ghost'), password: 'not the password at all' } });
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({
      data: {
        customerLogin: {
          customer: null,
          customerAccessToken: null,
          userErrors: [{ code: 'INVALID_CREDENTIALS', field: null, message: 'The email or password is incorrect.' }],
        },
      },
    });
  });
});

describe('signing keys rotate without downtime', () => {
  it('keeps a token signed with the old key valid while new tokens use the new key', async () => {
    const { email, token: before } = await signedUp('rotate');
    const ME = '{ me { email cart { id } } }';
    expect((await gql<{ me: { email: string } }>(stack.gatewayUrl, ME, { token: before })).body.data!.me.email).toBe(email);

    const rotated = await run(process.execPath, [join(repoRoot, 'subgraphs/account/src/keys-rotate.ts')], {
      env: { ...process.env, ACCOUNT_DATABASE_URL: stack.databaseUrls.account, NODE_ENV: 'test' },
      cwd: repoRoot,
    });
    expect(rotated.stdout).toMatch(/new signing key .* is active/);

    // Each replica picks the new key up on its next ring reload.
    const after = await waitFor('a token signed with the new key', async () => {
      const session = await login(stack.gatewayUrl, email, PASSWORD);
      const token = session.customerAccessToken!.accessToken;
      return kidOf(token) !== kidOf(before) ? token : null;
    });
    // Verifiers fetch the JWKS again for the kid they have not seen.
    await waitFor(
      'the new token accepted through the gateway',
      async () => (await gql<{ me: { email: string } }>(stack.gatewayUrl, ME, { token: after })).body.data?.me?.email === email,
    );
    // The token in use before the rotation still works.
    expect((await gql<{ me: { email: string } }>(stack.gatewayUrl, ME, { token: before })).body.data!.me.email).toBe(email);
    const jwks = (await (await fetch(`http://127.0.0.1:${stack.ports.account}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string; d?: string }>;
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kidOf(before), kidOf(after)]));
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('admins are made by a command, never through the API', () => {
  it('admin:create makes an account that signs in with the admin role; without --password it prints a generated one', async () => {
    const env = { ...process.env, ACCOUNT_DATABASE_URL: stack.databaseUrls.account, NODE_ENV: 'test' };
    const script = join(repoRoot, 'subgraphs/account/src/admin-create.ts');
    const email = uniqueEmail('ops');
    const made = await run(process.execPath, [script, '--email', email], { env, cwd: repoRoot });
    const password = /password \(shown once\): (\S+)/.exec(made.stdout)?.[1];
    expect(password).toBeTruthy();
    const session = await login(stack.gatewayUrl, email, password!);
    const token = session.customerAccessToken!.accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { roles: string[] };
    expect(claims.roles).toEqual(['admin']);
    const adminOnly = await gql<{ discountCodes: unknown[] }>(stack.gatewayUrl, '{ discountCodes { code } }', { token });
    expect(adminOnly.body.errors).toBeUndefined();
    // An existing customer gains the role; the password stays theirs.
    const shopper = await signedUp('promoted');
    const promoted = await run(process.execPath, [script, '--email', shopper.email], { env, cwd: repoRoot });
    expect(promoted.stdout).toContain('now has the admin role');
    expect((await login(stack.gatewayUrl, shopper.email, PASSWORD)).userErrors).toEqual([]);
  });
});

describe('an address book is its owner’s only', () => {
  const CREATE =
    'mutation ($a: MailingAddressInput!) { customerAddressCreate(address: $a) { address { id countryCode } customer { defaultAddress { id } } userErrors { code field } } }';
  const UPDATE =
    'mutation ($id: ID!, $a: MailingAddressInput!) { customerAddressUpdate(id: $id, address: $a) { address { id } userErrors { code field } } }';
  const DELETE = 'mutation ($id: ID!) { customerAddressDelete(id: $id) { address { id } userErrors { code field } } }';
  const DEFAULT = 'mutation ($id: ID!) { customerDefaultAddressUpdate(addressId: $id) { userErrors { code field } } }';

  it('lets a customer keep addresses; another customer can neither read nor change them', async () => {
    const ann = await signedUp('ann');
    const bob = await signedUp('bob');
    const created = await gql<{
      customerAddressCreate: { address: { id: string; countryCode: string }; customer: { defaultAddress: { id: string } }; userErrors: unknown[] };
    }>(stack.gatewayUrl, CREATE, { token: ann.token, variables: { a: ADDRESS } });
    const payload = created.body.data!.customerAddressCreate;
    expect(payload.userErrors).toEqual([]);
    expect(payload.address.countryCode).toBe('US');
    // The first address becomes the default.
    expect(payload.customer.defaultAddress.id).toBe(payload.address.id);
    const id = payload.address.id;

    for (const [query, variables] of [
      [UPDATE, { id, a: { ...ADDRESS, city: 'Shelbyville' } }],
      [DELETE, { id }],
      [DEFAULT, { id }],
    ] as const) {
      const res = await gql<Record<string, { userErrors: Array<{ code: string }> }>>(stack.gatewayUrl, query, { token: bob.token, variables });
      expect(Object.values(res.body.data!)[0]!.userErrors[0]!.code).toBe('NOT_FOUND');
    }
    const bobs = await gql<{ me: { addresses: unknown[] } }>(stack.gatewayUrl, '{ me { addresses { id } } }', { token: bob.token });
    expect(bobs.body.data!.me.addresses).toEqual([]);
    const anns = await gql<{ me: { addresses: Array<{ id: string; city: string }> } }>(
      stack.gatewayUrl,
      '{ me { addresses { id city } defaultAddress { id } } }',
      {
        token: ann.token,
      },
    );
    expect(anns.body.data!.me.addresses).toEqual([{ id, city: 'Springfield' }]);
  });

  it('validates an address field by field, and a guest cannot keep one', async () => {
    const ann = await signedUp('val');
    const res = await gql<{ customerAddressCreate: { userErrors: Array<{ code: string; field: string[] }> } }>(stack.gatewayUrl, CREATE, {
      token: ann.token,
      variables: { a: { ...ADDRESS, countryCode: 'USA', city: ' ' } },
    });
    expect(res.body.data!.customerAddressCreate.userErrors.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        ['address', 'countryCode'],
        ['address', 'city'],
      ]),
    );
    const guest = await gql(stack.gatewayUrl, CREATE, { variables: { a: ADDRESS } });
    expect(guest.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
