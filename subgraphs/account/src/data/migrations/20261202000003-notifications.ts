import { Migration } from '@mikro-orm/migrations';

/** The notifications worker's tables: the orders it has heard of (for refund emails) and the emails it sent. */
export class Notifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table notification_order (
      order_id uuid primary key,
      number varchar(32) not null,
      email varchar(320) not null,
      currency varchar(3) not null,
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table sent_email (
      event_id varchar(128) primary key,
      kind text not null check (kind in ('EMAIL_VERIFICATION', 'PASSWORD_RESET', 'ORDER_CONFIRMED', 'ORDER_SHIPPED', 'REFUND_ISSUED')),
      recipient varchar(320) not null,
      message_id varchar(255) not null,
      sent_at timestamptz not null default now()
    )`);
    this.addSql('create index sent_email_recipient_idx on sent_email (recipient, sent_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists sent_email');
    this.addSql('drop table if exists notification_order');
  }
}
