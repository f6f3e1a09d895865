import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { login, register, uniqueEmail } from '../support/accounts.ts';
import { waitFor } from '../support/wait.ts';

// Its own stack: the per-address limit counts every failure from this machine's address.
let stack: TestSupergraph;
const WINDOW_SECONDS = 4;
beforeAll(async () => {
  stack = await startTestSupergraph({ LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS) });
});
afterAll(async () => stack?.stop());

describe('brute force against one account', () => {
  it('answers THROTTLED with the wait after repeated failures, refuses even the right password meanwhile, and lets it in after the window', async () => {
    const email = uniqueEmail('brute');
    const password = 'correct horse battery staple';
    expect((await register(stack.gatewayUrl, { email, password })).userErrors).toEqual([]);

    const codes: string[] = [];
    for (let i = 0; i < 50; i++) codes.push((await login(stack.gatewayUrl, email, `wrong password number ${i}`)).userErrors[0]!.code);
    // The default limit is 10 failures per account; after those, every attempt is refused unchecked.
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('INVALID_CREDENTIALS'));
    expect(new Set(codes.slice(10))).toEqual(new Set(['THROTTLED']));

    const refused = await login(stack.gatewayUrl, email, password);
    expect(refused.customerAccessToken).toBeNull();
    expect(refused.userErrors[0]).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/Try again in \d+ seconds/) });

    const after = await waitFor(
      'the window to end',
      async () => {
        const attempt = await login(stack.gatewayUrl, email, password);
        return attempt.customerAccessToken ? attempt : null;
      },
      { timeoutMs: (WINDOW_SECONDS + 20) * 1000, intervalMs: 500 },
    );
    expect(after.userErrors).toEqual([]);
  });
});

describe('guesses sent at once, and through the password change', () => {
  it('gives a burst of parallel wrong passwords no more tries than the limit', async () => {
    const email = uniqueEmail('burst');
    expect((await register(stack.gatewayUrl, { email, password: 'correct horse battery staple' })).userErrors).toEqual([]);
    // Each attempt is counted before its password is checked: the burst cannot outrun the count.
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => login(stack.gatewayUrl, email, `wrong password ${i}`)));
    const codes = answers.map((a) => a.userErrors[0]?.code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(6);
  });

  it('counts wrong current passwords of customerPasswordChange against the same limit', async () => {
    const email = uniqueEmail('change');
    const registered = await register(stack.gatewayUrl, { email, password: 'correct horse battery staple' });
    const token = registered.customerAccessToken!.accessToken;
    const change = (current: string) =>
      gql<{ customerPasswordChange: { userErrors: Array<{ code: string; field: string[] | null }> } }>(
        stack.gatewayUrl,
        'mutation ($c: String!, $n: String!) { customerPasswordChange(currentPassword: $c, newPassword: $n) { userErrors { code field } } }',
        { variables: { c: current, n: 'a brand new passphrase' }, token },
      );
    const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => change(`wrong current ${i}`)));
    const errors = answers.map((a) => a.body.data!.customerPasswordChange.userErrors[0]);
    expect(errors.filter((e) => e?.code === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(errors.filter((e) => e?.code === 'THROTTLED')).toEqual(Array(4).fill({ code: 'THROTTLED', field: ['currentPassword'] }));
  });
});
