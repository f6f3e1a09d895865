import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table cart (
      id varchar(64) primary key,
      customer_id varchar(128) null,
      status text not null default 'ACTIVE' check (status in ('ACTIVE', 'CHECKING_OUT', 'CHECKED_OUT', 'EXPIRED')),
      version integer not null default 1,
      currency varchar(3) not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      expires_at timestamptz not null
    )`);
    // At most one active cart per customer: "get or create" is a race-free upsert on this index.
    this.addSql(`create unique index cart_one_active_per_customer on cart (customer_id) where status = 'ACTIVE' and customer_id is not null`);
    this.addSql(`create index cart_expiry_idx on cart (expires_at) where status = 'ACTIVE'`);
    this.addSql(`create table cart_line (
      id uuid primary key,
      cart_id varchar(64) not null references cart (id) on delete cascade,
      product_id uuid not null,
      quantity integer not null check (quantity between 1 and 999),
      created_at timestamptz not null,
      unique (cart_id, product_id)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists cart_line');
    this.addSql('drop table if exists cart');
  }
}
