import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { sleep, wsUrl } from './live.ts';
import { waitFor } from './wait.ts';

/**
 * Fault tests: client operations recorded with their outcome, bounded load loops, and the
 * per-scenario figures (success rate during the fault, recovery times) printed and written to
 * one JSON file under the OS temp dir.
 */

/** One client operation: when it started, how long it took, 'OK' or how it failed. */
export interface Attempt {
  kind: string;
  at: number;
  ms: number;
  code: string;
}

export type Mark = 'fault' | 'restart' | 'ready' | 'settled';

export class Recorder {
  readonly attempts: Attempt[] = [];
  readonly marks: Partial<Record<Mark, number>> = {};
  mark(name: Mark): void {
    this.marks[name] = Date.now();
  }
}

type Data = Record<string, unknown>;

/** How a response failed: the first error's code (and the HTTP status when not 200), or a user error. */
function codeOf(
  status: number,
  body: { data?: Data | null; errors?: Array<{ extensions?: { code?: unknown } }> },
  userErrors?: (data: Data) => unknown,
): string {
  const first = body.errors?.[0];
  if (first) return `${String(first.extensions?.code ?? 'NO_CODE')}${status === 200 ? '' : ` (HTTP ${status})`}`;
  if (status !== 200 || !body.data) return `HTTP ${status}`;
  const errors = userErrors?.(body.data) as Array<{ code: string }> | undefined;
  if (errors?.length) return `userError ${errors[0]!.code}`;
  return 'OK';
}

export interface SendOptions {
  variables?: Record<string, unknown>;
  token?: string;
  /** Reads the payload's userErrors: a non-empty list is a failed operation. */
  userErrors?: (data: Data) => unknown;
  timeoutMs?: number;
}

/** POST one GraphQL operation as a client would, record it, and answer its data (undefined when it failed). */
export async function send<T = Data>(rec: Recorder, kind: string, url: string, query: string, options: SendOptions = {}): Promise<T | undefined> {
  const at = Date.now();
  let code: string;
  let data: T | undefined;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify({ query, variables: options.variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    let body: { data?: Data | null; errors?: Array<{ extensions?: { code?: unknown } }> } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: the status says enough
    }
    code = codeOf(response.status, body, options.userErrors);
    if (code === 'OK') data = body.data as T;
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    code = err.name === 'TimeoutError' ? 'TIMEOUT' : (err.cause?.code ?? err.name);
  }
  rec.attempts.push({ kind, at, ms: Date.now() - at, code });
  return data;
}

export interface Load {
  /** Ask the workers to finish their current operation and wait for them. */
  stop: () => Promise<void>;
}

/**
 * `workers` loops calling `step` until stopped, bounded by `maxOps` steps in all and `maxMs`. A
 * step that reports failure backs off 100 ms, as a client would, so an outage is not a busy loop.
 */
export function startLoad(workers: number, step: (worker: number) => Promise<boolean>, { maxOps = 4000, maxMs = 90_000 } = {}): Load {
  const deadline = Date.now() + maxMs;
  let stopped = false;
  let ops = 0;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (!stopped && ops < maxOps && Date.now() < deadline) {
      ops++;
      if (!(await step(worker))) await sleep(100);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Keep the load going after the restart until `count` operations started after it succeeded (bounded). */
export async function successesAfterRestart(rec: Recorder, count = 5, timeoutMs = 30_000): Promise<void> {
  const restart = rec.marks.restart!;
  await waitFor(`${count} successes after the restart`, () => rec.attempts.filter((a) => a.at >= restart && a.code === 'OK').length >= count, {
    timeoutMs,
    intervalMs: 100,
  });
}

/** A graphql-ws client as an app opens it: on a lost connection it reconnects and subscribes again. */
export function reconnectingClient(httpUrl: string, token?: string): { client: Client; connections: () => number } {
  let connections = 0;
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 40,
    // Every close or refused connection is worth another try; bounded by the attempts above.
    shouldRetry: () => true,
    retryWait: async (retries) => void (await sleep(Math.min(100 * 2 ** retries, 1000) + Math.random() * 200)),
    on: { connected: () => void connections++ },
  });
  return { client, connections: () => connections };
}

interface Rate {
  ok: number;
  total: number;
  /** Failures by operation and code. */
  failures: Record<string, number>;
}

export interface FaultFigures {
  scenario: string;
  /** Operations started while the component was down or restarting (fault → ready). */
  duringFault: Rate;
  /** Every operation of the scenario (before, during and after the fault). */
  overall: Rate;
  downMs: number | null;
  restartToReadyMs: number | null;
  /** From the restart to the first operation started after it that succeeded. */
  restartToFirstOkMs: number | null;
  /** From the restart until every order, cart, payment and stock level had settled. */
  restartToSettledMs: number | null;
  /** Scenario-specific figures (order statuses, subscribers...). */
  details: Record<string, unknown>;
}

function rate(attempts: Attempt[]): Rate {
  const failures: Record<string, number> = {};
  for (const a of attempts) if (a.code !== 'OK') failures[`${a.kind}: ${a.code}`] = (failures[`${a.kind}: ${a.code}`] ?? 0) + 1;
  return { ok: attempts.filter((a) => a.code === 'OK').length, total: attempts.length, failures };
}

const since = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? to - from : null);

export function figuresOf(scenario: string, rec: Recorder, details: Record<string, unknown> = {}): FaultFigures {
  const { fault, restart, ready, settled } = rec.marks;
  const during = rec.attempts.filter((a) => fault !== undefined && a.at >= fault && a.at < (ready ?? Infinity));
  const firstOk = rec.attempts
    .filter((a) => restart !== undefined && a.at >= restart && a.code === 'OK')
    .sort((a, b) => a.at + a.ms - (b.at + b.ms))[0];
  return {
    scenario,
    duringFault: rate(during),
    overall: rate(rec.attempts),
    downMs: since(fault, restart),
    restartToReadyMs: since(restart, ready),
    restartToFirstOkMs: firstOk ? firstOk.at + firstOk.ms - restart! : null,
    restartToSettledMs: since(restart, settled),
    details,
  };
}

export const REPORT_PATH = join(tmpdir(), 'shop-faults-report.json');

/** Runs `work` holding a lock directory (mkdir is atomic): fault files run in parallel workers. */
async function locked(work: () => void): Promise<void> {
  const lock = `${REPORT_PATH}.lock`;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // After 2 s the holder died (its process was killed): take the lock over.
      if (i > 100) rmSync(lock, { recursive: true, force: true });
      await sleep(20);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const fmtRate = (r: Rate) =>
  `${r.ok}/${r.total} ok${
    Object.keys(r.failures).length
      ? ` (failed: ${Object.entries(r.failures)
          .map(([c, n]) => `${c} ×${n}`)
          .join(', ')})`
      : ''
  }`;
const fmtMs = (ms: number | null) => (ms === null ? 'n/a' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** One line on the console and the figures merged into the report file (by scenario). */
export async function report(figures: FaultFigures): Promise<void> {
  console.info(
    `[faults] ${figures.scenario}: during the fault ${fmtRate(figures.duringFault)}; overall ${fmtRate(figures.overall)}; ` +
      `down ${fmtMs(figures.downMs)}, restart→ready ${fmtMs(figures.restartToReadyMs)}, →first ok ${fmtMs(figures.restartToFirstOkMs)}, ` +
      `→settled ${fmtMs(figures.restartToSettledMs)}; ${JSON.stringify(figures.details)} (report: ${REPORT_PATH})`,
  );
  await locked(() => {
    let all: Record<string, FaultFigures> = {};
    try {
      all = JSON.parse(readFileSync(REPORT_PATH, 'utf8')) as typeof all;
    } catch {
      // first scenario of the run, or an unreadable old file
    }
    all[figures.scenario] = { ...figures, details: { ...figures.details, at: new Date().toISOString() } };
    writeFileSync(`${REPORT_PATH}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(`${REPORT_PATH}.tmp`, REPORT_PATH);
  });
}
