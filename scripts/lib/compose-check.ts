// Checks docker-compose.yml against the code without a Docker engine: each service's command runs
// scripts that exist, its healthcheck calls a tool its image has, every process gets the variables
// its config model needs, and URLs name a service and the port it listens on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  dockerfileBaseImage,
  envProblems,
  healthcheckTool,
  IMAGE_TOOLS,
  listeningPort,
  missingScripts,
  nodeScripts,
  processModel,
  repoRoot,
  serverRoutes,
  urlTarget,
} from './deploy-env.ts';

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test: string | string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: string[];
  volumes?: string[];
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readCompose(root = repoRoot): ComposeFile {
  // merge: the file shares settings through YAML merge keys (`<<: *service`), as Compose does.
  return parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** Ports the third-party images listen on (ours come from the config model). */
const IMAGE_PORTS: Array<[RegExp, (service: ComposeService) => number[]]> = [
  [/^postgres:/, () => [5432]],
  [/^redis:/, () => [6379]],
  // Monitoring (HTTP, /healthz) only when asked for with -m / --http_port.
  [
    /^nats:/,
    (s) => [
      4222,
      ...[
        [s.command ?? []]
          .flat()
          .join(' ')
          .match(/(?:-m|--http_port)\s+(\d+)/)?.[1],
      ]
        .filter(Boolean)
        .map(Number),
    ],
  ],
  [/^axllent\/mailpit/, () => [1025, 8025]],
];

export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env) ? env.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]) : Object.entries(env);
  return Object.fromEntries(entries.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));
}

/** The image whose tools a service has: its `image`, or the base of ./Dockerfile when it is built here. */
export function imageOf(service: ComposeService, root = repoRoot): string {
  if (service.image) return service.image;
  if (service.build) return dockerfileBaseImage(root);
  throw new Error('neither image nor build');
}

interface Listener {
  ports: number[];
  /** Paths it answers over HTTP (our processes only). */
  routes?: Set<string>;
}

/** What each service listens on; throws for an image the table does not know. */
async function listeners(compose: ComposeFile, root: string, problems: string[]): Promise<Map<string, Listener>> {
  const out = new Map<string, Listener>();
  for (const [name, service] of Object.entries(compose.services)) {
    const entry = nodeScripts(service.command).at(-1);
    const model = entry && (await processModel(entry, root));
    if (entry && model) {
      try {
        out.set(name, { ports: [listeningPort(model.model, environmentOf(service))], routes: serverRoutes(entry, root) });
      } catch (error) {
        problems.push(`${name}: no listening port: ${(error as Error).message}`);
      }
      continue;
    }
    const known = IMAGE_PORTS.find(([pattern]) => pattern.test(imageOf(service, root)));
    if (known) out.set(name, { ports: known[1](service) });
    else problems.push(`${name}: image ${imageOf(service, root)} has no entry in IMAGE_PORTS (add the ports it listens on)`);
  }
  return out;
}

/** Every problem found, each prefixed with its service's name; empty when the file is consistent. */
export async function composeProblems(compose: ComposeFile, root = repoRoot): Promise<string[]> {
  const problems: string[] = [];
  const services = compose.services;
  const listening = await listeners(compose, root, problems);

  for (const [name, service] of Object.entries(services)) {
    const say = (problem: string) => problems.push(`${name}: ${problem}`);
    const env = environmentOf(service);

    // 1. The command starts scripts that exist.
    missingScripts(service.command, root).forEach(say);

    // 2. The healthcheck calls a tool the image has, and probes a port and path the process serves.
    const image = imageOf(service, root);
    const tools = IMAGE_TOOLS[image];
    if (!tools) say(`image ${image} has no entry in IMAGE_TOOLS (list the executables it has)`);
    const check = service.healthcheck;
    if (check && !check.disable) {
      const tool = healthcheckTool(check.test);
      if (tool && tools && !tools.includes(tool)) say(`healthcheck calls ${tool}, which image ${image} does not have (it has: ${tools.join(', ')})`);
      const words = Array.isArray(check.test) ? check.test : [check.test];
      const text = words.join(' ');
      const path = text.match(/\/health[\w/?=&-]*|\/readyz|\/healthz[\w?=&-]*/)?.[0]?.split('?')[0];
      const port = Number(text.match(/127\.0\.0\.1:(\d+)/)?.[1] ?? words.filter((w) => /^\d+$/.test(w)).at(-1));
      const own = listening.get(name);
      if (own?.routes && path && !own.routes.has(path)) say(`healthcheck asks ${path}, which the process does not serve`);
      if (own && path && port && !own.ports.includes(port)) say(`healthcheck probes port ${port}, the service listens on ${own.ports.join(', ')}`);
    }
    for (const [dependency, condition] of Object.entries(Array.isArray(service.depends_on) ? {} : (service.depends_on ?? {}))) {
      if (!services[dependency]) say(`depends on ${dependency}, which is not a service`);
      else if (condition.condition === 'service_healthy' && !services[dependency].healthcheck)
        say(`waits for ${dependency} to be healthy, which has no healthcheck`);
    }

    // 3. The process gets what its config model needs.
    const entry = nodeScripts(service.command).at(-1);
    const model = entry && (await processModel(entry, root));
    if (model) envProblems(model.model, env).forEach((p) => say(`${model.configPath}: ${p}`));

    // 4. URLs name a service and a port (and path) it serves.
    for (const [key, value] of Object.entries(env)) {
      const target = urlTarget(value);
      if (!target || /^(127\.0\.0\.1|localhost)$/.test(target.host)) continue;
      const other = listening.get(target.host);
      if (!services[target.host]) say(`${key}=${value} names host ${target.host}, which is not a service`);
      else if (other && !other.ports.includes(target.port))
        say(`${key}=${value}: ${target.host} listens on ${other.ports.join(', ')}, not ${target.port}`);
      else if (other?.routes && /^https?:$/.test(new URL(value).protocol) && !other.routes.has(target.path))
        say(`${key}=${value}: ${target.host} does not serve ${target.path}`);
    }

    // 5. Published ports are ports the service listens on.
    for (const mapping of service.ports ?? []) {
      const containerPort = Number(String(mapping).split(':').at(-1));
      const own = listening.get(name);
      if (own && !own.ports.includes(containerPort)) say(`publishes container port ${containerPort}, the service listens on ${own.ports.join(', ')}`);
    }
  }
  problems.push(...databaseProblems(compose, root));
  return problems;
}

/** Each *_DATABASE_URL names a database the Postgres init script creates, with the server's credentials. */
function databaseProblems(compose: ComposeFile, root: string): string[] {
  const problems: string[] = [];
  const postgres = Object.entries(compose.services).find(([, s]) => s.image?.startsWith('postgres:'));
  if (!postgres) return problems;
  const [host, service] = postgres;
  const env = environmentOf(service);
  const created = new Set<string>([env.POSTGRES_DB ?? env.POSTGRES_USER ?? 'postgres']);
  for (const volume of service.volumes ?? []) {
    const source = volume.split(':')[0]!;
    if (source.startsWith('./') && source.endsWith('.sql')) {
      for (const m of readFileSync(join(root, source), 'utf8').matchAll(/CREATE DATABASE\s+"?(\w+)"?/gi)) created.add(m[1]!);
    }
  }
  for (const [name, other] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(environmentOf(other))) {
      if (!key.endsWith('_DATABASE_URL')) continue;
      const url = new URL(value);
      if (url.hostname !== host) continue;
      const database = url.pathname.slice(1);
      if (!created.has(database)) problems.push(`${name}: ${key} names database ${database}, which ${host} does not create`);
      if (decodeURIComponent(url.username) !== env.POSTGRES_USER || decodeURIComponent(url.password) !== env.POSTGRES_PASSWORD)
        problems.push(`${name}: ${key} signs in with other credentials than ${host}'s POSTGRES_USER/POSTGRES_PASSWORD`);
    }
  }
  return problems;
}

/**
 * The image compose builds: every COPY source exists, and every workspace package's package.json is
 * copied before `pnpm install --frozen-lockfile` (a package missing there fails the lockfile check).
 */
export function dockerfileProblems(root = repoRoot): string[] {
  const problems: string[] = [];
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
  for (const source of copies.flat()) {
    if (source !== '.' && !existsSync(join(root, source))) problems.push(`Dockerfile: COPY ${source}, which does not exist`);
  }
  const copied = new Set(copies.flat());
  const workspace = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] };
  for (const pattern of workspace.packages) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
      : [pattern];
    for (const dir of dirs) {
      if (existsSync(join(root, dir, 'package.json')) && !copied.has(`${dir}/package.json`))
        problems.push(`Dockerfile: workspace package ${dir} is not copied before pnpm install (COPY ${dir}/package.json ${dir}/)`);
    }
  }
  return problems;
}
