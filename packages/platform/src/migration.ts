import { Migration } from '@mikro-orm/migrations';

/** Outbox and inbox tables every subgraph database carries (see events/outbox.ts, events/inbox.ts). */
export class CreateOutboxAndInbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table outbox_event (
      seq bigserial not null,
      id uuid primary key,
      subject text not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz null
    )`);
    this.addSql('create index outbox_event_unpublished_idx on outbox_event (seq) where published_at is null');
    this.addSql(`create table inbox_message (
      consumer text not null,
      message_id text not null,
      subject text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, message_id)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists inbox_message');
    this.addSql('drop table if exists outbox_event');
  }
}

/** The W3C trace context of the transaction that wrote an outbox row, sent with the message (tracing/context.ts). */
export class OutboxTraceparent extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox_event add column if not exists traceparent text null');
  }

  override async down(): Promise<void> {
    this.addSql('alter table outbox_event drop column if exists traceparent');
  }
}

/**
 * The inbox purge finds rows past their retention by `processed_at` (events/retention.ts). Rows are
 * written in time order, so a BRIN index (a few pages for millions of rows, next to nothing per
 * insert on the hot path) turns each purge into a read of the old block ranges instead of a scan of
 * the whole table, which holds a week of events.
 */
export class InboxProcessedAtIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index if not exists inbox_message_processed_at_brin on inbox_message using brin (processed_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists inbox_message_processed_at_brin');
  }
}
