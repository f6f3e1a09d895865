import { Migration } from '@mikro-orm/migrations';

const HANDLE = `'^[a-z0-9][a-z0-9-]*$'`;
const COUNTRY = `'^[A-Z]{2}$'`;

/**
 * Delivery and addresses: shipping zones (countries, optionally only some regions) with delivery
 * methods, tax rates per region, the cart's phone, delivery and billing addresses and chosen
 * delivery method, and the customers' default addresses (a projection of the account's events).
 * The flat rate of every existing shipping country becomes a zone of its own with one Standard
 * method at the same price and untaxed delivery, so no cart's total changes.
 */
export class DeliveryZones extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table shipping_zone (
      id uuid primary key,
      handle varchar(64) not null unique check (handle ~ ${HANDLE}),
      name varchar(200) not null,
      -- null: delivery is taxed at the goods' rate of the address.
      shipping_tax_basis_points integer null check (shipping_tax_basis_points between 0 and 10000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    // One zone per country or region: the primary key makes a second claim fail.
    this.addSql(`create table shipping_zone_country (
      zone_id uuid not null references shipping_zone (id) on delete cascade,
      country_code varchar(2) not null check (country_code ~ ${COUNTRY}),
      -- '': the whole country (except regions another zone lists).
      region_code varchar(10) not null default '' check (region_code = upper(region_code)),
      primary key (country_code, region_code)
    )`);
    this.addSql('create index shipping_zone_country_zone_idx on shipping_zone_country (zone_id)');
    this.addSql(`create table delivery_method (
      id uuid primary key,
      zone_id uuid not null references shipping_zone (id) on delete cascade,
      handle varchar(64) not null check (handle ~ ${HANDLE}),
      title varchar(200) not null,
      price integer not null check (price >= 0),
      free_over integer null check (free_over >= 0),
      min_days integer null check (min_days >= 0),
      max_days integer null check (max_days >= 0 and (min_days is null or max_days >= min_days)),
      pickup boolean not null default false,
      position integer not null default 0,
      unique (zone_id, handle)
    )`);
    this.addSql(`create table tax_region_rate (
      country_code varchar(2) not null check (country_code ~ ${COUNTRY}),
      region_code varchar(10) not null check (region_code <> '' and region_code = upper(region_code)),
      tax_basis_points integer not null check (tax_basis_points between 0 and 10000),
      primary key (country_code, region_code)
    )`);
    // shipping_country keeps the country's tax rate; its flat shipping columns are no longer read.
    this.addSql('alter table shipping_country alter column shipping_amount set default 0');
    this.addSql(`alter table cart add column phone varchar(40) null,
      add column delivery_address jsonb null check (jsonb_typeof(delivery_address) = 'object'),
      add column billing_address jsonb null check (jsonb_typeof(billing_address) = 'object'),
      add column address_from_default boolean not null default false,
      add column delivery_method_handle varchar(64) null`);
    this.addSql(`create table customer_default_address (
      customer_id varchar(128) primary key,
      address jsonb null check (jsonb_typeof(address) = 'object'),
      changed_at timestamptz not null
    )`);
    this.addSql(`insert into shipping_zone (id, handle, name, shipping_tax_basis_points)
      select gen_random_uuid(), lower(country_code), country_code, 0 from shipping_country`);
    this.addSql(`insert into shipping_zone_country (zone_id, country_code)
      select z.id, c.country_code from shipping_country c join shipping_zone z on z.handle = lower(c.country_code)`);
    this.addSql(`insert into delivery_method (id, zone_id, handle, title, price, free_over, position)
      select gen_random_uuid(), z.id, 'standard', 'Standard', c.shipping_amount, c.free_shipping_over, 0
        from shipping_country c join shipping_zone z on z.handle = lower(c.country_code)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists customer_default_address');
    this.addSql(`alter table cart drop column phone, drop column delivery_address, drop column billing_address,
      drop column address_from_default, drop column delivery_method_handle`);
    this.addSql('alter table shipping_country alter column shipping_amount drop default');
    this.addSql('drop table if exists tax_region_rate');
    this.addSql('drop table if exists delivery_method');
    this.addSql('drop table if exists shipping_zone_country');
    this.addSql('drop table if exists shipping_zone');
  }
}
