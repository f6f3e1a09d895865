// Reads rover.yaml, the one list of subgraphs, so compose/check and `rover supergraph compose`
// always agree on which subgraphs exist and where their SDL lives.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root (this file lives in <root>/scripts/schema/). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');

export const ROVER_CONFIG = 'rover.yaml';

export interface Subgraph {
  name: string;
  /** routing_url: where the gateway reaches the subgraph by default. */
  url: string;
  sdl: string;
  /** Path of the SDL file relative to the repo root, with forward slashes. */
  file: string;
}

export interface RoverConfig {
  /** e.g. "=2.14.4"; undefined when rover.yaml does not pin it. */
  federationVersion: string | undefined;
  subgraphs: Subgraph[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Repo-relative, forward-slash path: stable in messages and across OSes. */
export function toRepoPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}

/**
 * Parses rover.yaml and reads every subgraph's SDL. Throws an Error with a readable message
 * when the config is malformed or a schema file is missing, since nothing can proceed then.
 */
export function readRoverConfig(root: string = repoRoot): RoverConfig {
  const configPath = resolve(root, ROVER_CONFIG);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${ROVER_CONFIG}: ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(raw) || !isRecord(raw.subgraphs)) {
    throw new Error(`${ROVER_CONFIG}: expected a "subgraphs" map`);
  }
  const fedVersion = raw.federation_version;
  const subgraphs: Subgraph[] = [];
  for (const [name, entry] of Object.entries(raw.subgraphs)) {
    const where = `${ROVER_CONFIG}: subgraphs.${name}`;
    if (!isRecord(entry)) throw new Error(`${where}: expected a map`);
    if (typeof entry.routing_url !== 'string') throw new Error(`${where}.routing_url: expected a string`);
    // Only file-based schemas: introspection or graph refs would make composition depend on
    // running services or GraphOS, which the offline check must not.
    const schema = entry.schema;
    if (!isRecord(schema) || typeof schema.file !== 'string') {
      throw new Error(`${where}.schema.file: expected a path (only file schemas are supported)`);
    }
    // Rover resolves schema files against the config file's directory, the repo root here.
    const absolute = isAbsolute(schema.file) ? schema.file : resolve(root, schema.file);
    const file = toRepoPath(root, absolute);
    let sdl: string;
    try {
      sdl = readFileSync(absolute, 'utf8');
    } catch (error) {
      throw new Error(`${where}.schema.file: cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    subgraphs.push({ name, url: entry.routing_url, sdl, file });
  }
  if (subgraphs.length === 0) throw new Error(`${ROVER_CONFIG}: no subgraphs listed`);
  return {
    federationVersion: typeof fedVersion === 'string' ? fedVersion : fedVersion === undefined ? undefined : String(fedVersion),
    subgraphs,
  };
}

/** The subgraphs listed in rover.yaml, in file order. */
export function readSubgraphs(root: string = repoRoot): Subgraph[] {
  return readRoverConfig(root).subgraphs;
}
