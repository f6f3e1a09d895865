import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const EXPENSIVE_DEFAULTS = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
];

/** One registry per process, with Node's default metrics and GraphQL request timings. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // Per-type lists of every active handle, resource and request: a gateway holding thousands of
  // WebSockets built them on every scrape (most of a 27 ms scrape). Debugging aids, not signals:
  // connections and subscriptions have their own gauges, file descriptors stay (process_open_fds).
  for (const name of EXPENSIVE_DEFAULTS) registry.removeSingleMetric(name);
  const graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request duration by operation type and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { registry, graphqlDuration, graphqlErrors };
}

export type Metrics = ReturnType<typeof createMetrics>;
