import { Migration } from '@mikro-orm/migrations';

/** Audit trail of admin stock changes: who moved how many units, and why. */
export class InventoryAdjustment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table inventory_adjustment (
      id uuid primary key,
      product_id uuid not null references product (id),
      delta integer not null check (delta <> 0),
      reason text not null,
      actor varchar(128) null,
      created_at timestamptz not null
    )`);
    this.addSql('create index inventory_adjustment_product_idx on inventory_adjustment (product_id, created_at desc)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists inventory_adjustment');
  }
}
