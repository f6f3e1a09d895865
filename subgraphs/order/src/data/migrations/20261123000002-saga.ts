import { Migration } from '@mikro-orm/migrations';

/** What the checkout saga needs on the order: where it came from, its step and that step's deadline. */
export class Saga extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order
      add column cart_id varchar(64) null,
      add column discount_amount integer not null default 0 check (discount_amount >= 0),
      add column shipping_amount integer not null default 0 check (shipping_amount >= 0),
      add column tax_amount integer not null default 0 check (tax_amount >= 0),
      -- Provider token (never card data), kept only until the payment is requested.
      add column payment_token varchar(200) null,
      add column step_deadline timestamptz null,
      add column tracking_number varchar(100) null`);
    this.addSql(`create index customer_order_step_deadline_idx on customer_order (step_deadline) where status in ('PENDING', 'AWAITING_PAYMENT')`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists customer_order_step_deadline_idx');
    this.addSql(`alter table customer_order drop column cart_id, drop column discount_amount, drop column shipping_amount,
      drop column tax_amount, drop column payment_token, drop column step_deadline, drop column tracking_number`);
  }
}
