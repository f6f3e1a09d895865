import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { withTimeout } from './timeout.ts';

// Subgraphs define their domain metrics with the platform's prom-client (one copy, one registry type).
export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The shop's metrics shared by every subgraph: event delivery (redeliveries, outbox lag) and
 * circuit breakers. Domain metrics live with their domain (order-metrics.ts, payment-metrics.ts,
 * cart-metrics.ts); all of them are named `shop_*` and carry only labels with a fixed set of values.
 */

/** Seconds from `since` to `now` (ms) for a duration histogram; never negative (clocks of two hosts may disagree). */
export const secondsSince = (since: Date, now: number): number => Math.max(0, (now - since.getTime()) / 1000);

/**
 * Messages JetStream delivered again (ack wait passed, a nak, a restart). Process-wide, like the
 * consumers that count into it; each subgraph's registry takes it in (registerEventMetrics).
 */
export const eventRedeliveries = new Counter({
  name: 'shop_event_redeliveries_total',
  help: 'JetStream messages delivered more than once, by stream and durable consumer',
  labelNames: ['stream', 'consumer'] as const,
  registers: [],
});

/** Called by the inbox for every message it receives. */
export function countDelivery(stream: string, consumer: string, info: { redelivered: boolean }): void {
  if (info.redelivered) eventRedeliveries.inc({ stream, consumer });
}

/**
 * Registers process-wide metrics (made with `registers: []`) on a process's registry; a metric
 * already there (a second subgraph in one test process) is left as it is.
 */
export function registerAll(registry: Registry, metrics: Record<string, unknown>): void {
  for (const metric of Object.values(metrics) as Metric[]) {
    // `name` is on every prom-client metric; its typings leave it out.
    if (!registry.getSingleMetric((metric as unknown as { name: string }).name)) registry.registerMetric(metric);
  }
}

/** How long a scrape may wait for Postgres before it answers without fresh outbox figures. */
const OUTBOX_QUERY_TIMEOUT_MS = 1_000;

/**
 * The subgraph's event metrics on its registry: redeliveries and its outbox's lag, read from
 * Postgres when Prometheus scrapes (no work between scrapes; nothing to keep in step with the relay).
 */
export function registerEventMetrics(registry: Registry, em: EntityManager): void {
  registerAll(registry, { eventRedeliveries });
  let last: Promise<{ age: number; count: number } | undefined> | undefined;
  // One query per scrape for both gauges: the first collect starts it, the second reuses it.
  const outbox = () => {
    last ??= withTimeout(outboxBacklog(em), OUTBOX_QUERY_TIMEOUT_MS)
      .catch(() => undefined)
      .finally(() => setImmediate(() => (last = undefined)));
    return last;
  };
  new Gauge({
    name: 'shop_outbox_oldest_unpublished_seconds',
    help: 'Age of the oldest committed event not yet published to NATS (0 when none waits)',
    registers: [registry],
    async collect() {
      // Postgres unreachable: keep the last value rather than report a lag of 0.
      const backlog = await outbox();
      if (backlog) this.set(backlog.age);
    },
  });
  new Gauge({
    name: 'shop_outbox_unpublished_events',
    help: 'Committed events waiting in the outbox',
    registers: [registry],
    async collect() {
      const backlog = await outbox();
      if (backlog) this.set(backlog.count);
    },
  });
}

async function outboxBacklog(em: EntityManager): Promise<{ age: number; count: number }> {
  const [row] = await em
    .fork()
    .execute<Array<{ age: string | number | null; count: string | number }>>(
      'select extract(epoch from now() - min(created_at)) as age, count(*) as count from outbox_event where published_at is null',
    );
  return { age: Math.max(0, Number(row?.age ?? 0)), count: Number(row?.count ?? 0) };
}

export type BreakerState = 'closed' | 'half_open' | 'open' | 'isolated';
export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open', 'isolated'];

/**
 * Circuit breakers' states, read at scrape time: one series per breaker and state, 1 for the
 * current one (the usual enum pattern: `shop_circuit_breaker_state{state="open"} == 1` alerts).
 */
export function registerBreakerStates(registry: Registry, breakers: Record<string, () => BreakerState>): void {
  new Gauge({
    name: 'shop_circuit_breaker_state',
    help: 'Circuit breaker state: 1 for the current state of each breaker, 0 for the others',
    labelNames: ['breaker', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [breaker, state] of Object.entries(breakers)) {
        const now = state();
        for (const s of BREAKER_STATES) this.set({ breaker, state: s }, s === now ? 1 : 0);
      }
    },
  });
}
