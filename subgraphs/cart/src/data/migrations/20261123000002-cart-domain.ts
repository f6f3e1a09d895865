import { Migration } from '@mikro-orm/migrations';

/** Buyer identity, priced lines, discount codes, tax and shipping by country, checkouts. */
export class CartDomain extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table cart add column email varchar(320) null, add column country_code varchar(2) null');
    // The catalog's price and name when the line last changed; checkout re-validates them.
    this.addSql(`alter table cart_line
      add column unit_price_amount integer not null default 0 check (unit_price_amount >= 0),
      add column name varchar(200) not null default '',
      add column available boolean not null default true,
      add column updated_at timestamptz null`);
    this.addSql('create index cart_line_product_idx on cart_line (product_id)');
    this.addSql(`create table discount_code (
      code varchar(64) primary key check (code = upper(code)),
      kind text not null check (kind in ('PERCENTAGE', 'FIXED_AMOUNT')),
      -- PERCENTAGE: basis points (1500 = 15 %); FIXED_AMOUNT: minor units.
      value integer not null check (value > 0),
      minimum_subtotal integer null check (minimum_subtotal >= 0),
      expires_at timestamptz null,
      usage_limit integer null check (usage_limit > 0),
      usage_count integer not null default 0 check (usage_count >= 0 and (usage_limit is null or usage_count <= usage_limit)),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (kind <> 'PERCENTAGE' or value <= 10000)
    )`);
    this.addSql(`create table cart_discount_code (
      cart_id varchar(64) not null references cart (id) on delete cascade,
      code varchar(64) not null,
      position integer not null,
      primary key (cart_id, code)
    )`);
    this.addSql(`create table shipping_country (
      country_code varchar(2) primary key check (country_code ~ '^[A-Z]{2}$'),
      tax_basis_points integer not null check (tax_basis_points between 0 and 10000),
      shipping_amount integer not null check (shipping_amount >= 0),
      free_shipping_over integer null check (free_shipping_over >= 0)
    )`);
    this.addSql(`create table checkout (
      id uuid primary key,
      cart_id varchar(64) not null references cart (id),
      customer_id varchar(128) null,
      idempotency_key varchar(128) not null,
      status text not null check (status in ('PENDING', 'COMPLETED', 'FAILED')),
      discount_codes text[] not null default '{}',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (cart_id, idempotency_key)
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists checkout');
    this.addSql('drop table if exists shipping_country');
    this.addSql('drop table if exists cart_discount_code');
    this.addSql('drop table if exists discount_code');
    this.addSql('drop index if exists cart_line_product_idx');
    this.addSql('alter table cart_line drop column unit_price_amount, drop column name, drop column available, drop column updated_at');
    this.addSql('alter table cart drop column email, drop column country_code');
  }
}
