import { Migration } from '@mikro-orm/migrations';

/** Every signed-in cart read asks whether its customer has orders ("first order" promotions): an index for it. */
export class CheckoutCustomerIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index checkout_customer_idx on checkout (customer_id) where customer_id is not null');
  }

  override async down(): Promise<void> {
    this.addSql('drop index checkout_customer_idx');
  }
}
