/**
 * `pnpm bench storefront`: the web client's four pages, as listed in the trusted-documents
 * manifest, against the subgraph alone (where one subgraph answers the page), our gateway with
 * every protection on, the bare engine and Hive Gateway, in rounds whose target order rotates;
 * prints one table with the ratios. Every target is checked once before it is loaded (no errors,
 * the same shape of answer as the others) and a target that answers errors is not reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildClientSchema, getIntrospectionQuery, parse, print, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { repoRoot } from '../scripts/schema/subgraphs.ts';
import {
  formatSideBySide,
  pruneToSchema,
  rotate,
  shapeMismatch,
  type Cell,
  type TableRow,
  type TargetName,
} from '../scripts/lib/bench-side-by-side.ts';
import { cartWithLines, firstProducts, type BenchContext } from './entries.ts';
import { bareEngine, hiveGateway, hiveVersion } from './peers/index.ts';

export interface StorefrontSettings {
  ctx: BenchContext;
  /** Our gateway with every protection on (the runner's extra gateway process). */
  ours: () => Promise<string>;
  seconds: number;
  connections: number;
  rounds: number;
}

/** Before the first round each cell is loaded this long, unrecorded: no target is measured cold. */
const WARMUP_SECONDS = 2;
const json = { 'content-type': 'application/json' };

const manifest = JSON.parse(readFileSync(join(repoRoot, 'schema/trusted-documents.json'), 'utf8')) as Record<
  string,
  { name: string; document: string }
>;
const trusted = (name: string): string => {
  const found = Object.values(manifest).find((d) => d.name === name);
  if (!found) throw new Error(`${name} is not in schema/trusted-documents.json (pnpm schema:manifest)`);
  return found.document;
};

interface Page {
  title: string;
  document: string;
  variables: (ctx: BenchContext) => Promise<Record<string, unknown>>;
  headers: (ctx: BenchContext) => Record<string, string>;
  /** The subgraph that answers the page by itself (with what of the document it has), if one does. */
  subgraph?: 'catalog' | 'cart';
}

const pages: Page[] = [
  {
    title: 'ProductList (20 products)',
    document: trusted('ProductList'),
    variables: async () => ({ first: 20 }),
    headers: () => json,
    subgraph: 'catalog',
  },
  {
    title: 'ProductPage (by slug)',
    document: trusted('ProductPage'),
    variables: async (ctx) => ({ slug: (await firstProducts(ctx, 1))[0]!.slug }),
    headers: () => json,
    subgraph: 'catalog',
  },
  {
    title: 'CartPage (20 lines)',
    document: trusted('CartPage'),
    variables: async (ctx) => ({ id: await cartWithLines(ctx, 20) }),
    headers: () => json,
    subgraph: 'cart',
  },
  {
    title: 'MyAccount (signed in)',
    document: trusted('MyAccount'),
    variables: async () => ({}),
    headers: (ctx) => ({ ...json, authorization: `Bearer ${ctx.customerToken}` }),
  },
];

/** One POST with a deadline; the answer's data, or why it does not count (HTTP status, GraphQL errors). */
async function answer(url: string, headers: Record<string, string>, body: string): Promise<{ data: unknown } | { error: string }> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    const result = (await response.json()) as { data?: unknown; errors?: unknown[] };
    if (!response.ok || result.errors || result.data == null)
      return { error: `${response.status} ${JSON.stringify(result.errors ?? result).slice(0, 200)}` };
    return { data: result.data };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function subgraphSchema(url: string): Promise<GraphQLSchema> {
  const result = await answer(url, json, JSON.stringify({ query: getIntrospectionQuery() }));
  if ('error' in result) throw new Error(`introspecting ${url}: ${result.error}`);
  return buildClientSchema(result.data as IntrospectionQuery);
}

interface Load {
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function load(target: Load, connections: number, seconds: number): Promise<{ rps: number; p50: number } | { refused: string }> {
  const result = await autocannon({
    ...target,
    method: 'POST',
    connections,
    duration: seconds,
    // A 200 carrying GraphQL errors is an error too: a benchmark of errors measures nothing.
    verifyBody: (body) => typeof body === 'string' && !body.includes('"errors"'),
  });
  const failed = result.errors + result.non2xx + result.mismatches;
  if (failed > 0) return { refused: `${failed} of ${result.requests.total} answers were errors` };
  return { rps: result.requests.average, p50: result.latency.p50 };
}

export interface StorefrontResult {
  /** What the figures are, printed above the table. */
  caption: string;
  table: string;
  notes: string[];
  /** False when a target was refused (its check or its load answered errors). */
  complete: boolean;
}

export async function runStorefrontBench(settings: StorefrontSettings): Promise<StorefrontResult> {
  const { ctx, seconds, connections, rounds } = settings;
  const bare = bareEngine();
  const hive = hiveGateway();
  try {
    const urls: Record<Exclude<TargetName, 'subgraph'>, string> = { ours: await settings.ours(), bare: await bare.url(), hive: await hive.url() };
    const schemas = { catalog: await subgraphSchema(ctx.catalogUrl), cart: await subgraphSchema(ctx.cartUrl) };
    const subgraphUrls = { catalog: ctx.catalogUrl, cart: ctx.cartUrl };
    const notes: string[] = [];
    const rows: TableRow[] = [];
    const loads: Array<Map<TargetName, Load>> = [];

    // Set up and check every page × target once, before any load.
    for (const page of pages) {
      const row: TableRow = { page: page.title, cells: {} };
      const variables = await page.variables(ctx);
      const headers = page.headers(ctx);
      const full = JSON.stringify({ query: page.document, variables });
      const targets = new Map<TargetName, Load>();
      for (const name of ['ours', 'bare', 'hive'] as const) targets.set(name, { url: urls[name], headers, body: full });
      let reduced = false;
      if (page.subgraph) {
        const { document, removed } = pruneToSchema(parse(page.document), schemas[page.subgraph]);
        reduced = removed.length > 0;
        const label = reduced ? `${page.subgraph}, ${page.subgraph} fields only` : `${page.subgraph}, same document`;
        row.cells.subgraph = { label, rounds: [] };
        if (reduced)
          notes.push(`${page.title} at the ${page.subgraph} subgraph: the document without ${removed.join(', ')} (another subgraph's fields).`);
        targets.set('subgraph', { url: subgraphUrls[page.subgraph], headers, body: JSON.stringify({ query: print(document), variables }) });
      }
      const answers = new Map<TargetName, unknown>();
      for (const [name, target] of targets) {
        const result = await answer(target.url, target.headers, target.body);
        if ('error' in result) row.cells[name] = { label: row.cells[name]?.label, refused: `its check answered ${result.error}` };
        else answers.set(name, result.data);
      }
      const reference = (['ours', 'bare', 'hive'] as const).map((n) => answers.get(n)).find((a) => a !== undefined);
      for (const [name, data] of answers) {
        const mismatch = reference === undefined ? undefined : shapeMismatch(reference, data, name === 'subgraph' && reduced);
        const label = row.cells[name]?.label;
        row.cells[name] = mismatch ? { label, refused: `its answer differs: ${mismatch}` } : { label, rounds: [] };
      }
      for (const [name, cell] of Object.entries(row.cells)) if ('refused' in cell) targets.delete(name as TargetName);
      rows.push(row);
      loads.push(targets);
    }

    const cells = loads.reduce((n, t) => n + t.size, 0);
    console.log(
      `storefront: ${pages.length} pages, ${cells} page × target cells, ${rounds} rounds of ${seconds} s, ` +
        `${connections} connections (about ${Math.ceil((cells * (rounds * seconds + WARMUP_SECONDS)) / 60)} min)`,
    );
    for (const targets of loads) for (const target of targets.values()) await load(target, connections, WARMUP_SECONDS);
    for (let round = 0; round < rounds; round++) {
      for (const [i, targets] of loads.entries()) {
        for (const name of rotate([...targets.keys()], round)) {
          const cell = rows[i]!.cells[name] as Cell;
          if ('refused' in cell) continue;
          const result = await load(targets.get(name)!, connections, seconds);
          rows[i]!.cells[name] = 'refused' in result ? { label: cell.label, refused: result.refused } : { ...cell, rounds: [...cell.rounds, result] };
          const figure = 'refused' in result ? result.refused : `${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms`;
          console.log(`  round ${round + 1}  ${pages[i]!.title.padEnd(26)} ${name.padEnd(9)} ${figure}`);
        }
      }
    }
    notes.push(
      `Hive Gateway ${hiveVersion()} (CLI, its defaults, authorization forwarded); the bare engine is Apollo Server with @apollo/gateway and nothing else; ` +
        `our gateway has query limits, rate limits (a budget the run cannot exhaust) and trusted documents on.`,
    );
    const complete = rows.every((r) => Object.values(r.cells).every((c) => !('refused' in c)));
    const caption =
      `req/s: the median of ${rounds} rounds (min–max), ${connections} connections, ${seconds} s each; ` +
      `p50: the median of the rounds' p50; ratios: our median req/s ÷ theirs.`;
    return { caption, table: formatSideBySide(rows), notes, complete };
  } finally {
    await Promise.all([bare.stop(), hive.stop()]);
  }
}
