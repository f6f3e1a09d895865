import { Migration } from '@mikro-orm/migrations';

/**
 * Listing and search indexes (product-search.service.ts). Every listing reads live products only,
 * so the btree indexes are partial (`where deleted_at is null`) and end with `id`, the keyset
 * tie-breaker: each sort is an index range scan that stops after one page.
 */
export class Search extends Migration {
  override async up(): Promise<void> {
    // Trusted extension (Postgres 13+): the database owner may create it, no superuser needed.
    this.addSql('create extension if not exists pg_trgm');
    // Kept by Postgres itself on every insert/update, so no code path can forget it; not mapped on
    // the entity (MikroORM would try to write it).
    this.addSql(`alter table product add column search_vector tsvector generated always as (
      setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')
    ) stored`);
    this.addSql('create index product_search_idx on product using gin (search_vector) where deleted_at is null');
    // Typo tolerance: word similarity of the search text to the name.
    this.addSql('create index product_name_trgm_idx on product using gin (name gin_trgm_ops) where deleted_at is null');
    this.addSql('create index product_live_name_idx on product (name, id) where deleted_at is null');
    this.addSql('create index product_live_price_idx on product (price_amount, id) where deleted_at is null');
    this.addSql('create index product_live_newest_idx on product (created_at desc, id desc) where deleted_at is null');
    this.addSql('create index product_live_category_name_idx on product (category_id, name, id) where deleted_at is null');
    this.addSql('create index product_live_low_stock_idx on product ((on_hand - reserved), id) where deleted_at is null');
    // Superseded by product_live_name_idx (listings never read deleted rows).
    this.addSql('drop index if exists product_name_id_idx');
  }

  override async down(): Promise<void> {
    this.addSql('create index if not exists product_name_id_idx on product (name, id)');
    for (const index of ['low_stock', 'category_name', 'newest', 'price', 'name']) this.addSql(`drop index if exists product_live_${index}_idx`);
    this.addSql('drop index if exists product_name_trgm_idx');
    this.addSql('drop index if exists product_search_idx');
    this.addSql('alter table product drop column if exists search_vector');
  }
}
