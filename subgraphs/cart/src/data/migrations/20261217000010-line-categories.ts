import { Migration } from '@mikro-orm/migrations';

/**
 * A line's categories as the catalog last confirmed them (its product's category and that
 * category's ancestors), so category-targeted promotions match. Lines from before fill in at their
 * next catalog confirmation (line change, checkout).
 */
export class LineCategories extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table cart_line add column category_ids uuid[] not null default '{}'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table cart_line drop column category_ids');
  }
}
