import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  logFile: string;
  child: ChildProcess;
  /** `stopSignal` (SIGTERM) to the whole process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop: (graceMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

/** Start a long-running process in its own process group with its output in `logFile`. */
export function spawnLogged(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: SpawnOptions & { stopSignal?: NodeJS.Signals } = {},
): ManagedProcess {
  const fd = openSync(logFile, 'a');
  const { stopSignal: _stopSignal, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  child.once('error', () => undefined); // reported through `exited` and the readiness timeout
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal(options.stopSignal ?? 'SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
    if (killed) {
      signal('SIGKILL');
      await exited;
    }
  };
  return { name, logFile, child, stop, exited };
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * Poll `check` until it succeeds. Fails early when the process exits and, on timeout, with a
 * message naming the server and where its log is.
 */
export async function waitUntilReady(proc: ManagedProcess, check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | null | undefined;
  void proc.exited.then((code) => (exitedWith = code));
  for (;;) {
    if (exitedWith !== undefined) {
      throw new StartupError(`${proc.name} exited (code ${exitedWith}) before it was ready; see ${proc.logFile}`);
    }
    try {
      await check();
      return;
    } catch {
      if (Date.now() > deadline) {
        await proc.stop(2000);
        throw new StartupError(`${proc.name} did not become ready within ${Math.round(timeoutMs / 1000)} s; see ${proc.logFile}`);
      }
      await sleep(100);
    }
  }
}
