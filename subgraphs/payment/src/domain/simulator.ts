import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SimulatorChargeRepository, type LedgerEntry, type LedgerOutcome } from '../data/simulator-charge.repository.ts';
import {
  ProviderDeclined,
  ProviderError,
  ProviderTimeout,
  type CaptureRequest,
  type DeclineCode,
  type PaymentProvider,
  type ProviderStatus,
  type RefundRequest,
} from './provider.ts';

export interface SimulatorOptions {
  /** How long `tok_timeout` hangs before its first attempt times out (the policy's timeout may cut it shorter). */
  hangMs?: number;
}

/**
 * The built-in deterministic provider. tok_visa succeeds; tok_declined and tok_insufficient_funds
 * are declined with that reason; tok_timeout times out once per idempotency key, then succeeds;
 * tok_error always fails with a provider error; any other token is declined.
 *
 * Its ledger is the `simulator_charge` table in the payment database, not memory: the "one charge
 * per idempotency key" promise must survive a restart of the payment process (crash between the
 * provider call and recording its result, then redelivery), as it would at a real provider.
 * Every call is its own short statement or transaction, never part of the caller's.
 */
export class SimulatorProvider implements PaymentProvider {
  private readonly ledger: SimulatorChargeRepository;
  private readonly hangMs: number;
  constructor(em: EntityManager, options: SimulatorOptions = {}) {
    this.ledger = new SimulatorChargeRepository(em);
    this.hangMs = options.hangMs ?? 50;
  }

  async capture({ idempotencyKey, amount, currency, token }: CaptureRequest): Promise<{ providerReference: string }> {
    // One statement claims the key (or counts another attempt on it): atomic under concurrency. A
    // token whose first attempt has a fixed outcome records it in that statement.
    const decided = firstOutcome(token, idempotencyKey);
    const row = await this.ledger.attemptCapture({ idempotencyKey, token, amount, currency }, decided);
    if (!row) throw new ProviderError('simulator ledger write failed');
    if (row.kind !== 'CAPTURE' || row.amount !== amount) throw new ProviderError('idempotency key reused with different parameters');
    if (row.outcome) return replay(row);
    // A key claimed without its outcome by a release before outcomes went with the claim.
    if (decided) return this.settle(idempotencyKey, decided);
    if (row.token === 'tok_timeout') {
      if (row.attempts === 1) {
        await sleep(this.hangMs);
        throw new ProviderTimeout('simulated timeout (first attempt)');
      }
      return this.settle(idempotencyKey, outcomeOf(idempotencyKey, 'SUCCEEDED'));
    }
    // tok_error: no outcome is ever recorded.
    throw new ProviderError('simulated provider error');
  }

  async refund({ idempotencyKey, providerReference, amount }: RefundRequest): Promise<{ providerReference: string }> {
    // The capture row is locked for the few statements below, so concurrent refunds of one
    // capture are checked against each other.
    const row = await this.ledger.transactional(async (tx) => {
      const capture = await this.ledger.lockCapture(tx, providerReference);
      if (!capture) throw new ProviderDeclined('DECLINED', 'unknown capture');
      const claimed = await this.ledger.attemptRefund(tx, { idempotencyKey, captureReference: providerReference, amount });
      if (!claimed || claimed.kind !== 'REFUND' || claimed.amount !== amount)
        throw new ProviderError('idempotency key reused with different parameters');
      if (claimed.outcome) return claimed;
      const refunded = await this.ledger.refundedOf(tx, providerReference);
      if (refunded + amount > capture.amount) await this.record(idempotencyKey, 'DECLINED', 'DECLINED', 'refund exceeds the captured amount', tx);
      else await this.record(idempotencyKey, 'SUCCEEDED', undefined, undefined, tx);
      return this.ledger.read(idempotencyKey, tx);
    });
    if (!row) throw new ProviderError('simulator ledger write failed');
    return replay(row);
  }

  async status(idempotencyKey: string): Promise<ProviderStatus> {
    const row = await this.ledger.read(idempotencyKey);
    if (!row) return { status: 'NOT_FOUND' };
    if (row.outcome === 'SUCCEEDED') return { status: 'SUCCEEDED', providerReference: row.providerReference ?? '' };
    if (row.outcome === 'DECLINED') return { status: 'DECLINED', code: declineCodeOf(row), reason: row.reason ?? '' };
    return { status: 'PENDING' };
  }

  /** Records the outcome once (the first writer wins) and answers whatever was recorded. */
  private async settle(key: string, outcome: LedgerOutcome) {
    // The entry this write recorded; else the one another writer recorded first.
    const row = (await this.ledger.record(key, outcome)) ?? (await this.ledger.read(key));
    if (!row) throw new ProviderError('simulator ledger read failed');
    return replay(row);
  }

  private record(key: string, outcome: 'SUCCEEDED' | 'DECLINED', code?: DeclineCode, reason?: string, tx?: EntityManager) {
    return this.ledger.record(key, outcomeOf(key, outcome, code, reason), tx);
  }
}

function outcomeOf(key: string, outcome: 'SUCCEEDED' | 'DECLINED', code?: DeclineCode, reason?: string): LedgerOutcome {
  const reference = outcome === 'SUCCEEDED' ? `sim_${createHash('sha256').update(key).digest('hex').slice(0, 24)}` : null;
  return { outcome, declineCode: code ?? null, reason: reason ?? null, providerReference: reference };
}

/** A capture's outcome when its token decides it at the first attempt; null for tok_timeout (hangs first) and tok_error (never settles). */
function firstOutcome(token: string, key: string): LedgerOutcome | null {
  switch (token) {
    case 'tok_timeout':
    case 'tok_error':
      return null;
    case 'tok_visa':
      return outcomeOf(key, 'SUCCEEDED');
    case 'tok_declined':
      return outcomeOf(key, 'DECLINED', 'DECLINED', 'card declined');
    case 'tok_insufficient_funds':
      return outcomeOf(key, 'DECLINED', 'INSUFFICIENT_FUNDS', 'insufficient funds');
    default:
      return outcomeOf(key, 'DECLINED', 'DECLINED', 'unknown payment token');
  }
}

/** The ledger stores only the simulator's own decline codes. */
const declineCodeOf = (row: LedgerEntry) => (row.declineCode ?? 'DECLINED') as DeclineCode;

function replay(row: LedgerEntry): { providerReference: string } {
  if (row.outcome === 'DECLINED') throw new ProviderDeclined(declineCodeOf(row), row.reason ?? 'declined');
  if (row.outcome === 'SUCCEEDED' && row.providerReference) return { providerReference: row.providerReference };
  throw new ProviderError('simulator ledger in an impossible state');
}
