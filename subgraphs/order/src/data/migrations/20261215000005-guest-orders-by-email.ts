import { Migration } from '@mikro-orm/migrations';

/**
 * Accounts: a customer claims the guest orders placed with their verified email (compared
 * case-insensitively). Only guest orders are ever looked up by email, so the index holds only them.
 */
export class GuestOrdersByEmail extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index customer_order_guest_email_idx on customer_order (lower(email)) where customer_id is null');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists customer_order_guest_email_idx');
  }
}
