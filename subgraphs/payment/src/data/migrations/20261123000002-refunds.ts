import { Migration } from '@mikro-orm/migrations';

/** Capture outcomes, refunds, and the simulator provider's ledger. */
export class Refunds extends Migration {
  override async up(): Promise<void> {
    // refunded_amount counts every claimed refund (pending or succeeded): the check makes
    // "refunds never exceed the capture" a database rule, not only a code path.
    this.addSql(`alter table payment
      add column refunded_amount integer not null default 0,
      add column payment_token varchar(64) null,
      add column failure_code varchar(32) null,
      add column failure_reason text null,
      add constraint payment_refunded_within_amount check (refunded_amount >= 0 and refunded_amount <= amount)`);
    this.addSql(`create index payment_pending_idx on payment (updated_at) where status = 'PENDING'`);
    this.addSql(`create table refund (
      id uuid primary key,
      payment_id uuid not null references payment (id),
      amount integer not null check (amount > 0),
      idempotency_key varchar(255) not null,
      status text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
      reason text null,
      provider_reference varchar(128) null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (payment_id, idempotency_key)
    )`);
    this.addSql(`create index refund_pending_idx on refund (updated_at) where status = 'PENDING'`);
    // The simulator's ledger: what a real provider keeps on its side, keyed by idempotency key.
    this.addSql(`create table simulator_charge (
      idempotency_key varchar(255) primary key,
      kind text not null check (kind in ('CAPTURE', 'REFUND')),
      token varchar(64) null,
      capture_reference varchar(128) null,
      amount integer not null,
      currency varchar(3) null,
      attempts integer not null,
      outcome text null check (outcome in ('SUCCEEDED', 'DECLINED')),
      decline_code varchar(32) null,
      reason text null,
      provider_reference varchar(128) null unique,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index simulator_charge_capture_idx on simulator_charge (capture_reference) where kind = 'REFUND'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists simulator_charge');
    this.addSql('drop table if exists refund');
    this.addSql(`alter table payment drop constraint if exists payment_refunded_within_amount,
      drop column if exists refunded_amount, drop column if exists payment_token,
      drop column if exists failure_code, drop column if exists failure_reason`);
  }
}
