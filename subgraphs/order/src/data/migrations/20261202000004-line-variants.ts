import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog v2: an order line freezes the variant bought — its id, SKU, title and option values.
 * Before variants every product was sold as one variant with the product's id, so existing lines
 * get `variant_id = product_id`; their SKU was never recorded (empty) and they have no options.
 */
export class LineVariants extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table order_line add column variant_id uuid null');
    this.addSql('update order_line set variant_id = product_id');
    this.addSql('alter table order_line alter column variant_id set not null');
    this.addSql(`alter table order_line add column sku varchar(64) not null default '', add column variant_title varchar(200) null,
      add column selected_options jsonb not null default '[]'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table order_line drop column variant_id, drop column sku, drop column variant_title, drop column selected_options');
  }
}
