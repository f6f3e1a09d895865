import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  logFile: string;
  child: ChildProcess;
  /**
   * `stopSignal` (SIGTERM) to the process group (or only its leader, see `stopLeaderOnly`), SIGKILL
   * to the group after `graceMs`; resolves once the leader and everything else in its group are gone.
   */
  stop: (graceMs?: number) => Promise<void>;
  /** Exit code (null when killed by a signal); also resolves when the command could not be started. */
  exited: Promise<number | null>;
  /** Set when the command could not be started at all (ENOENT, EACCES). */
  readonly spawnError: Error | undefined;
}

export interface SpawnLoggedOptions extends SpawnOptions {
  stopSignal?: NodeJS.Signals;
  /** Send `stopSignal` to the leader only (Postgres: its children must hear it from the postmaster). */
  stopLeaderOnly?: boolean;
}

export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: members exist that we may not signal; treat as alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number | undefined, signal: NodeJS.Signals, leaderOnly = false): void {
  if (!pgid) return;
  try {
    process.kill(leaderOnly ? pgid : -pgid, signal);
  } catch {
    // already gone
  }
}

/** Start a long-running process in its own process group with stdout and stderr appended to `logFile`. */
export function spawnLogged(name: string, command: string, args: string[], logFile: string, options: SpawnLoggedOptions = {}): ManagedProcess {
  const fd = openSync(logFile, 'a');
  const { stopSignal = 'SIGTERM', stopLeaderOnly = false, ...spawnOptions } = options;
  let child: ChildProcess;
  try {
    child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A command that cannot be started (ENOENT, EACCES) emits 'error' and never 'exit'.
    child.once('error', (error) => {
      if (child.pid === undefined) {
        spawnError = error;
        resolve(null);
      }
    });
  });
  const pgid = child.pid;
  let leaderGone = false;
  void exited.then(() => (leaderGone = true));

  const stop = async (graceMs = 10_000) => {
    if (!pgid) return;
    if (!leaderGone) signalGroup(pgid, stopSignal, stopLeaderOnly);
    const deadline = Date.now() + graceMs;
    // The leader may be gone while group members (forked helpers) linger: wait for all of them.
    while (!leaderGone || groupAlive(pgid)) {
      if (Date.now() > deadline) {
        signalGroup(pgid, 'SIGKILL');
        await exited;
        while (groupAlive(pgid)) await sleep(20);
        return;
      }
      await sleep(20);
    }
  };
  return {
    name,
    logFile,
    child,
    stop,
    exited,
    get spawnError() {
      return spawnError;
    },
  };
}

export interface WaitOptions {
  timeoutMs: number;
  /** Server name for the error message. */
  name: string;
  /** Where the server's output is, for the error message. */
  logFile: string;
  intervalMs?: number;
  /** Stop polling early once this resolves (the server process exited). */
  exited?: Promise<unknown>;
}

/**
 * Poll `check` until it resolves. On timeout (or when `exited` resolves first) throws a
 * StartupError naming the server, its log file and the last readiness failure.
 */
export async function waitUntil(check: () => Promise<unknown>, options: WaitOptions): Promise<void> {
  const { timeoutMs, name, logFile, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void options.exited?.then(() => (gone = true));
  let lastError: unknown;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
    }
    if (gone) throw new StartupError(`${name} exited before it was ready; see ${logFile}`, { cause: lastError });
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? ` (last check: ${lastError.message})` : '';
      throw new StartupError(`${name} did not become ready within ${timeoutMs / 1000} s${reason}; see ${logFile}`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * waitUntil for a process from spawnLogged: fails early when it exits or cannot be started, and
 * stops what was spawned before throwing.
 */
export async function waitUntilReady(proc: ManagedProcess, check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  try {
    await waitUntil(check, { timeoutMs, name: proc.name, logFile: proc.logFile, exited: proc.exited });
  } catch (error) {
    // Read how it ended before stop() adds a signal of our own.
    const { exitCode, signalCode } = proc.child;
    await proc.stop(2000);
    const { spawnError } = proc;
    if (spawnError) throw new StartupError(`${proc.name} could not be started (${spawnError.message}); see ${proc.logFile}`, { cause: spawnError });
    if (exitCode !== null || signalCode !== null) {
      const how = signalCode ? `signal ${signalCode}` : `code ${exitCode}`;
      throw new StartupError(`${proc.name} exited (${how}) before it was ready; see ${proc.logFile}`, { cause: error });
    }
    throw error;
  }
}
