import { Migration } from '@mikro-orm/migrations';

/**
 * The promotions' discounts as the cart showed them, frozen at checkout (checkout.requested
 * carries them): per line, and on the order (order and delivery discounts). Orders from before have none.
 */
export class DiscountAllocations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column discount_allocations jsonb not null default '[]'`);
    this.addSql(`alter table order_line add column discount_allocations jsonb not null default '[]'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table order_line drop column discount_allocations');
    this.addSql('alter table customer_order drop column discount_allocations');
  }
}
