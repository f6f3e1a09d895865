/**
 * Runs the supergraph's own processes (migrations, seeds, four subgraphs, gateway) against given
 * Postgres/Redis/NATS. Used by ./scripts/dev and by the end-to-end tests, so both start the stack
 * the same way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { getFreePort, spawnLogged, waitUntilReady, type ManagedProcess } from '@shop/platform/stack';
import { readSubgraphs, repoRoot } from '../schema/subgraphs.ts';

const run = promisify(execFile);

/** Database of each subgraph (one database per subgraph on one server). */
export const DATABASES: Record<string, string> = { catalog: 'catalog', cart: 'cart', order: 'orders', payment: 'payments', account: 'accounts' };

/** Where every process of a stack verifies tokens: the account subgraph's public keys. */
export const jwksUrlOf = (ports: Record<string, number>) => `http://127.0.0.1:${ports.account}/.well-known/jwks.json`;

export interface SupergraphOptions {
  /** URL of a database on the Postgres server, by database name. */
  postgresUrl: (database: string) => string;
  /** Override database names (tests use unique ones); defaults to DATABASES. */
  databases?: Record<string, string>;
  redisUrl: string;
  natsUrl: string;
  /** Port of each subgraph by name, and of the gateway. */
  ports: Record<string, number> & { gateway: number };
  logDir: string;
  nodeEnv?: 'development' | 'test' | 'production';
  logLevel?: string;
  seedArgs?: Record<string, string[]>;
  extraEnv?: Record<string, string>;
  onStep?: (message: string) => void;
  timeoutMs?: number;
}

export interface RunningSupergraph {
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  processes: ManagedProcess[];
  stop: () => Promise<void>;
  crashAndRestart: (name: string, whileDown?: () => Promise<void>) => Promise<void>;
  /**
   * Replica tests: one more process of a subgraph with the same databases, Redis and NATS (and so
   * the same durable consumers and outbox) on another port; `stop` stops it too. The gateway keeps
   * sending to the first process.
   */
  startReplica: (name: string, replica: Replica) => Promise<ManagedProcess>;
}

export const subgraphNames = (): string[] => readSubgraphs().map((s) => s.name);

/**
 * With an OTLP endpoint configured, every process preloads the tracing SDK (it must load before the
 * application's modules: packages/platform/src/tracing/register.ts); without one nothing changes.
 */
export function withTracing(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env;
  const register = `--import=${pathToFileURL(join(repoRoot, 'packages/platform/src/tracing/register.ts')).href}`;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, register].filter(Boolean).join(' ') };
}

function serviceEnv(options: SupergraphOptions, name: string): NodeJS.ProcessEnv {
  const upper = name.toUpperCase();
  const database = (options.databases ?? DATABASES)[name] ?? name;
  return withTracing({
    ...process.env,
    NODE_ENV: options.nodeEnv ?? 'development',
    LOG_LEVEL: options.logLevel ?? 'info',
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    NATS_URL: options.natsUrl,
    JWT_JWKS_URL: jwksUrlOf(options.ports),
    [`${upper}_PORT`]: String(options.ports[name]),
    // The gateway has no database of its own.
    ...(name === 'gateway' ? {} : { [`${upper}_DATABASE_URL`]: options.postgresUrl(database) }),
    ...options.extraEnv,
  });
}

async function ready(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

/** Migrate, then seed, every subgraph (subgraphs in parallel; a failure names the subgraph and its output). */
export async function prepareDatabases(options: SupergraphOptions): Promise<void> {
  // allSettled: a failure returns only once the other subgraphs' tasks ended (none keeps running).
  const done = await Promise.allSettled(
    subgraphNames().map(async (name) => {
      const env = serviceEnv(options, name);
      for (const [task, args] of [
        ['migrate', []],
        ['seed', options.seedArgs?.[name] ?? []],
      ] as const) {
        try {
          await run(process.execPath, [join(repoRoot, 'subgraphs', name, 'src', `${task}.ts`), ...args], { env, cwd: repoRoot });
        } catch (error) {
          const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
          const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
          throw new Error(`${task} of ${name} failed:\n${tail}`, { cause: error });
        }
        options.onStep?.(`${name}: ${task === 'migrate' ? 'migrated' : 'seeded'}`);
      }
    }),
  );
  const failed = done.find((d) => d.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A second process of a subgraph: its own port, name and log, variables on top of the first's. */
export interface Replica {
  port: number;
  label: string;
  env?: Record<string, string>;
}

/** Start one subgraph process (or a replica of it) and wait for its /health/ready. */
async function startSubgraphProcess(options: SupergraphOptions, name: string, timeoutMs: number, replica?: Replica): Promise<ManagedProcess> {
  const port = replica?.port ?? options.ports[name];
  const label = replica?.label ?? name;
  const env = replica ? { ...serviceEnv(options, name), [`${name.toUpperCase()}_PORT`]: String(port), ...replica.env } : serviceEnv(options, name);
  const proc = spawnLogged(label, process.execPath, [join(repoRoot, 'subgraphs', name, 'src', 'index.ts')], join(options.logDir, `${label}.log`), {
    env,
    cwd: repoRoot,
  });
  await waitUntilReady(proc, () => ready(`http://127.0.0.1:${port}/health/ready`), timeoutMs);
  return proc;
}

/** Start the four subgraphs, wait for each /health/ready, then the gateway and its /health. */
export async function startSupergraph(options: SupergraphOptions): Promise<RunningSupergraph> {
  mkdirSync(options.logDir, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all([...processes].reverse().map((p) => p.stop()));
  };
  const subgraphUrls: Record<string, string> = {};
  try {
    // allSettled: when one fails, the others are still starting; the catch below must stop them too.
    const started = await Promise.allSettled(
      subgraphNames().map(async (name) => {
        processes.push(await startSubgraphProcess(options, name, timeoutMs));
        subgraphUrls[name] = `http://127.0.0.1:${options.ports[name]}/graphql`;
        options.onStep?.(`${name} ready on ${subgraphUrls[name]}`);
      }),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const overrides = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
    const spawnGateway = () =>
      spawnLogged('gateway', process.execPath, [join(repoRoot, 'gateway', 'src', 'index.ts')], join(options.logDir, 'gateway.log'), {
        env: { ...serviceEnv(options, 'gateway'), ...overrides },
        cwd: repoRoot,
      });
    const gatewayReady = async (gateway: ManagedProcess) => {
      await waitUntilReady(gateway, () => ready(`http://127.0.0.1:${options.ports.gateway}/health`), timeoutMs);
      return gateway;
    };
    const gateway = spawnGateway();
    processes.push(gateway);
    await gatewayReady(gateway);
    /** Crash tests: SIGKILL one subgraph or the gateway (no graceful stop), then start it again on the same port. */
    const crashAndRestart = async (name: string, whileDown?: () => Promise<void>) => {
      const index = processes.findIndex((p) => p.name === name);
      const old = processes[index]!;
      try {
        process.kill(-old.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await old.exited;
      await whileDown?.();
      processes[index] = name === 'gateway' ? await gatewayReady(spawnGateway()) : await startSubgraphProcess(options, name, timeoutMs);
    };
    const startReplica = async (name: string, replica: Replica) => {
      const proc = await startSubgraphProcess(options, name, timeoutMs, replica);
      processes.push(proc);
      return proc;
    };
    return { gatewayUrl: `http://127.0.0.1:${options.ports.gateway}/graphql`, subgraphUrls, processes, stop, crashAndRestart, startReplica };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ExtraProcessOptions {
  /** For logs, e.g. "gateway (rate limited)". */
  name: string;
  /** Entry point relative to the repo root, e.g. gateway/src/index.ts. */
  script: string;
  /** The variable that sets its port (GATEWAY_PORT, CART_PORT...). */
  portVar: string;
  /** On top of this process's environment. */
  env: NodeJS.ProcessEnv;
  /** Answers 200 once it serves (/health for the gateway, /health/ready for a subgraph). */
  readyPath: string;
  timeoutMs?: number;
}

/**
 * One more process of the stack with its own settings on a free loopback port (tests' extra
 * gateways, the benchmark's cache-off cart and protections on/off gateways); its log goes to a
 * temp directory.
 */
export async function startExtraProcess(options: ExtraProcessOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await getFreePort();
  const logFile = join(mkdtempSync(join(tmpdir(), 'shop-extra-')), 'process.log');
  const proc = spawnLogged(options.name, process.execPath, [join(repoRoot, options.script)], logFile, {
    cwd: repoRoot,
    env: withTracing({ ...process.env, ...options.env, [options.portVar]: String(port) }),
  });
  await waitUntilReady(proc, () => ready(`http://127.0.0.1:${port}${options.readyPath}`), options.timeoutMs ?? 30_000);
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => proc.stop() };
}
