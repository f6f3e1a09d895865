/**
 * The peers of `pnpm bench storefront`, each one process on a free loopback port, started on first
 * use and stopped by the runner: the bare engine (bare-apollo-gateway.ts) and Hive Gateway (its
 * CLI with hive-gateway.config.ts). Both serve the supergraph file our gateway serves
 * (SUPERGRAPH_PATH, default schema/supergraph.graphql), routed like ours: a `<NAME>_URL` setting
 * (CATALOG_URL …) replaces that subgraph's routing URL, as it does for our gateway.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getFreePort, spawnLogged, waitUntilReady } from '@shop/platform/stack';
import { repoRoot, readSubgraphs } from '../../scripts/schema/subgraphs.ts';
import { withRoutingUrls } from '../../scripts/lib/bench-side-by-side.ts';
import type { ExtraProcess } from '../processes.ts';

const workDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'shop-bench-peers-')));
let dir: string | undefined;
let supergraphFile: string | undefined;

/** The supergraph our gateway serves, with its routing overrides applied (written once per run). */
function peerSupergraph(): string {
  if (supergraphFile) return supergraphFile;
  const path = process.env.SUPERGRAPH_PATH ?? join(repoRoot, 'schema', 'supergraph.graphql');
  if (!existsSync(path)) throw new Error(`no supergraph at ${path}: run pnpm schema:compose`);
  const urls = Object.fromEntries(readSubgraphs().map((s) => [s.name, process.env[`${s.name.toUpperCase()}_URL`]]));
  supergraphFile = join(workDir(), 'supergraph.graphql');
  writeFileSync(supergraphFile, withRoutingUrls(readFileSync(path, 'utf8'), urls));
  return supergraphFile;
}

/** Ready once `{ __typename }` is answered: both peers serve /graphql and nothing else of ours. */
async function answers(url: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal: AbortSignal.timeout(1000),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

function peer(name: string, command: (supergraph: string, port: number) => string[]): ExtraProcess {
  let started: Promise<{ url: string; stop: () => Promise<void> }> | undefined;
  const start = async () => {
    const port = await getFreePort();
    const proc = spawnLogged(name, process.execPath, command(peerSupergraph(), port), join(workDir(), `${name.replace(/\W+/g, '-')}.log`), {
      cwd: repoRoot,
      // Not production: Hive Gateway would fork a worker per CPU there; each peer is one process, as ours is.
      env: { ...process.env, NODE_ENV: 'development' },
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    await waitUntilReady(proc, () => answers(url), 60_000);
    return { url, stop: () => proc.stop() };
  };
  return {
    url: async () => (await (started ??= start())).url,
    stop: async () => (started ? (await started).stop() : undefined),
  };
}

export const bareEngine = (): ExtraProcess =>
  peer('bare @apollo/gateway', (supergraph, port) => [join(repoRoot, 'bench', 'peers', 'bare-apollo-gateway.ts'), supergraph, String(port)]);

/** The CLI's script, found through the package's entry point (its package.json is not exported). */
const hiveBin = () => join(dirname(createRequire(import.meta.url).resolve('@graphql-hive/gateway')), 'bin.js');

export const hiveGateway = (): ExtraProcess =>
  peer('Hive Gateway', (supergraph, port) => [
    hiveBin(),
    'supergraph',
    supergraph,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--config-path',
    join(repoRoot, 'bench', 'peers', 'hive-gateway.config.ts'),
  ]);

/** The installed version, for the table's heading. */
export function hiveVersion(): string {
  const pkg = join(dirname(createRequire(import.meta.url).resolve('@graphql-hive/gateway')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}
