import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { cpuSeconds } from './client.ts';
import { entries, type BenchContext } from './entries.ts';
import { extraProcess, gatewayProcess, type ExtraProcess } from './processes.ts';

/** An OTLP endpoint that accepts every export and keeps nothing but a count (the cost of a real collector is not ours). */
async function startSink(): Promise<{ url: string; exports: () => { requests: number; bytes: number }; stop: () => Promise<void> }> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => ({ requests, bytes }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The cart page's path, started twice beside the dev stack with the same settings except tracing: a
 * gateway, a cart and a catalog (the subgraphs a cart page reads), one trio without an OTLP
 * endpoint and one exporting to the sink. Order, payment and account stay the dev stack's.
 */
function trio(label: string, env: Record<string, string>): { gateway: ExtraProcess; parts: ExtraProcess[] } {
  const cart = extraProcess(`cart (${label})`, 'subgraphs/cart/src/index.ts', 'CART_PORT', env);
  const catalog = extraProcess(`catalog (${label})`, 'subgraphs/catalog/src/index.ts', 'CATALOG_PORT', env);
  let gateway: ExtraProcess | undefined;
  const url = async () => {
    gateway ??= gatewayProcess(`gateway (${label})`, { ...env, CART_URL: await cart.url(), CATALOG_URL: await catalog.url() });
    return gateway.url();
  };
  return { gateway: { url, stop: async () => gateway?.stop() }, parts: [cart, catalog] };
}

export interface TracingRun {
  tracing: 'off' | 'on';
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the three processes spent per request (from their /metrics): steadier than req/s on a shared machine. */
  cpuMs: number;
}

/**
 * `pnpm bench tracing-overhead`: cart-page-20 against the untraced and the traced trio, alternating
 * (off, on, off, on, ...) so drift in the machine's load falls on both sides.
 */
export async function runTracingOverheadBench(options: { ctx: BenchContext; seconds: number; connections: number; rounds: number }) {
  const sink = await startSink();
  const off = trio('tracing off', {});
  const on = trio('tracing on', { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  const stopAll = () => Promise.all([off.gateway, on.gateway, ...off.parts, ...on.parts].map((p) => p.stop()));
  try {
    const entry = entries.find((e) => e.name === 'cart-page-20')!;
    const body = JSON.stringify({ query: entry.query, variables: await entry.prepare!(options.ctx) });
    const headers = entry.headers(options.ctx);
    const urls = { off: await off.gateway.url(), on: await on.gateway.url() };
    const processes = {
      off: [urls.off, ...(await Promise.all(off.parts.map((p) => p.url())))],
      on: [urls.on, ...(await Promise.all(on.parts.map((p) => p.url())))],
    };
    const cpu = async (tracing: 'off' | 'on') => (await Promise.all(processes[tracing].map(cpuSeconds))).reduce((a, b) => a + b, 0);
    const runs: TracingRun[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const tracing of ['off', 'on'] as const) {
        const url = urls[tracing];
        // A short warm-up per side (JIT, pools, the entity cache), then the measured run.
        await autocannon({ url, method: 'POST', headers, body, connections: options.connections, duration: 2 });
        const before = await cpu(tracing);
        const result = await autocannon({ url, method: 'POST', headers, body, connections: options.connections, duration: options.seconds });
        const cpuMs = (((await cpu(tracing)) - before) * 1000) / Math.max(1, result.requests.total);
        runs.push({
          tracing,
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx,
          cpuMs,
        });
      }
    }
    return { runs, exported: sink.exports() };
  } finally {
    await stopAll();
    await sink.stop();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export function printTracingOverheadBench({ runs, exported }: Awaited<ReturnType<typeof runTracingOverheadBench>>, connections: number): void {
  console.log(
    `\ntracing-overhead: cart-page-20 through a gateway, cart and catalog, tracing off / on (OTLP to a discarding sink), ${connections} connections`,
  );
  console.log(
    'run'.padEnd(5),
    'tracing'.padEnd(8),
    'req/s'.padStart(8),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'CPU ms/req'.padStart(11),
    'errors'.padStart(7),
  );
  runs.forEach((r, i) =>
    console.log(
      String(i + 1).padEnd(5),
      r.tracing.padEnd(8),
      r.rps.toFixed(0).padStart(8),
      String(r.p50).padStart(8),
      String(r.p99).padStart(8),
      r.cpuMs.toFixed(2).padStart(11),
      String(r.errors).padStart(7),
    ),
  );
  const side = (t: 'off' | 'on') => runs.filter((r) => r.tracing === t);
  const [rpsOff, rpsOn] = [median(side('off').map((r) => r.rps)), median(side('on').map((r) => r.rps))];
  const [p50Off, p50On] = [median(side('off').map((r) => r.p50)), median(side('on').map((r) => r.p50))];
  const [cpuOff, cpuOn] = [median(side('off').map((r) => r.cpuMs)), median(side('on').map((r) => r.cpuMs))];
  console.log(
    `medians: off ${rpsOff.toFixed(0)} req/s p50 ${p50Off} ms ${cpuOff.toFixed(2)} CPU ms/req; ` +
      `on ${rpsOn.toFixed(0)} req/s p50 ${p50On} ms ${cpuOn.toFixed(2)} CPU ms/req; ` +
      `on / off: ${(rpsOn / rpsOff).toFixed(2)}x req/s, ${(p50On / p50Off).toFixed(2)}x p50, ${(cpuOn / cpuOff).toFixed(2)}x CPU per request; ` +
      `the sink took ${exported.requests} exports (${(exported.bytes / 1024).toFixed(0)} KiB)`,
  );
}
