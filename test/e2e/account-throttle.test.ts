import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
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
