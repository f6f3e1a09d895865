import { Migration } from '@mikro-orm/migrations';

/**
 * The cart's note (a gift message) and attributes, frozen into the order at checkout (the
 * checkout.requested event carries them). Orders from before have none.
 */
export class OrderNoteAttributes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column note varchar(2000) null, add column attributes jsonb not null default '[]'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table customer_order drop column note, drop column attributes');
  }
}
