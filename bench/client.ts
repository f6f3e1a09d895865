/** What the benchmarks share: one GraphQL call (setup, not measured), percentiles and a process's CPU. */
import { Agent, request } from 'undici';

/**
 * The bench's own HTTP client: undici's request on keep-alive connections. The load generator
 * shares the machine's cores with the stack, and global fetch (WHATWG streams, Request/Response
 * objects) costs it about twice the CPU per call.
 */
const agent = new Agent({ connections: 256 });

/** POSTs one operation; throws on GraphQL errors (a benchmark of errors measures nothing). */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await request(url, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { data?: T; errors?: unknown[] };
  if (response.statusCode >= 400 || body.errors) throw new Error(`${response.statusCode} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return body.data as T;
}

/** Closes the client's idle keep-alive connections, so the bench exits at once. */
export const closeClient = () => agent.close();

/** The p-th percentile (nearest rank) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A process's CPU seconds so far (`process_cpu_seconds_total` on the /metrics next to its /graphql). */
export async function cpuSeconds(graphqlUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
  if (!line) throw new Error(`${graphqlUrl}: no process_cpu_seconds_total`);
  return Number(line.split(' ').at(-1));
}
