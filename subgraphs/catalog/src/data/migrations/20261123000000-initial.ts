import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table category (
      id uuid primary key,
      slug varchar(120) not null unique,
      name varchar(120) not null,
      created_at timestamptz not null
    )`);
    this.addSql(`create table product (
      id uuid primary key,
      sku varchar(64) not null unique,
      slug varchar(160) not null unique,
      name varchar(200) not null,
      description text not null,
      price_amount integer not null check (price_amount >= 0),
      currency varchar(3) not null,
      images jsonb not null,
      category_id uuid null references category (id) on delete set null,
      on_hand integer not null default 0 check (on_hand >= 0),
      reserved integer not null default 0 check (reserved >= 0 and reserved <= on_hand),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      deleted_at timestamptz null
    )`);
    this.addSql('create index product_category_idx on product (category_id)');
    this.addSql('create index product_name_id_idx on product (name, id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists product');
    this.addSql('drop table if exists category');
  }
}
