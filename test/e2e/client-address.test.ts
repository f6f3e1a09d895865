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

describe('a caller that reaches the account subgraph without the gateway', () => {
  it('cannot name a fresh address for each guess: unsigned addresses all count as one', async () => {
    // Each guess names another address, as if it came through the gateway from another client.
    const guesses = Array.from({ length: 7 }, (_, i) =>
      login(stack.subgraphUrls.account!, uniqueEmail('nobody'), 'wrong password', { 'x-client-address': `192.0.2.${i + 1}` }),
    );
    const codes = (await Promise.all(guesses)).map((a) => a.userErrors[0]?.code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(2);
    // The gateway's clients keep their own counts: one of the addresses above, through the gateway.
    expect((await attempt('192.0.2.1')).userErrors[0]?.code).toBe('INVALID_CREDENTIALS');
  });
});
