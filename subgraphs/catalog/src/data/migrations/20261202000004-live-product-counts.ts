import { Migration } from '@mikro-orm/migrations';

/**
 * Live products per category, kept by triggers in the writing transaction: the totalCount of an
 * unfiltered or category-only listing is a sum over a few rows instead of counting every live
 * product (37 ms at 100,000 products, on every page). Uncategorized products count under the nil
 * uuid. Inserts and deletes adjust per statement (a seed batch is one upsert per category); an
 * update only when it moves a product between categories or deletes/restores it. Rows are
 * upserted in category order, so two writers lock them in the same order.
 */
export class LiveProductCounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table product_live_count (
      category_key uuid primary key,
      live int not null
    )`);
    this.addSql(`create function product_live_count_add(changes jsonb) returns void language sql as $$
      insert into product_live_count (category_key, live)
      select (c->>'k')::uuid, sum((c->>'d')::int) from jsonb_array_elements(changes) c
      group by 1 having sum((c->>'d')::int) <> 0 order by 1
      on conflict (category_key) do update set live = product_live_count.live + excluded.live
    $$`);
    const key = "coalesce(category_id, '00000000-0000-0000-0000-000000000000'::uuid)";
    this.addSql(`create function product_live_count_inserted() returns trigger language plpgsql as $$ begin
      perform product_live_count_add((select coalesce(jsonb_agg(jsonb_build_object('k', ${key}, 'd', 1)), '[]') from new_rows where deleted_at is null));
      return null;
    end $$`);
    this.addSql(`create function product_live_count_deleted() returns trigger language plpgsql as $$ begin
      perform product_live_count_add((select coalesce(jsonb_agg(jsonb_build_object('k', ${key}, 'd', -1)), '[]') from old_rows where deleted_at is null));
      return null;
    end $$`);
    this.addSql(`create function product_live_count_updated() returns trigger language plpgsql as $$ begin
      perform product_live_count_add(jsonb_build_array(
        jsonb_build_object('k', coalesce(old.category_id, '00000000-0000-0000-0000-000000000000'::uuid), 'd', case when old.deleted_at is null then -1 else 0 end),
        jsonb_build_object('k', coalesce(new.category_id, '00000000-0000-0000-0000-000000000000'::uuid), 'd', case when new.deleted_at is null then 1 else 0 end)));
      return null;
    end $$`);
    this.addSql(`create function product_live_count_truncated() returns trigger language plpgsql as $$ begin
      delete from product_live_count;
      return null;
    end $$`);
    this.addSql(`create trigger product_live_count_insert after insert on product referencing new table as new_rows
      for each statement execute function product_live_count_inserted()`);
    this.addSql(`create trigger product_live_count_delete after delete on product referencing old table as old_rows
      for each statement execute function product_live_count_deleted()`);
    this.addSql(`create trigger product_live_count_update after update of category_id, deleted_at on product for each row
      when (old.category_id is distinct from new.category_id or (old.deleted_at is null) <> (new.deleted_at is null))
      execute function product_live_count_updated()`);
    this.addSql(
      'create trigger product_live_count_truncate after truncate on product for each statement execute function product_live_count_truncated()',
    );
    this.addSql(`insert into product_live_count (category_key, live)
      select ${key}, count(*) from product where deleted_at is null group by 1`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists product_live_count_insert on product');
    this.addSql('drop trigger if exists product_live_count_delete on product');
    this.addSql('drop trigger if exists product_live_count_update on product');
    this.addSql('drop trigger if exists product_live_count_truncate on product');
    this.addSql(
      'drop function if exists product_live_count_inserted(), product_live_count_deleted(), product_live_count_updated(), product_live_count_truncated()',
    );
    this.addSql('drop function if exists product_live_count_add(jsonb)');
    this.addSql('drop table if exists product_live_count');
  }
}
