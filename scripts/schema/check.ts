// Guards the supergraph in CI and before merging: composition, the committed artifact, breaking
// changes of the client-facing API against a base, and the clients' operations.
// Usage: node scripts/schema/check.ts [--base <git-ref>] [--no-base]
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { Supergraph } from '@apollo/federation-internals';
import type { DefinitionNode, DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSupergraph, errorLocations, graphql, isEntryPoint, SUPERGRAPH_FILE, supergraphFileContent } from './compose.ts';
import { readRoverConfig, repoRoot, toRepoPath } from './subgraphs.ts';
import { buildTrustedDocuments, MANIFEST_FILE } from './trusted-documents.ts';

const { GraphQLError: GraphQLErrorClass, Kind, NoDeprecatedCustomRule, parse, Source, validate } = graphql;

export const OPERATIONS_DIR = 'schema/operations';

export interface CheckOptions {
  root: string;
  /** Git ref whose supergraph is the baseline; default the merge-base of HEAD and main; false skips. */
  base?: string | false;
  /** Client operations, relative to root or absolute; default schema/operations. */
  operationsDir?: string;
}

export interface CheckResult {
  /** Each one fails the check. */
  problems: string[];
  /** Worth a look, never fail the check (dangerous changes, hints, deprecated usage). */
  warnings: string[];
  /** What was checked or skipped, for the report. */
  notes: string[];
}

/** The client-facing schema of a supergraph: join/link machinery and @inaccessible parts removed. */
export function apiSchemaFromSupergraph(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export interface SchemaDiff {
  breaking: string[];
  dangerous: string[];
}

/** Changes from oldSchema to newSchema that break (or may break) existing clients. */
export async function diffApiSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): Promise<SchemaDiff> {
  const changes = await diff(oldSchema, newSchema);
  // A dangerous change's message alone does not say why it might hurt; the reason does.
  const withReason = (c: (typeof changes)[number]) => (c.criticality.reason ? `${c.message} — ${c.criticality.reason}` : c.message);
  return {
    breaking: changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => c.message),
    dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous).map(withReason),
  };
}

/** Validates every *.graphql under `dir` against `schema`; messages start with file:line:col. */
export function validateOperations(schema: GraphQLSchema, dir: string, root: string): CheckResult & { files: number } {
  const result = { problems: [] as string[], warnings: [] as string[], notes: [] as string[], files: 0 };
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    result.notes.push(`no operations checked: ${toRepoPath(root, dir)} does not exist`);
    return result;
  }
  const definitions: DefinitionNode[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.graphql')).sort()) {
    const absolute = resolve(dir, entry);
    const file = toRepoPath(root, absolute);
    result.files++;
    let document: DocumentNode;
    try {
      document = parse(new Source(readFileSync(absolute, 'utf8'), file));
    } catch (error) {
      if (!(error instanceof GraphQLErrorClass)) throw error;
      result.problems.push(atLocations(error));
      continue;
    }
    definitions.push(...document.definitions);
    // Codegen and persisted queries key operations by name: one named operation per file
    // (files of shared fragments only are fine).
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const expected = basename(entry, '.graphql');
    if (operations.length > 0 && (operations.length !== 1 || operations[0]?.name?.value !== expected)) {
      result.warnings.push(`${file}: expected exactly one operation, named ${expected}`);
    }
  }
  // One document for all files, so fragments may be shared across files and operation names
  // must be unique; each node keeps its file's Source, so errors still name the right file.
  const all: DocumentNode = { kind: Kind.DOCUMENT, definitions };
  result.problems.push(...validate(schema, all).map(atLocations));
  result.warnings.push(...validate(schema, all, [NoDeprecatedCustomRule]).map(atLocations));
  if (result.files === 0) result.notes.push(`no operations found under ${toRepoPath(root, dir)}`);
  return result;
}

function atLocations(error: GraphQLError): string {
  const where = errorLocations(error);
  return where.length > 0 ? `${where.join(', ')}: ${error.message}` : error.message;
}

type BaseSupergraph = { ref: string; label: string; sdl: string } | { skip: string } | { problem: string };

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function tryGit(root: string, args: string[]): string | undefined {
  try {
    return git(root, args);
  } catch {
    return undefined;
  }
}

/** The supergraph at the base ref, or why there is none (skip: expected; problem: user error). */
export function readBaseSupergraph(root: string, base?: string): BaseSupergraph {
  if (tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']) === undefined) {
    return { skip: 'breaking-change check skipped: git unavailable, not a repository, or no commits yet' };
  }
  let ref: string;
  let label: string;
  if (base !== undefined) {
    const resolved = tryGit(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
    if (resolved === undefined) return { problem: `--base ${base}: not a commit in this repository` };
    ref = resolved;
    label = base;
  } else {
    // CI checkouts often only have the remote-tracking branch.
    const mainRef = ['main', 'origin/main'].find((r) => tryGit(root, ['rev-parse', '--verify', '--quiet', `${r}^{commit}`]));
    const mergeBase = mainRef && tryGit(root, ['merge-base', 'HEAD', mainRef]);
    if (!mainRef || !mergeBase) return { skip: 'breaking-change check skipped: no main branch to compare with' };
    ref = mergeBase;
    label = `merge-base with ${mainRef}`;
  }
  label = `${label} (${ref.slice(0, 8)})`;
  const sdl = tryGit(root, ['show', `${ref}:${SUPERGRAPH_FILE}`]);
  if (sdl === undefined) return { skip: `breaking-change check skipped: ${label} has no ${SUPERGRAPH_FILE}` };
  return { ref, label, sdl };
}

/** rover.yaml pins a federation version; warn when the installed composition is another one. */
function federationVersionWarning(root: string): string | undefined {
  const pinned = tryCall(() => readRoverConfig(root).federationVersion);
  const exact = pinned?.match(/^=(\d+\.\d+\.\d+)$/)?.[1];
  const installed = tryCall(() => (createRequire(import.meta.url)('@apollo/composition/package.json') as { version: string }).version);
  if (!exact || !installed || exact === installed) return undefined;
  return `rover.yaml pins federation_version ${pinned} but @apollo/composition ${installed} is installed; rover and pnpm schema:compose may disagree`;
}

function tryCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Runs every check; never throws for schema problems, which all come back in `problems`. */
export async function checkSchema(options: CheckOptions): Promise<CheckResult> {
  const { root } = options;
  const result: CheckResult = { problems: [], warnings: [], notes: [] };
  const versionWarning = federationVersionWarning(root);
  if (versionWarning) result.warnings.push(versionWarning);

  // a. composition
  const composed = composeSupergraph(root);
  if (!composed.ok) {
    result.problems.push(...composed.errors.map((e) => `composition error: ${e}`));
    result.notes.push('artifact, breaking-change and operation checks skipped: composition failed');
    return result;
  }
  result.warnings.push(...composed.hints.map((h) => `composition hint: ${h}`));
  result.notes.push(`composed ${composed.subgraphs.length} subgraphs: ${composed.subgraphs.map((s) => s.name).join(', ')}`);

  // b. the committed artifact matches a fresh composition
  const expected = supergraphFileContent(composed.supergraphSdl);
  const committed = tryCall(() => readFileSync(resolve(root, SUPERGRAPH_FILE), 'utf8').replace(/\r\n/g, '\n'));
  if (committed === undefined) {
    result.problems.push(`${SUPERGRAPH_FILE} is missing: run pnpm schema:compose and commit it`);
  } else if (committed !== expected) {
    result.problems.push(
      `${SUPERGRAPH_FILE} differs from a fresh composition (first at line ${firstDifferentLine(committed, expected)}): run pnpm schema:compose and commit it`,
    );
  }

  const api = apiSchemaFromSupergraph(composed.supergraphSdl);

  // c. breaking changes of the API schema against the base
  if (options.base === false) {
    result.notes.push('breaking-change check off');
  } else {
    const base = readBaseSupergraph(root, options.base);
    if ('skip' in base) result.notes.push(base.skip);
    else if ('problem' in base) result.problems.push(base.problem);
    else {
      const baseApi = tryCall(() => apiSchemaFromSupergraph(base.sdl));
      if (!baseApi) {
        result.warnings.push(`breaking-change check skipped: ${SUPERGRAPH_FILE} at ${base.label} is not a valid supergraph`);
      } else {
        const { breaking, dangerous } = await diffApiSchemas(baseApi, api);
        result.problems.push(...breaking.map((m) => `breaking change vs ${base.label}: ${m}`));
        result.warnings.push(...dangerous.map((m) => `dangerous change vs ${base.label}: ${m}`));
        result.notes.push(`API schema compared with ${base.label}: ${breaking.length} breaking, ${dangerous.length} dangerous`);
      }
    }
  }

  // d. client operations
  const dir = options.operationsDir ?? OPERATIONS_DIR;
  const ops = validateOperations(api, isAbsolute(dir) ? dir : resolve(root, dir), root);
  result.problems.push(...ops.problems.map((p) => `invalid operation: ${p}`));
  result.warnings.push(...ops.warnings);
  result.notes.push(...ops.notes);
  if (ops.files > 0) result.notes.push(`validated ${ops.files} operation file(s) against the API schema`);

  // e. the trusted-documents manifest the gateway can enforce must match the operations
  if (!options.operationsDir) {
    const manifestPath = resolve(root, MANIFEST_FILE);
    const expectedManifest = `${JSON.stringify(buildTrustedDocuments(root), null, 2)}\n`;
    const committedManifest = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
    if (committedManifest !== expectedManifest) result.problems.push(`${MANIFEST_FILE} is out of date: run pnpm schema:manifest and commit it`);
  }
  return result;
}

function firstDifferentLine(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  let i = 0;
  while (i < left.length && i < right.length && left[i] === right[i]) i++;
  return i + 1;
}

/** The report the CLI prints; exported so the format is testable. */
export function formatReport(result: CheckResult): string {
  const lines: string[] = [];
  for (const note of result.notes) lines.push(`  · ${note}`);
  if (result.warnings.length > 0) lines.push('', `Warnings (${result.warnings.length}):`, ...result.warnings.map((w) => `  ! ${w}`));
  if (result.problems.length > 0) lines.push('', `Problems (${result.problems.length}):`, ...result.problems.map((p) => `  ✗ ${p}`));
  lines.push('', result.problems.length === 0 ? 'schema check passed' : `schema check failed: ${result.problems.length} problem(s)`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, 'no-base': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(
      'Usage: pnpm schema:check [--base <git-ref>] [--no-base]\n  --base     baseline for breaking changes (default: merge-base of HEAD and main)\n  --no-base  skip the breaking-change check',
    );
    return;
  }
  const result = await checkSchema({ root: repoRoot, base: values['no-base'] ? false : values.base });
  console.log(formatReport(result));
  if (result.problems.length > 0) process.exitCode = 1;
}

if (isEntryPoint(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
