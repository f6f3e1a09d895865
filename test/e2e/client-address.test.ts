import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { login, uniqueEmail } from '../support/accounts.ts';

// Its own stack: the gateway believes X-Forwarded-For from loopback, as behind an ingress, and the
// per-address sign-in limit is small.
let stack: TestSupergraph;
beforeAll(async () => {
  stack = await startTestSupergraph({ GATEWAY_TRUSTED_PROXIES: 'loopback', LOGIN_MAX_FAILURES_PER_ADDRESS: '5', LOGIN_WINDOW_SECONDS: '120' });
});
afterAll(async () => stack?.stop());

const attempt = (client: string) => login(stack.gatewayUrl, uniqueEmail('nobody'), 'wrong password', { 'x-forwarded-for': client });

describe('clients behind a trusted proxy', () => {
  it('count their failed sign-ins each under their own address, not the proxy’s', async () => {
    // Eight guesses from one client: five are checked, then its address is throttled.
    const first = await Promise.all(Array.from({ length: 8 }, () => attempt('203.0.113.10')));
    const codes = first.map((a) => a.userErrors[0]?.code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(3);
    // Another client behind the same proxy has its own count.
    for (let i = 0; i < 2; i++) expect((await attempt('203.0.113.20')).userErrors[0]?.code).toBe('INVALID_CREDENTIALS');
    // An address the throttled client writes in front is not believed: the proxy's hop names it.
    expect((await attempt('198.51.100.1, 203.0.113.10')).userErrors[0]?.code).toBe('THROTTLED');
  });
});
