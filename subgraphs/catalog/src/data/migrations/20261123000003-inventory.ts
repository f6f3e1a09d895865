import { Migration } from '@mikro-orm/migrations';

/**
 * Stock reservations of the checkout saga, one row per order (the idempotency key of every stock
 * command). Lines exist only for orders that got stock; a rejection keeps its answer in
 * `short_products` so a repeated reserve answers the same. A RELEASED row without lines is a
 * tombstone (release or commit of an order we never reserved): a late reserve then does nothing.
 */
export class Inventory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table stock_reservation (
      order_id uuid primary key,
      status varchar(16) not null check (status in ('RESERVED', 'REJECTED', 'COMMITTED', 'RELEASED')),
      reason text null,
      short_products jsonb null,
      expires_at timestamptz null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (status <> 'RESERVED' or expires_at is not null),
      check (status <> 'REJECTED' or short_products is not null)
    )`);
    // The sweeper's scan: only live reservations, oldest expiry first.
    this.addSql(`create index stock_reservation_expiry_idx on stock_reservation (expires_at) where status = 'RESERVED'`);
    this.addSql(`create table stock_reservation_line (
      order_id uuid not null references stock_reservation (order_id) on delete cascade,
      product_id uuid not null references product (id),
      quantity integer not null check (quantity > 0),
      primary key (order_id, product_id)
    )`);
    // Which orders hold a product (and the foreign key's own check on product changes).
    this.addSql('create index stock_reservation_line_product_idx on stock_reservation_line (product_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists stock_reservation_line');
    this.addSql('drop table if exists stock_reservation');
  }
}
