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
