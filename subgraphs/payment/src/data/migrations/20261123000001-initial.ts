import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table payment (
      id uuid primary key,
      order_id uuid not null unique,
      customer_id varchar(128) null,
      status text not null check (status in ('PENDING', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
      amount integer not null check (amount >= 0),
      currency varchar(3) not null,
      provider_reference varchar(128) null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists payment');
  }
}
