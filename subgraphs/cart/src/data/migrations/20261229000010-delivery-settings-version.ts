import { Migration } from '@mikro-orm/migrations';

/** The tables a cart's delivery options and tax are priced from (readDestination). */
const DELIVERY_SETTINGS_TABLES = ['shipping_country', 'shipping_zone', 'shipping_zone_country', 'delivery_method', 'tax_region_rate'];

/**
 * One number that moves whenever a delivery setting does: zones, their countries, methods, tax
 * rates. The pricing stamp (pricing-stamp.ts) carries it, so a cached cart priced under other
 * delivery settings is a miss within a poll, as one priced under other promotions already was.
 * Bumped by statement-level triggers: every write path counts (admin mutations, seeds, plain SQL),
 * and a statement touching many rows bumps it once. Only admins write these tables.
 */
export class DeliverySettingsVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table delivery_settings_version (
      id boolean primary key default true check (id),
      version bigint not null default 0)`);
    this.addSql('insert into delivery_settings_version default values');
    this.addSql(`create function bump_delivery_settings_version() returns trigger language plpgsql as $$
      begin
        update delivery_settings_version set version = version + 1;
        return null;
      end $$`);
    for (const table of DELIVERY_SETTINGS_TABLES) {
      this.addSql(`create trigger ${table}_settings_version after insert or update or delete or truncate on ${table}
        for each statement execute function bump_delivery_settings_version()`);
    }
  }

  override async down(): Promise<void> {
    for (const table of DELIVERY_SETTINGS_TABLES) this.addSql(`drop trigger ${table}_settings_version on ${table}`);
    this.addSql('drop function bump_delivery_settings_version()');
    this.addSql('drop table delivery_settings_version');
  }
}
