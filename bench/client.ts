/** What the benchmarks share: one GraphQL call (setup, not measured), percentiles and a process's CPU. */

/** POSTs one operation; throws on GraphQL errors (a benchmark of errors measures nothing). */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`${response.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return body.data as T;
}

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
