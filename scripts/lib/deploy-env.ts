// Shared by the deployment tests (docker-compose.yml, deploy/k8s): what a container's command runs,
// which tools an image has, and whether a container's environment satisfies the config model of the
// process it starts. The models are the processes' own zod schemas (subgraphs/*/src/config.ts,
// gateway/src/config.ts), so a variable added to the code is checked here without a hand-kept list.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { repoRoot } from '../schema/subgraphs.ts';

export { repoRoot };

/**
 * The executables each image we run has (a healthcheck or exec probe may call only these). Keyed by
 * image name with its tag; `shop` is our image built by ./Dockerfile (node:24-bookworm-slim).
 * The nats scratch tags hold the server binary alone: no shell, no wget.
 */
export const IMAGE_TOOLS: Record<string, readonly string[]> = {
  'postgres:16': ['sh', 'pg_isready', 'psql', 'postgres'],
  'redis:7': ['sh', 'redis-cli', 'redis-server'],
  'nats:2.10': ['nats-server'],
  'nats:2.10-alpine': ['sh', 'wget', 'nats-server'],
  'axllent/mailpit': ['/mailpit'],
  'node:24-bookworm-slim': ['sh', 'node'],
};

/** The image ./Dockerfile builds on (its last FROM), whose tools our own image has. */
export function dockerfileBaseImage(root = repoRoot): string {
  const froms = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  return froms.at(-1)!;
}

/** The executable a healthcheck `test` (compose form) calls: CMD's first word, or CMD-SHELL's. */
export function healthcheckTool(test: string | string[]): string | undefined {
  if (typeof test === 'string') return test.trim().split(/\s+/)[0];
  const [form, ...rest] = test;
  if (form === 'NONE') return undefined;
  if (form === 'CMD-SHELL') return rest.join(' ').trim().split(/\s+/)[0];
  if (form === 'CMD') return rest[0];
  return test[0];
}

/** The `.ts` entry points a container command starts with node (`sh -c 'node a.ts && exec node b.ts'` too). */
export function nodeScripts(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  const words = (Array.isArray(command) ? command : [command]).flatMap((part) => part.split(/[\s;&|]+/)).filter(Boolean);
  return words.filter((word, i) => i > 0 && words[i - 1] === 'node' && /\.(ts|js|mjs)$/.test(word));
}

/** Problems with the scripts a command runs: each must exist in the repository (the image copies it). */
export function missingScripts(command: string | string[] | undefined, root = repoRoot): string[] {
  return nodeScripts(command)
    .filter((script) => !existsSync(join(root, script)))
    .map((script) => `runs ${script}, which does not exist`);
}

export interface ProcessModel {
  /** The config module next to the entry point, e.g. subgraphs/catalog/src/config.ts. */
  configPath: string;
  model: z.ZodType;
}

/** The env model of the process an entry point starts: the `model` of config.ts in the entry's folder. */
export async function processModel(entry: string, root = repoRoot): Promise<ProcessModel | undefined> {
  const configPath = join(dirname(entry), 'config.ts');
  if (!existsSync(join(root, configPath))) return undefined;
  const module = (await import(join(root, configPath))) as { model?: z.ZodType };
  if (!module.model) throw new Error(`${configPath} exports no env model`);
  return { configPath, model: module.model };
}

// A host part (URL or bare value) naming the machine itself.
const LOOPBACK = /(^|\/\/|@)(127\.0\.0\.1|localhost|\[::1\])(?=[:/]|$)/;

const issueKeys = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  new Set((result.error?.issues ?? []).map((issue) => String(issue.path[0])));

/**
 * The variables a container must set for this model, derived from the schema itself:
 * - required: no default and not optional (the model refuses an empty environment over them);
 * - a default naming a loopback address (HOST, REDIS_URL, *_DATABASE_URL…): in a container that is
 *   the container itself, so the value must be given;
 * - demanded in production and absent otherwise (JWT_JWKS_URL: without it a process falls back to
 *   dev keys that the account service does not sign with).
 */
export function variablesToSet(model: z.ZodType): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const key of issueKeys(model.safeParse({}))) reasons.set(key, 'required by the model');
  const defaults = (model.safeParse({}).data ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) {
    if (typeof value === 'string' && LOOPBACK.test(value)) reasons.set(key, `its default ${value} is the container's own loopback`);
  }
  for (const key of issueKeys(model.safeParse({ NODE_ENV: 'production' }))) {
    if (!(key in defaults) && !reasons.has(key)) reasons.set(key, 'production demands it and it has no default');
  }
  return reasons;
}

/** Everything wrong with `env` for `model`: unset variables it needs (see variablesToSet) and values it refuses. */
export function envProblems(model: z.ZodType, env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, reason] of variablesToSet(model)) {
    if (env[key] === undefined || env[key] === '') problems.push(`${key} is not set (${reason})`);
  }
  const parsed = model.safeParse(env);
  for (const issue of parsed.error?.issues ?? [])
    problems.push(`${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`);
  if (env.HOST !== undefined && LOOPBACK.test(env.HOST))
    problems.push(`HOST ${env.HOST} listens on loopback only: nothing outside the container reaches it`);
  return problems;
}

/** The port the process listens on: the model's one *_PORT variable, as parsed from `env`. */
export function listeningPort(model: z.ZodType, env: Record<string, string>): number {
  const parsed = model.parse(env) as Record<string, unknown>;
  const ports = Object.keys(parsed).filter((key) => /^[A-Z]+_PORT$/.test(key));
  if (ports.length !== 1) throw new Error(`expected one *_PORT variable in the model, found ${ports.join(', ') || 'none'}`);
  return parsed[ports[0]!] as number;
}

/** The HTTP paths a process answers (/graphql, health, metrics, its own routes), read from its code. */
export function serverRoutes(entry: string, root = repoRoot): Set<string> {
  const files = ['packages/platform/src/server.ts', entry];
  const routes = files.flatMap((file) => [...readFileSync(join(root, file), 'utf8').matchAll(/app\.get\(\s*'([^']+)'/g)].map((m) => m[1]!));
  return new Set(['/graphql', ...routes]);
}

/** A URL's host and port (the scheme's default port when none is written), or undefined for a non-URL. */
export function urlTarget(value: string): { host: string; port: number; path: string } | undefined {
  const defaults: Record<string, number> = {
    'http:': 80,
    'https:': 443,
    'redis:': 6379,
    'nats:': 4222,
    'postgres:': 5432,
    'smtp:': 25,
    'smtps:': 465,
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!url.hostname || !(url.protocol in defaults)) return undefined;
  return { host: url.hostname, port: url.port ? Number(url.port) : defaults[url.protocol]!, path: url.pathname };
}
