import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const MIN_POSTGRES_MAJOR = 15;

/** Like `command -v`: the first executable called `command` on PATH. */
export function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * A server binary from PATH, else from the sbin directories: Debian installs nats-server into
 * /usr/sbin, which is not on a normal user's PATH (nor on the PATH of a bare `npx vitest`).
 */
export function findServerBinary(command: string): string | null {
  const onPath = findOnPath(command);
  if (onPath) return onPath;
  for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The newest Postgres server bin directory with major >= 15 (Debian layout first, then pg_config). */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .map(Number)
      .filter((major) => major >= MIN_POSTGRES_MAJOR && existsSync(join(root, String(major), 'bin', 'postgres')))
      .sort((a, b) => b - a);
    if (majors[0]) return join(root, String(majors[0]), 'bin');
  }
  const pgConfig = findOnPath('pg_config');
  if (pgConfig) {
    try {
      const bin = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).trim();
      const version = execFileSync(pgConfig, ['--version'], { encoding: 'utf8' });
      const major = Number(/PostgreSQL (\d+)/.exec(version)?.[1]);
      if (major >= MIN_POSTGRES_MAJOR && existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
    } catch {
      // fall through: no usable pg_config
    }
  }
  return null;
}

export interface StackTools {
  postgresBin: string | null;
  redisServer: string | null;
  natsServer: string | null;
  /** Debian package names of what is missing (apt-get install -y ...). */
  missing: string[];
}

export function findStackTools(): StackTools {
  const postgresBin = findPostgresBin();
  const redisServer = findServerBinary('redis-server');
  const natsServer = findServerBinary('nats-server');
  const missing: string[] = [];
  if (!postgresBin) missing.push('postgresql');
  if (!redisServer) missing.push('redis-server');
  if (!natsServer) missing.push('nats-server');
  return { postgresBin, redisServer, natsServer, missing };
}
