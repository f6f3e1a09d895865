import { Migration } from '@mikro-orm/migrations';

/**
 * Checkout v2: the order keeps the delivery method its shipping was charged for ({handle, title,
 * pickup}; null for orders from before) and whether its prices included tax (then the tax is part
 * of the total, not added to it).
 */
export class DeliveryMethod extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column delivery_method jsonb null check (jsonb_typeof(delivery_method) = 'object'),
      add column taxes_included boolean not null default false`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table customer_order drop column delivery_method, drop column taxes_included');
  }
}
