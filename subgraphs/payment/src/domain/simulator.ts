import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
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

interface LedgerRow {
  kind: 'CAPTURE' | 'REFUND';
  token: string | null;
  amount: number;
  attempts: number;
  outcome: 'SUCCEEDED' | 'DECLINED' | null;
  declineCode: DeclineCode | null;
  reason: string | null;
  providerReference: string | null;
}

const COLUMNS = `kind, token, amount, attempts, outcome, decline_code as "declineCode", reason, provider_reference as "providerReference"`;

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
  private readonly em: EntityManager;
  private readonly hangMs: number;
  constructor(em: EntityManager, options: SimulatorOptions = {}) {
    this.em = em;
    this.hangMs = options.hangMs ?? 50;
  }

  async capture({ idempotencyKey, amount, currency, token }: CaptureRequest): Promise<{ providerReference: string }> {
    // One statement claims the key (or counts another attempt on it): atomic under concurrency.
    const [row] = await this.em.fork().execute<LedgerRow[]>(
      `insert into simulator_charge (idempotency_key, kind, token, amount, currency, attempts)
       values (?, 'CAPTURE', ?, ?, ?, 1)
       on conflict (idempotency_key) do update set attempts = simulator_charge.attempts + 1, updated_at = now()
       returning ${COLUMNS}`,
      [idempotencyKey, token, amount, currency],
    );
    if (!row) throw new ProviderError('simulator ledger write failed');
    if (row.kind !== 'CAPTURE' || row.amount !== amount) throw new ProviderError('idempotency key reused with different parameters');
    if (row.outcome) return replay(row);
    switch (row.token) {
      case 'tok_timeout':
        if (row.attempts === 1) {
          await sleep(this.hangMs);
          throw new ProviderTimeout('simulated timeout (first attempt)');
        }
        return this.settle(idempotencyKey, 'SUCCEEDED');
      case 'tok_visa':
        return this.settle(idempotencyKey, 'SUCCEEDED');
      case 'tok_error':
        throw new ProviderError('simulated provider error');
      case 'tok_declined':
        return this.settle(idempotencyKey, 'DECLINED', 'DECLINED', 'card declined');
      case 'tok_insufficient_funds':
        return this.settle(idempotencyKey, 'DECLINED', 'INSUFFICIENT_FUNDS', 'insufficient funds');
      default:
        return this.settle(idempotencyKey, 'DECLINED', 'DECLINED', 'unknown payment token');
    }
  }

  async refund({ idempotencyKey, providerReference, amount }: RefundRequest): Promise<{ providerReference: string }> {
    // The capture row is locked for the few statements below, so concurrent refunds of one
    // capture are checked against each other.
    const row = await this.em.fork().transactional(async (tx) => {
      const [capture] = await tx.execute<Array<{ amount: number }>>(
        `select amount from simulator_charge where kind = 'CAPTURE' and outcome = 'SUCCEEDED' and provider_reference = ? for update`,
        [providerReference],
      );
      if (!capture) throw new ProviderDeclined('DECLINED', 'unknown capture');
      const [claimed] = await tx.execute<LedgerRow[]>(
        `insert into simulator_charge (idempotency_key, kind, capture_reference, amount, attempts)
         values (?, 'REFUND', ?, ?, 1)
         on conflict (idempotency_key) do update set attempts = simulator_charge.attempts + 1, updated_at = now()
         returning ${COLUMNS}`,
        [idempotencyKey, providerReference, amount],
      );
      if (!claimed || claimed.kind !== 'REFUND' || claimed.amount !== amount)
        throw new ProviderError('idempotency key reused with different parameters');
      if (claimed.outcome) return claimed;
      const [{ refunded }] = (await tx.execute<Array<{ refunded: number }>>(
        `select coalesce(sum(amount), 0)::int as refunded from simulator_charge where kind = 'REFUND' and outcome = 'SUCCEEDED' and capture_reference = ?`,
        [providerReference],
      )) as [{ refunded: number }];
      if (refunded + amount > capture.amount) await this.record(tx, idempotencyKey, 'DECLINED', 'DECLINED', 'refund exceeds the captured amount');
      else await this.record(tx, idempotencyKey, 'SUCCEEDED');
      return this.read(tx, idempotencyKey);
    });
    if (!row) throw new ProviderError('simulator ledger write failed');
    return replay(row);
  }

  async status(idempotencyKey: string): Promise<ProviderStatus> {
    const row = await this.read(this.em.fork(), idempotencyKey);
    if (!row) return { status: 'NOT_FOUND' };
    if (row.outcome === 'SUCCEEDED') return { status: 'SUCCEEDED', providerReference: row.providerReference ?? '' };
    if (row.outcome === 'DECLINED') return { status: 'DECLINED', code: row.declineCode ?? 'DECLINED', reason: row.reason ?? '' };
    return { status: 'PENDING' };
  }

  /** Records the outcome once (the first writer wins) and answers whatever was recorded. */
  private async settle(key: string, outcome: 'SUCCEEDED' | 'DECLINED', code?: DeclineCode, reason?: string) {
    const em = this.em.fork();
    await this.record(em, key, outcome, code, reason);
    const row = await this.read(em, key);
    if (!row) throw new ProviderError('simulator ledger read failed');
    return replay(row);
  }

  private async read(em: EntityManager, key: string): Promise<LedgerRow | undefined> {
    const [row] = await em.execute<LedgerRow[]>(`select ${COLUMNS} from simulator_charge where idempotency_key = ?`, [key]);
    return row;
  }

  private record(em: EntityManager, key: string, outcome: 'SUCCEEDED' | 'DECLINED', code?: DeclineCode, reason?: string) {
    const reference = outcome === 'SUCCEEDED' ? `sim_${createHash('sha256').update(key).digest('hex').slice(0, 24)}` : null;
    return em.execute(
      `update simulator_charge set outcome = ?, decline_code = ?, reason = ?, provider_reference = ?, updated_at = now()
       where idempotency_key = ? and outcome is null`,
      [outcome, code ?? null, reason ?? null, reference, key],
      'run',
    );
  }
}

function replay(row: LedgerRow): { providerReference: string } {
  if (row.outcome === 'DECLINED') throw new ProviderDeclined(row.declineCode ?? 'DECLINED', row.reason ?? 'declined');
  if (row.outcome === 'SUCCEEDED' && row.providerReference) return { providerReference: row.providerReference };
  throw new ProviderError('simulator ledger in an impossible state');
}
