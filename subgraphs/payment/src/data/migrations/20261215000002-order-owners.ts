import { Migration } from '@mikro-orm/migrations';

/**
 * Owners the order subgraph assigned to orders after checkout (a claimed guest order,
 * order.customer.assigned), kept so a payment recorded after the event still takes its owner.
 */
export class OrderOwners extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists payment_order_owner (
      order_id uuid primary key,
      customer_id varchar(128) not null,
      created_at timestamptz not null default now()
    )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists payment_order_owner');
  }
}
