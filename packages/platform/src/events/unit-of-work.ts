import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.ts';
import { emitEvent, type Payload, type Subject } from './catalog.ts';
import { bufferEvents, flushEvents, takeWrittenEvents, type OutboxRow } from './outbox.ts';

/** What a unit of work hands its body. */
export interface UnitOfWork {
  /** The transaction's EntityManager (a fork of its own). */
  em: EntityManager;
  /** Enqueue an event in this transaction, under the id the catalog derives from its dedupe key. */
  emit<S extends Subject>(subject: S, data: Payload<S>): Promise<string>;
  /** Work for after the commit (cache refresh, live updates); never runs when the transaction rolls back. */
  afterCommit(work: () => unknown): void;
}

export interface UnitOfWorkOptions {
  log?: Logger;
  /** Handed the events a commit wrote, so they leave at once (outbox.ts). */
  outbox?: { notify(rows?: readonly OutboxRow[]): void };
  /** Extra fields for the log line of a failed after-commit step. */
  logContext?: Record<string, unknown>;
}

/**
 * One transaction on a fresh fork: `work` writes through `em`, publishes through `emit` (the outbox
 * rows, written in one insert when `work` is done, commit or roll back with the change), registers
 * after-commit steps. After the commit the
 * relay is handed the events it wrote (they leave at once), then the after-commit steps run in order; a
 * failing step is logged, never thrown: the change is committed, a lost refresh costs freshness.
 */
export async function transaction<R>(em: EntityManager, work: (uow: UnitOfWork) => Promise<R>, options: UnitOfWorkOptions = {}): Promise<R> {
  const after: Array<() => unknown> = [];
  let tx: EntityManager | undefined;
  const result = await em.fork().transactional(async (fork) => {
    tx = fork;
    afterCommitSteps.set(fork, after);
    // Its events (emit, or emitEvent with this fork) are written together, once the work is done.
    bufferEvents(fork);
    const value = await work({ em: fork, emit: (subject, data) => emitEvent(fork, subject, data), afterCommit: (step) => void after.push(step) });
    await flushEvents(fork);
    return value;
  });
  const written = tx ? takeWrittenEvents(tx) : [];
  if (written.length) options.outbox?.notify(written);
  for (const step of after) {
    try {
      await step();
    } catch (error) {
      options.log?.warn({ err: error, ...options.logContext }, 'after-commit work failed');
    }
  }
  return result;
}

const afterCommitSteps = new WeakMap<EntityManager, Array<() => unknown>>();

/**
 * `afterCommit` for code that holds only the transaction's EntityManager (metrics of a change made
 * deep in a domain function). Outside a unit of work's transaction the step is dropped.
 */
export function afterCommitOf(tx: EntityManager, step: () => unknown): void {
  afterCommitSteps.get(tx)?.push(step);
}

/** `transaction` bound to a subgraph's parts: what its services and workers call. */
export type Transaction = <R>(work: (uow: UnitOfWork) => Promise<R>) => Promise<R>;

export function createUnitOfWork(deps: { em: EntityManager; log?: Logger; outbox?: UnitOfWorkOptions['outbox'] }): Transaction {
  return (work) => transaction(deps.em, work, { log: deps.log, outbox: deps.outbox });
}
