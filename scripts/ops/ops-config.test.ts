import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics, registerEventMetrics } from '@shop/platform';
import { registerOrderMetrics } from '../../subgraphs/order/src/domain/order-metrics.ts';
import { registerPaymentMetrics } from '../../subgraphs/payment/src/domain/payment-metrics.ts';
import { registerCartMetrics } from '../../subgraphs/cart/src/domain/cart-metrics.ts';
import { loadConfig as gatewayConfig } from '../../gateway/src/config.ts';
import { loadConfig as catalogConfig } from '../../subgraphs/catalog/src/config.ts';
import { loadConfig as cartConfig } from '../../subgraphs/cart/src/config.ts';
import { loadConfig as orderConfig } from '../../subgraphs/order/src/config.ts';
import { loadConfig as paymentConfig } from '../../subgraphs/payment/src/config.ts';
import { loadConfig as accountConfig } from '../../subgraphs/account/src/config.ts';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Series names a metric of this type exposes (a histogram's buckets, count and sum). */
const seriesOf = (name: string, type: string) => (type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name]);

/** Every series name the processes expose: their registries as the code builds them, ... */
async function registeredSeries(): Promise<Set<string>> {
  const registry = createMetrics('test').registry;
  // Never scraped here, so the outbox gauges never query this stand-in.
  registerEventMetrics(registry, {} as Parameters<typeof registerEventMetrics>[1]);
  registerOrderMetrics(registry);
  registerPaymentMetrics(registry, { state: 0 });
  registerCartMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) for (const series of seriesOf(metric.name, String(metric.type))) names.add(series);
  // ... and the metrics made inside parts that need live connections (gateway, cart cache), from their source.
  const sources = [...tsFiles('gateway/src'), 'subgraphs/cart/src/data/cart-cache.ts'];
  for (const file of sources) {
    for (const match of read(file).matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '([a-z_:]+)'/g))
      for (const series of seriesOf(match[2]!, match[1]!.toLowerCase())) names.add(series);
  }
  return names;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(dir, file));
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The metric names a PromQL expression reads: identifiers that are neither functions, keywords, labels nor ranges. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((word) => !PROMQL_WORDS.has(word));
}

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(read('ops/grafana/dashboards/shop.json')) as { uid: string; panels: Panel[] };
const queries = dashboard.panels
  .flatMap((panel) => [panel, ...(panel.panels ?? [])])
  .flatMap((panel) => panel.targets?.map((t) => ({ panel: panel.title, expr: t.expr })) ?? []);

describe('the Grafana dashboard', () => {
  it('reads PromQL metric names from expressions', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, step) (rate(shop_x_bucket{a="b"}[$__rate_interval])))')).toEqual(['shop_x_bucket']);
    expect(metricNamesIn('sum(rate(a_total[5m])) / (sum(rate(b_total[5m])) + 0)')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('max by (breaker, state) (shop_circuit_breaker_state) == 1')).toEqual(['shop_circuit_breaker_state']);
  });

  it('queries only metrics the code registers', async () => {
    const known = await registeredSeries();
    const unknown = queries.flatMap(({ panel, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(queries.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it('shows every shop_* business metric', async () => {
    const used = new Set(queries.flatMap(({ expr }) => metricNamesIn(expr)));
    const shop = [...(await registeredSeries())].filter((name) => name.startsWith('shop_') && !/_(count|sum)$/.test(name));
    const unused = shop.filter((name) => !used.has(name) && !used.has(name.replace(/_bucket$/, '_count')));
    expect(unused).toEqual([]);
  });

  it('reads the data source the provisioning declares', () => {
    const provisioned = parse(read('ops/grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string; type: string }> };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row') as Array<Panel & { datasource: { uid: string; type: string } }>;
    for (const panel of panels) expect(provisioned.datasources).toContainEqual(expect.objectContaining(panel.datasource));
  });
});

/** Each process's port as its config model defaults it (what ./scripts/dev and docker-compose use). */
const ports: Record<string, number> = {
  gateway: gatewayConfig({}).GATEWAY_PORT,
  catalog: catalogConfig({}).CATALOG_PORT,
  cart: cartConfig({}).CART_PORT,
  order: orderConfig({}).ORDER_PORT,
  payment: paymentConfig({}).PAYMENT_PORT,
  account: accountConfig({}).ACCOUNT_PORT,
};

interface ScrapeConfig {
  scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[]; labels: { target: string } }> }>;
}
const targetsOf = (file: string) =>
  (parse(read(file)) as ScrapeConfig).scrape_configs.flatMap((job) =>
    job.static_configs.flatMap((group) =>
      group.targets.map((target) => ({ path: job.metrics_path ?? '/metrics', name: group.labels.target, target })),
    ),
  );

describe('the Prometheus scrape configs', () => {
  it('scrape /metrics of the gateway and every subgraph on its dev port on this machine', () => {
    const targets = targetsOf('ops/prometheus/prometheus.yml');
    expect(targets).toEqual(Object.entries(ports).map(([name, port]) => ({ path: '/metrics', name, target: `127.0.0.1:${port}` })));
  });

  it('scrape the same processes by their compose service names and the ports compose gives them', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { environment?: Record<string, string> }> };
    const targets = targetsOf('ops/prometheus/prometheus.compose.yml');
    expect(targets).toEqual(Object.entries(ports).map(([name, port]) => ({ path: '/metrics', name, target: `${name}:${port}` })));
    for (const name of Object.keys(ports)) expect(Number(compose.services[name]?.environment?.[`${name.toUpperCase()}_PORT`])).toBe(ports[name]);
  });

  it('are what the ops compose file mounts, with the dashboards and provisioning it points Grafana at', () => {
    const ops = parse(read('ops/docker-compose.ops.yml')) as {
      services: Record<string, { volumes: string[]; environment?: Record<string, string> }>;
    };
    const mounts = Object.values(ops.services).flatMap((service) => service.volumes.filter((v) => v.startsWith('./')).map((v) => v.split(':')));
    expect(mounts).toContainEqual(['./ops/prometheus/prometheus.compose.yml', '/etc/prometheus/prometheus.yml', 'ro']);
    for (const [source] of mounts) expect(existsSync(join(root, source!)), source).toBe(true);
    const grafana = ops.services.grafana!;
    expect(grafana.volumes).toContain(`./ops/grafana/dashboards:${grafana.environment?.SHOP_DASHBOARDS_DIR}:ro`);
  });
});
