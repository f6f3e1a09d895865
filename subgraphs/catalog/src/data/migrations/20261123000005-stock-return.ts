import { Migration } from '@mikro-orm/migrations';

/** When a paid (committed) order was cancelled and its units went back on the shelf. */
export class StockReturn extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table stock_reservation add column returned_at timestamptz null');
  }

  override async down(): Promise<void> {
    this.addSql('alter table stock_reservation drop column returned_at');
  }
}
