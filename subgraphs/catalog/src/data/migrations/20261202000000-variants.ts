import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog v2: a product sells through its variants (size M / Blue has its own SKU, price and stock).
 * Every existing product becomes a one-variant product whose variant has the product's id, SKU,
 * price and stock ("Default Title"), so the ids carts, reservations and orders already hold keep
 * naming what was bought. Stock moves from the product to its variants; reservation lines and
 * adjustments point at variants. `product.price_amount` stays as the lowest live variant price
 * (the listing's price sort and filter use its index).
 */
export class Variants extends Migration {
  override async up(): Promise<void> {
    // [{ name, values }] in display order; [] for a product without options.
    this.addSql(`alter table product add column options jsonb not null default '[]'`);
    this.addSql(`create table product_variant (
      id uuid primary key,
      product_id uuid not null references product (id),
      sku varchar(64) not null unique,
      title varchar(200) not null,
      selected_options jsonb not null default '[]',
      option_values text[] not null default '{}',
      price_amount integer not null check (price_amount >= 0),
      compare_at_amount integer null check (compare_at_amount >= 0),
      currency varchar(3) not null,
      image jsonb null,
      position integer not null default 0,
      on_hand integer not null default 0 check (on_hand >= 0),
      reserved integer not null default 0 check (reserved >= 0 and reserved <= on_hand),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      deleted_at timestamptz null
    )`);
    this.addSql('create index product_variant_product_idx on product_variant (product_id, position, id)');
    // Two live variants of one product never share their options ("Size=M" values, sorted).
    this.addSql('create unique index product_variant_options_uq on product_variant (product_id, option_values) where deleted_at is null');
    this.addSql('create index product_variant_low_stock_idx on product_variant ((on_hand - reserved), id) where deleted_at is null');
    // "Any variant in stock" for the listing's inStock filter and Product.inStock.
    this.addSql('create index product_variant_in_stock_idx on product_variant (product_id) where deleted_at is null and on_hand > reserved');
    this
      .addSql(`insert into product_variant (id, product_id, sku, title, price_amount, currency, on_hand, reserved, created_at, updated_at, deleted_at)
      select id, id, sku, 'Default Title', price_amount, currency, on_hand, reserved, created_at, updated_at, deleted_at from product`);

    this.addSql('alter table stock_reservation_line drop constraint stock_reservation_line_product_id_fkey');
    this.addSql('alter table stock_reservation_line rename column product_id to variant_id');
    this.addSql('alter table stock_reservation_line add foreign key (variant_id) references product_variant (id)');
    this.addSql('alter index stock_reservation_line_product_idx rename to stock_reservation_line_variant_idx');
    this.addSql('alter table inventory_adjustment drop constraint inventory_adjustment_product_id_fkey');
    this.addSql('alter table inventory_adjustment rename column product_id to variant_id');
    this.addSql('alter table inventory_adjustment add foreign key (variant_id) references product_variant (id)');
    this.addSql('alter index inventory_adjustment_product_idx rename to inventory_adjustment_variant_idx');
    // Its low-stock index goes with the columns.
    this.addSql('alter table product drop column on_hand, drop column reserved');
  }

  override async down(): Promise<void> {
    this.addSql('alter table product add column on_hand integer not null default 0 check (on_hand >= 0)');
    this.addSql('alter table product add column reserved integer not null default 0');
    this.addSql(`update product p set on_hand = s.on_hand, reserved = s.reserved
      from (select product_id, sum(on_hand)::int as on_hand, sum(reserved)::int as reserved from product_variant group by product_id) s where s.product_id = p.id`);
    this.addSql('alter table product add check (reserved >= 0 and reserved <= on_hand)');
    this.addSql('create index product_live_low_stock_idx on product ((on_hand - reserved), id) where deleted_at is null');
    this.addSql('alter table inventory_adjustment drop constraint inventory_adjustment_variant_id_fkey');
    this.addSql('alter table inventory_adjustment rename column variant_id to product_id');
    this.addSql('alter index inventory_adjustment_variant_idx rename to inventory_adjustment_product_idx');
    this.addSql('alter table stock_reservation_line drop constraint stock_reservation_line_variant_id_fkey');
    this.addSql('alter table stock_reservation_line rename column variant_id to product_id');
    this.addSql('alter index stock_reservation_line_variant_idx rename to stock_reservation_line_product_idx');
    // Down is only exact for one-variant products (their variant has the product's id).
    this.addSql('alter table stock_reservation_line add foreign key (product_id) references product (id)');
    this.addSql('alter table inventory_adjustment add foreign key (product_id) references product (id)');
    this.addSql('drop table product_variant');
    this.addSql('alter table product drop column options');
  }
}
