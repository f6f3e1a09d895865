import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE, FRESH, sql } from '@shop/platform';
import { SimulatorChargeSchema, type SimulatorCharge } from './simulator-charge.entity.ts';

/** What the simulator decides from: a ledger entry without its bookkeeping columns. */
export type LedgerEntry = Pick<
  SimulatorCharge,
  'kind' | 'token' | 'amount' | 'attempts' | 'outcome' | 'declineCode' | 'reason' | 'providerReference'
>;
/** A charge's outcome as the ledger records it. */
export interface LedgerOutcome {
  outcome: 'SUCCEEDED' | 'DECLINED';
  declineCode: string | null;
  reason: string | null;
  providerReference: string | null;
}
const ENTRY = `kind, token, amount, attempts, outcome, decline_code as "declineCode", reason, provider_reference as "providerReference"`;

/**
 * The simulator's ledger (`simulator_charge`). Every call is its own short statement or
 * transaction, never part of a caller's; `tx` is one of the ledger's own.
 */
export class SimulatorChargeRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /** Runs `work` in one ledger transaction. */
  transactional<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.em.transactional(work);
  }

  /**
   * Claims the key for a capture, or counts another attempt on it; the entry as it now stands. A
   * first attempt whose outcome is known already (`decided`) records it in the same statement; a
   * later attempt keeps the outcome recorded first.
   */
  async attemptCapture(
    entry: { idempotencyKey: string; token: string; amount: number; currency: string },
    decided: LedgerOutcome | null = null,
  ): Promise<LedgerEntry | undefined> {
    // `on conflict ... returning`: one atomic statement under concurrent attempts with the same key.
    // Prepared (sql): the simulator runs in every checkout's capture.
    const claim = () =>
      sql<LedgerEntry>(
        this.em,
        `insert into simulator_charge (idempotency_key, kind, token, amount, currency, attempts, outcome, decline_code, reason, provider_reference)
         values ($1, 'CAPTURE', $2, $3, $4, 1, $5, $6, $7, $8)
         on conflict (idempotency_key) do update set attempts = simulator_charge.attempts + 1, updated_at = now()
         returning ${ENTRY}`,
        [
          entry.idempotencyKey,
          entry.token,
          entry.amount,
          entry.currency,
          decided?.outcome ?? null,
          decided?.declineCode ?? null,
          decided?.reason ?? null,
          decided?.providerReference ?? null,
        ],
      );
    try {
      return (await claim()).rows[0];
    } catch (error) {
      // Two first attempts of one key at once: `on conflict` settles only the key's index, so the
      // later insert can meet the earlier one's reference (unique, derived from the key) first. The
      // earlier row is committed by then: claiming again finds the key.
      if ((error as { constraint?: string }).constraint !== 'simulator_charge_provider_reference_key') throw error;
      return (await claim()).rows[0];
    }
  }

  /** The succeeded capture behind `providerReference`, locked until `tx` ends. */
  async lockCapture(tx: EntityManager, providerReference: string): Promise<Pick<SimulatorCharge, 'amount'> | undefined> {
    // Locked: concurrent refunds of one capture are checked against each other.
    const where = { kind: 'CAPTURE', outcome: 'SUCCEEDED', providerReference } as const;
    return (await tx.findOne(SimulatorChargeSchema, where, { fields: ['amount'], ...FOR_UPDATE })) ?? undefined;
  }

  /** Claims the key for a refund of a capture, or counts another attempt on it. */
  async attemptRefund(
    tx: EntityManager,
    entry: { idempotencyKey: string; captureReference: string; amount: number },
  ): Promise<LedgerEntry | undefined> {
    // `on conflict ... returning`: one atomic statement under concurrent attempts with the same key.
    const [row] = await tx.execute<LedgerEntry[]>(
      `insert into simulator_charge (idempotency_key, kind, capture_reference, amount, attempts)
       values (?, 'REFUND', ?, ?, 1)
       on conflict (idempotency_key) do update set attempts = simulator_charge.attempts + 1, updated_at = now()
       returning ${ENTRY}`,
      [entry.idempotencyKey, entry.captureReference, entry.amount],
    );
    return row;
  }

  /** What has been refunded of a capture so far, minor units. */
  async refundedOf(tx: EntityManager, captureReference: string): Promise<number> {
    // A sum, in the transaction that holds the capture's lock.
    const [row] = await tx.execute<Array<{ refunded: number }>>(
      `select coalesce(sum(amount), 0)::int as refunded from simulator_charge where kind = 'REFUND' and outcome = 'SUCCEEDED' and capture_reference = ?`,
      [captureReference],
    );
    return row?.refunded ?? 0;
  }

  /** The entry under `key`, read in `tx` or afresh. */
  async read(key: string, tx: EntityManager = this.em): Promise<LedgerEntry | undefined> {
    const entry = await tx.findOne(SimulatorChargeSchema, { idempotencyKey: key }, FRESH);
    return entry ?? undefined;
  }

  /**
   * Records the outcome once (conditional: the first writer wins), in `tx` or on its own; the entry
   * as this write left it, undefined when another writer had recorded one (read it then).
   */
  async record(key: string, outcome: LedgerOutcome, tx: EntityManager = this.em): Promise<LedgerEntry | undefined> {
    // Conditional on `outcome is null`, so a recorded outcome is never overwritten.
    const { rows } = await sql<LedgerEntry>(
      tx,
      `update simulator_charge set outcome = $1, decline_code = $2, reason = $3, provider_reference = $4, updated_at = now()
       where idempotency_key = $5 and outcome is null returning ${ENTRY}`,
      [outcome.outcome, outcome.declineCode, outcome.reason, outcome.providerReference, key],
    );
    return rows[0];
  }
}
