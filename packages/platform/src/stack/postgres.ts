import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { spawnLogged, waitUntilReady } from './process.ts';
import { findPostgresBin } from './tools.ts';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  logFile: string;
  /** DEV DEFAULTS ONLY: the local stack's superuser. */
  user?: string;
  password?: string;
  timeoutMs?: number;
  /** Tests: trade durability for speed (fsync off). */
  ephemeral?: boolean;
}

export interface RunningPostgres {
  url: (database: string) => string;
  stop: () => Promise<void>;
}

/** Postgres refuses to run as root: as root, run it as the `postgres` OS user. */
function asServerUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { dataDir, port, logFile, user = 'shop', password = 'shop', timeoutMs = 30_000 } = options;
  const bin = findPostgresBin();
  if (!bin) throw new Error('Postgres >= 15 is not installed (Debian package: postgresql)');
  const owner = asServerUser();
  const run = (command: string, args: string[]) => (owner ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args });

  // Parents stay traversable (0755) for the postgres user; the cluster directory itself is 0700.
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownTree(dataDir, owner);
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    if (readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty and holds no Postgres cluster`);
    // initdb reads the password from a file the server user can open; it lives only for this call.
    const pwdir = mkdtempSync(join(tmpdir(), 'shop-pw-'));
    const pwfile = join(pwdir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      chownSync(pwdir, owner.uid, owner.gid);
      chownSync(pwfile, owner.uid, owner.gid);
    }
    try {
      const init = run(join(bin, 'initdb'), ['-D', dataDir, '-U', user, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '-E', 'UTF8', '--locale=C.UTF-8']);
      execFileSync(init.command, init.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`initdb failed for ${dataDir}${owner ? ' (run as the postgres user: every parent directory must be enterable by it)' : ''}: ${stderr}`, { cause: error });
    } finally {
      rmSync(pwdir, { recursive: true, force: true });
    }
  }

  const socketDir = join(dataDir, 'sockets');
  mkdirSync(socketDir, { recursive: true });
  if (owner) chownSync(socketDir, owner.uid, owner.gid);
  chmodSync(dataDir, 0o700);
  const tuning = options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const cmd = run(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir, '-c', 'max_connections=300', ...tuning]);
  // SIGINT is Postgres' "fast" shutdown: it does not wait for clients to disconnect.
  const proc = spawnLogged('postgres', cmd.command, cmd.args, logFile, { stopSignal: 'SIGINT' });

  const url = (database: string) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  await waitUntilReady(
    proc,
    async () => {
      const client = new pg.Client({ connectionString: url('postgres') });
      try {
        await client.connect();
        await client.query('select 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    timeoutMs,
  );
  return { url, stop: () => proc.stop() };
}

/** Create each database that does not exist yet (idempotent). */
export async function ensureDatabases(adminUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of names) {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}
