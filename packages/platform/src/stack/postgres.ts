import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { spawnLogged, waitUntilReady } from './process.ts';
import { findPostgresBin } from './tools.ts';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** Superuser created by initdb. DEV DEFAULT ('shop'): only ever for a local, 127.0.0.1-only server. */
  user?: string;
  /** DEV DEFAULT ('shop'): never use this password for anything reachable from another machine. */
  password?: string;
  timeoutMs?: number;
  /** Tests only: trade durability for speed (fsync, synchronous_commit and full_page_writes off). */
  ephemeral?: boolean;
}

export interface RunningPostgres {
  /** Connection URL (TCP, password auth) for one database. */
  url: (database: string) => string;
  /**
   * The same database through the server's Unix socket (`?host=<dir>`, libpq's form; password auth
   * still): for clients on this machine, which skip the TCP stack on every statement.
   */
  socketUrl: (database: string) => string;
  port: number;
  stop: () => Promise<void>;
}

interface ServerUser {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root: as root, run it as the `postgres` OS user (created by the Debian package). */
function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid };
  } catch (error) {
    throw new Error('Running as root, but there is no `postgres` OS user to run Postgres as (install the Debian package postgresql)', {
      cause: error,
    });
  }
}

/** As root the server user must be able to reach dataDir: name the first directory it cannot enter. */
function assertReachable(dataDir: string, owner: ServerUser): void {
  const can = (test: string, path: string) => spawnSync('test', [test, path], { uid: owner.uid, gid: owner.gid }).status === 0;
  if (can('-w', dataDir)) return;
  const ancestors: string[] = [];
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  const blocked = ancestors.find((dir) => !can('-x', dir));
  throw new Error(
    blocked
      ? `Postgres runs as the postgres OS user, which cannot enter ${blocked}: run \`chmod o+x ${blocked}\` or put the data directory elsewhere`
      : `Postgres runs as the postgres OS user, which cannot write to ${dataDir}`,
  );
}

function initdb(bin: string, dataDir: string, user: string, password: string, owner: ServerUser | null): void {
  if (readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty and holds no Postgres cluster (remove it to start afresh)`);
  // initdb reads the password from a file only the server user can read; it lives only for this call.
  const pwdir = mkdtempSync(join(tmpdir(), 'shop-pw-'));
  const pwfile = join(pwdir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(pwdir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    const args = ['-D', dataDir, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'];
    execFileSync(join(bin, 'initdb'), args, { cwd: dataDir, stdio: 'pipe', ...(owner ?? {}) });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`initdb failed for ${dataDir}: ${stderr || (error as Error).message}`, { cause: error });
  } finally {
    rmSync(pwdir, { recursive: true, force: true });
  }
}

/** Unix socket paths are limited to ~107 bytes: fall back to a short temp dir for deep data dirs. */
function socketDirFor(dataDir: string, port: number, owner: ServerUser | null): { dir: string; temporary: boolean } {
  const inside = join(dataDir, 'sockets');
  if (Buffer.byteLength(join(inside, `.s.PGSQL.${port}.lock`)) <= 100) {
    mkdirSync(inside, { recursive: true });
    if (owner) chownSync(inside, owner.uid, owner.gid);
    return { dir: inside, temporary: false };
  }
  const dir = mkdtempSync(join(tmpdir(), 'shop-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return { dir, temporary: true };
}

/**
 * Start Postgres >= 15 on 127.0.0.1:port with its cluster in dataDir: initdb on first use (superuser
 * `user`, scram-sha-256 password auth), the existing data on later runs. Resolves once `SELECT 1`
 * succeeds over TCP; throws (after stopping the server) naming the log file otherwise.
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { port, logFile, user = 'shop', password = 'shop', timeoutMs = 30_000 } = options;
  const dataDir = resolve(options.dataDir);
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres >= 15 is not installed (Debian package: postgresql)');
  const owner = serverUser();

  // The cluster directory must be 0700 and owned by the server user; its parents only traversable
  // (created separately: a recursive mkdir would give them the 0700 too).
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) {
    execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dataDir]);
    assertReachable(dataDir, owner);
  }
  chmodSync(dataDir, 0o700);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) initdb(bin, dataDir, user, password, owner);

  const sockets = socketDirFor(dataDir, port, owner);
  const tuning = options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', sockets.dir, '-c', 'max_connections=300', ...tuning];
  // SIGINT to the postmaster alone is Postgres' "fast" shutdown: it rolls back clients, checkpoints
  // and stops its own children (signalling those directly would not be a clean shutdown).
  const proc = spawnLogged('postgres', join(bin, 'postgres'), args, logFile, {
    cwd: dataDir,
    stopSignal: 'SIGINT',
    stopLeaderOnly: true,
    ...(owner ?? {}),
  });
  const stop = async () => {
    await proc.stop(20_000);
    if (sockets.temporary) rmSync(sockets.dir, { recursive: true, force: true });
  };

  const url = (database: string) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  try {
    await waitUntilReady(proc, () => selectOne(url('postgres')), timeoutMs);
  } catch (error) {
    if (sockets.temporary) rmSync(sockets.dir, { recursive: true, force: true });
    throw error;
  }
  const socketUrl = (database: string) => `${url(database)}?host=${encodeURIComponent(sockets.dir)}`;
  return { url, socketUrl, port, stop };
}

async function selectOne(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined); // a server going away mid-probe must not crash the process
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Create each database that does not exist yet (idempotent, safe against concurrent creators). */
export async function ensureDatabases(adminUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const name of names) {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount !== 0) continue;
      try {
        await client.query(`create database "${name.replace(/"/g, '""')}"`);
      } catch (error) {
        // 42P04 duplicate_database / 23505: another process created it between our check and create.
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
}
