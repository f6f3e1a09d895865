import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog v2: a cart line buys a variant. The old `product_id` always held what was bought — before
 * variants every product was sold as one variant with the product's id — so it becomes `variant_id`,
 * and `product_id` (the variant's product) starts as the same id. The line also keeps the
 * variant's SKU, title and option values as the catalog last confirmed them (the snapshot a
 * checkout without the catalog freezes into the order).
 */
export class LineVariants extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table cart_line rename column product_id to variant_id');
    this.addSql('alter table cart_line rename constraint cart_line_cart_id_product_id_key to cart_line_cart_id_variant_id_key');
    this.addSql('alter index cart_line_product_idx rename to cart_line_variant_idx');
    this.addSql('alter table cart_line add column product_id uuid null');
    this.addSql('update cart_line set product_id = variant_id');
    this.addSql('alter table cart_line alter column product_id set not null');
    this.addSql(`alter table cart_line add column sku varchar(64) null, add column variant_title varchar(200) null,
      add column selected_options jsonb not null default '[]'`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table cart_line drop column sku, drop column variant_title, drop column selected_options, drop column product_id');
    this.addSql('alter index cart_line_variant_idx rename to cart_line_product_idx');
    this.addSql('alter table cart_line rename constraint cart_line_cart_id_variant_id_key to cart_line_cart_id_product_id_key');
    this.addSql('alter table cart_line rename column variant_id to product_id');
  }
}
