import { Migration } from '@mikro-orm/migrations';

/**
 * Details shoppers expect: the cart's note (a gift message) and attributes (key/value pairs the
 * storefront sets), which travel with the checkout into the order; and whether a line's variant is
 * no longer sold (deleted from the catalog) as opposed to out of stock — both show `available:
 * false`, but a checkout without the catalog must still tell NO_LONGER_SOLD from OUT_OF_STOCK.
 * The limits are the API's (cart-note-input.ts); the checks only keep a bug from storing more.
 */
export class CartNoteAttributes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table cart add column note varchar(2000) null,
      add column attributes jsonb not null default '[]' check (jsonb_typeof(attributes) = 'array' and jsonb_array_length(attributes) <= 50)`);
    this.addSql('alter table cart_line add column discontinued boolean not null default false');
  }

  override async down(): Promise<void> {
    this.addSql('alter table cart_line drop column discontinued');
    this.addSql('alter table cart drop column note, drop column attributes');
  }
}
