/**
 * The pure parts of `pnpm bench storefront` (bench/storefront.ts): the peers' supergraph routing,
 * the subgraph-only document, the answer check and the side-by-side table. Kept here, next to its
 * unit test, because the unit project covers scripts/ and not bench/.
 */
import { visit, visitWithTypeInfo, TypeInfo, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The supergraph with some subgraphs' routing URLs replaced (by subgraph name, e.g. `catalog`). */
export function withRoutingUrls(supergraphSdl: string, urls: Record<string, string | undefined>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "([^"]*)"\)/g, (whole, name: string) => {
    const url = urls[name];
    return url ? `@join__graph(name: "${name}", url: "${url}")` : whole;
  });
}

/**
 * The document reduced to what one subgraph answers by itself: every field its schema lacks is
 * left out (e.g. the catalog's product fields under a cart line, leaving `product { id }`).
 * `removed` names them (type.field, once each). Throws when what is left is not a valid query.
 */
export function pruneToSchema(document: DocumentNode, schema: GraphQLSchema): { document: DocumentNode; removed: string[] } {
  const typeInfo = new TypeInfo(schema);
  const removed = new Set<string>();
  const pruned = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          if (typeInfo.getFieldDef()) return undefined;
          removed.add(`${typeInfo.getParentType()?.name ?? '?'}.${node.name.value}`);
          return null;
        },
        // A field whose whole selection was left out goes too.
        leave: (node) => (node.selectionSet && node.selectionSet.selections.length === 0 ? null : undefined),
      },
    }),
  );
  // validate() takes an empty selection set; the parser would not.
  const empty = pruned.definitions.find((d) => 'selectionSet' in d && d.selectionSet.selections.length === 0);
  if (empty)
    throw new Error(`the reduced document is not valid: nothing of ${'name' in empty && empty.name ? empty.name.value : 'the query'} is left`);
  const errors = validate(schema, pruned);
  if (errors.length) throw new Error(`the reduced document is not valid: ${errors.map((e) => e.message).join('; ')}`);
  return { document: pruned, removed: [...removed].sort() };
}

/**
 * What an answer looks like without its values: every path (array items as `[]`), a null as
 * `path=null`, and each list's length as `path[n]`. Two gateways answering the same document on
 * the same data give the same shape.
 */
export function shapeOf(data: unknown, path = ''): string[] {
  if (data === null) return [`${path}=null`];
  if (Array.isArray(data)) return [`${path}[${data.length}]`, ...data.flatMap((item) => shapeOf(item, `${path}[]`))];
  if (typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).flatMap(([key, value]) => shapeOf(value, path ? `${path}.${key}` : key));
  }
  return [path];
}

/**
 * Why a candidate's answer does not match the reference's, or undefined when it does: the same
 * shape, or (`subset`, a reduced document) nothing the reference lacks.
 */
export function shapeMismatch(reference: unknown, candidate: unknown, subset = false): string | undefined {
  const expected = new Set(shapeOf(reference));
  const actual = new Set(shapeOf(candidate));
  const extra = [...actual].filter((p) => !expected.has(p));
  const missing = subset ? [] : [...expected].filter((p) => !actual.has(p));
  if (extra.length === 0 && missing.length === 0) return undefined;
  const list = (paths: string[]) => paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` (+${paths.length - 3})` : '');
  return [missing.length ? `missing ${list(missing)}` : '', extra.length ? `unexpected ${list(extra)}` : ''].filter(Boolean).join('; ');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export type TargetName = 'subgraph' | 'ours' | 'bare' | 'hive';
export const TARGETS: readonly TargetName[] = ['subgraph', 'ours', 'bare', 'hive'];

/** One page × target: each round's figures, or why the target is not reported; absent: not measured. */
export type Cell = { rounds: Array<{ rps: number; p50: number }>; label?: string } | { refused: string; label?: string };

export interface TableRow {
  page: string;
  cells: Partial<Record<TargetName, Cell>>;
}

const HEADINGS: Record<TargetName, string> = {
  subgraph: 'subgraph alone',
  ours: 'our gateway (protections on)',
  bare: 'bare @apollo/gateway',
  hive: 'Hive Gateway',
};

const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const medianRate = (cell: Cell | undefined) => (cell && 'rounds' in cell && cell.rounds.length ? median(cell.rounds.map((r) => r.rps)) : undefined);

function formatCell(cell: Cell | undefined): string {
  if (!cell) return '—';
  const label = cell.label ? `${cell.label}: ` : '';
  if ('refused' in cell) return `${label}not reported (${cell.refused})`;
  const rps = cell.rounds.map((r) => r.rps);
  const range = rps.length > 1 ? ` (${rate(Math.min(...rps))}–${rate(Math.max(...rps))})` : '';
  return `${label}${rate(median(rps))}${range}, p50 ${median(cell.rounds.map((r) => r.p50)).toFixed(0)} ms`;
}

function ratio(ours: number | undefined, other: number | undefined): string {
  return ours === undefined || other === undefined || other === 0 ? '—' : `${(ours / other).toFixed(2)}×`;
}

/**
 * The side-by-side table (Markdown): req/s as the median of the rounds with their min–max, the
 * median p50, then our gateway's median req/s divided by each other target's.
 */
export function formatSideBySide(rows: readonly TableRow[]): string {
  const head = ['page', ...TARGETS.map((t) => HEADINGS[t]), 'ours ÷ Hive', 'ours ÷ bare engine', 'ours ÷ subgraph'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const ours = medianRate(row.cells.ours);
    const ratios = [ratio(ours, medianRate(row.cells.hive)), ratio(ours, medianRate(row.cells.bare)), ratio(ours, medianRate(row.cells.subgraph))];
    lines.push(`| ${[row.page, ...TARGETS.map((t) => formatCell(row.cells[t])), ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Round r's order of the targets: rotated by r, so no target always runs first (or last). */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = items.length ? round % items.length : 0;
  return [...items.slice(k), ...items.slice(0, k)];
}
