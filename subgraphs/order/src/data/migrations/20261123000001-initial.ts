import { Migration } from '@mikro-orm/migrations';

const STATUSES = `('PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED')`;

export class Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql('create sequence order_number_seq start 1000');
    this.addSql(`create table customer_order (
      id uuid primary key,
      number bigint not null unique default nextval('order_number_seq'),
      customer_id varchar(128) null,
      email varchar(320) not null,
      status text not null check (status in ${STATUSES}),
      currency varchar(3) not null,
      subtotal_amount integer not null check (subtotal_amount >= 0),
      total_amount integer not null check (total_amount >= 0),
      shipping_address jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`);
    this.addSql('create index customer_order_customer_idx on customer_order (customer_id, created_at desc, id desc)');
    this.addSql(`create table order_line (
      id uuid primary key,
      order_id uuid not null references customer_order (id) on delete cascade,
      product_id uuid not null,
      name varchar(200) not null,
      quantity integer not null check (quantity > 0),
      unit_price_amount integer not null check (unit_price_amount >= 0),
      position integer not null
    )`);
    this.addSql('create index order_line_order_idx on order_line (order_id, position)');
    this.addSql(`create table order_status_change (
      id uuid primary key,
      order_id uuid not null references customer_order (id) on delete cascade,
      status text not null check (status in ${STATUSES}),
      reason text null,
      at timestamptz not null
    )`);
    this.addSql('create index order_status_change_order_idx on order_status_change (order_id, at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists order_status_change');
    this.addSql('drop table if exists order_line');
    this.addSql('drop table if exists customer_order');
    this.addSql('drop sequence if exists order_number_seq');
  }
}
