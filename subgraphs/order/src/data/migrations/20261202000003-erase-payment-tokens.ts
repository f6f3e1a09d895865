import { Migration } from '@mikro-orm/migrations';

/**
 * The payment token is needed only while an order is PENDING (until the payment is requested):
 * erase the tokens that orders rejected, cancelled or timed out before payment still held, and let
 * the database refuse a token on any other status from now on.
 */
export class ErasePaymentTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update customer_order set payment_token = null where status <> 'PENDING' and payment_token is not null`);
    this.addSql(`alter table customer_order add constraint customer_order_token_only_pending check (status = 'PENDING' or payment_token is null)`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table customer_order drop constraint if exists customer_order_token_only_pending');
  }
}
