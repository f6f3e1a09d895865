import { Migration } from '@mikro-orm/migrations';

/**
 * Categories form a tree. `path` is the materialized path of ids from the root ("/a/b/c/"): a
 * category's descendants are the rows whose path starts with its own (one index range), and a move
 * rewrites its subtree's paths in one statement. Existing categories become roots.
 */
export class CategoryTree extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table category add column parent_id uuid null references category (id)');
    this.addSql('alter table category add column path text null');
    this.addSql(`update category set path = '/' || id || '/'`);
    this.addSql('alter table category alter column path set not null');
    this.addSql('create unique index category_path_idx on category (path text_pattern_ops)');
    this.addSql('create index category_parent_idx on category (parent_id, name)');
  }

  override async down(): Promise<void> {
    this.addSql('alter table category drop column path, drop column parent_id');
  }
}
