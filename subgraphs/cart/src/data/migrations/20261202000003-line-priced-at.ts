import { Migration } from '@mikro-orm/migrations';

/**
 * When the catalog last confirmed a line's price and name (a lookup that wrote them). A checkout
 * while the catalog cannot be reached is accepted from the lines only when each was confirmed
 * recently; null — lines written before this column, or whose price the catalog changed since —
 * never counts as confirmed.
 */
export class LinePricedAt extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table cart_line add column priced_at timestamptz null');
  }

  override async down(): Promise<void> {
    this.addSql('alter table cart_line drop column priced_at');
  }
}
