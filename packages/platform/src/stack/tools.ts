import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_POSTGRES_MAJOR = 15;

function onPath(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The newest Postgres server bin directory with major >= 15 (Debian layout first, then PATH). */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .map(Number)
      .filter((major) => major >= MIN_POSTGRES_MAJOR && existsSync(join(root, String(major), 'bin', 'postgres')))
      .sort((a, b) => b - a);
    if (majors[0]) return join(root, String(majors[0]), 'bin');
  }
  const pgConfig = onPath('pg_config');
  if (pgConfig) {
    try {
      const bin = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).trim();
      const version = execFileSync(pgConfig, ['--version'], { encoding: 'utf8' });
      const major = Number(/PostgreSQL (\d+)/.exec(version)?.[1]);
      if (major >= MIN_POSTGRES_MAJOR && existsSync(join(bin, 'postgres'))) return bin;
    } catch {
      // fall through
    }
  }
  return null;
}

export interface StackTools {
  postgresBin: string | null;
  redisServer: string | null;
  natsServer: string | null;
  /** Debian package names of what is missing. */
  missing: string[];
}

export function findStackTools(): StackTools {
  const postgresBin = findPostgresBin();
  const redisServer = onPath('redis-server');
  const natsServer = onPath('nats-server');
  const missing = [!postgresBin && 'postgresql', !redisServer && 'redis-server', !natsServer && 'nats-server'].filter(Boolean) as string[];
  return { postgresBin, redisServer, natsServer, missing };
}
