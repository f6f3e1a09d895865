/**
 * Sign-in benchmarks with the dev seed's demo customer (its known dev password: a successful
 * sign-in never counts against the throttle, so the load is never answered THROTTLED).
 * - `login`, `login-subgraph`: customerLogin through the gateway / straight at the account
 *   subgraph, fixed autocannon bodies; each answer includes one argon2id verification.
 * - `token-refresh`: customerTokenRefresh needs the refresh token the previous answer gave (single
 *   use), so it is a closed loop: `concurrency` workers, each its own sign-in, each sending its next
 *   refresh when the last one answered. Bounded by `seconds` and `maxRequests`.
 * - the argon2id hash time at the account's configured cost, in this process, for comparison.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../subgraphs/account/src/config.ts';
import { DEMO_CUSTOMER } from '../subgraphs/account/src/data/seed-data.ts';
import { PasswordHasher } from '../subgraphs/account/src/domain/passwords.ts';
import { graphql, percentile } from './client.ts';

export const LOGIN = `mutation Login($email: String!, $password: String!) {
  customerLogin(email: $email, password: $password) {
    customerAccessToken { accessToken refreshToken }
    userErrors { code message }
  }
}`;

const REFRESH = `mutation Refresh($refreshToken: String!) {
  customerTokenRefresh(refreshToken: $refreshToken) {
    customerAccessToken { accessToken refreshToken }
    userErrors { code message }
  }
}`;

export const DEMO_LOGIN = { email: DEMO_CUSTOMER.email, password: DEMO_CUSTOMER.password };

interface AuthAnswer {
  customerAccessToken: { accessToken: string; refreshToken: string } | null;
  userErrors: Array<{ code: string; message: string }>;
}

/** A sign-in answer without tokens (wrong password, THROTTLED…) would measure the refusal, not a sign-in. */
export function assertSignedIn(answer: AuthAnswer | undefined, what: string): { accessToken: string; refreshToken: string } {
  if (!answer?.customerAccessToken) throw new Error(`${what} gave no tokens: ${JSON.stringify(answer?.userErrors ?? answer)}`);
  return answer.customerAccessToken;
}

export async function login(url: string): Promise<string> {
  const data = await graphql<{ customerLogin: AuthAnswer }>(url, LOGIN, DEMO_LOGIN);
  return assertSignedIn(data.customerLogin, 'customerLogin').refreshToken;
}

export interface TokenRefreshResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

export async function runTokenRefreshBench(options: {
  gatewayUrl: string;
  concurrency: number;
  seconds: number;
  maxRequests: number;
}): Promise<TokenRefreshResult> {
  // One sign-in per worker (not measured): each worker rotates its own family, so none presents a spent token.
  const firstTokens = await Promise.all(Array.from({ length: options.concurrency }, () => login(options.gatewayUrl)));
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async (firstToken: string) => {
    let refreshToken = firstToken;
    while (performance.now() < deadline && sent < options.maxRequests) {
      sent++;
      const t0 = performance.now();
      try {
        const data = await graphql<{ customerTokenRefresh: AuthAnswer }>(options.gatewayUrl, REFRESH, { refreshToken });
        refreshToken = assertSignedIn(data.customerTokenRefresh, 'customerTokenRefresh').refreshToken;
        latencies.push(performance.now() - t0);
      } catch {
        // A failed refresh leaves the worker without a live token: it signs in again (not measured),
        // and stops if that fails too (the stack is not answering; the count says so).
        failed++;
        const again = await login(options.gatewayUrl).catch(() => null);
        if (!again) return;
        refreshToken = again;
      }
    }
  };
  await Promise.all(firstTokens.map(worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed,
  };
}

export function printTokenRefreshBench(r: TokenRefreshResult, concurrency: number): void {
  console.log(
    `\ntoken-refresh (gateway, closed loop, ${concurrency} workers): ${r.perSecond.toFixed(0)} req/s, ` +
      `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.requests} refreshes, ${r.failed} failed)`,
  );
}

/** The argon2id work of one sign-in at the account's configured cost (ARGON2_MEMORY_KIB, ARGON2_ITERATIONS), one at a time. */
export async function printArgon2Cost(samples = 20): Promise<void> {
  const config = loadConfig();
  const hasher = new PasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, iterations: config.ARGON2_ITERATIONS });
  const hash = await hasher.hash(DEMO_CUSTOMER.password);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await hasher.verify(hash, DEMO_CUSTOMER.password);
    times.push(performance.now() - t0);
  }
  console.log(
    `argon2id verify at the configured cost (${config.ARGON2_MEMORY_KIB} KiB, ${config.ARGON2_ITERATIONS} passes, 1 lane), ` +
      `one at a time in this process: p50 ${percentile(times, 50).toFixed(1)} ms (${samples} samples)`,
  );
}
