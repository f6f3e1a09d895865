import { Migration } from '@mikro-orm/migrations';

/**
 * Bestsellers: units sold per product, kept from the saga's stock commands (a commit counts its
 * units, a return of a cancelled paid order takes them back; both apply once per order). Backfilled
 * from the orders committed so far and not returned.
 */
export class UnitsSold extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table product add column units_sold integer not null default 0 check (units_sold >= 0)');
    this.addSql(`update product p set units_sold = s.units from (
      select v.product_id, sum(l.quantity)::int as units
        from stock_reservation r join stock_reservation_line l on l.order_id = r.order_id join product_variant v on v.id = l.variant_id
       where r.status = 'COMMITTED' and r.returned_at is null group by v.product_id) s
      where s.product_id = p.id`);
    // BEST_SELLING: most sold first, read backwards, id as the keyset tie-breaker (like the price index).
    this.addSql('create index product_live_best_selling_idx on product (units_sold, id) where deleted_at is null');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists product_live_best_selling_idx');
    this.addSql('alter table product drop column units_sold');
  }
}
