import { Migration } from '@mikro-orm/migrations';

/**
 * Which lines sit in an ACTIVE cart, on the line itself, so a product change finds them through a
 * partial index instead of every line ever written: the test "does any active cart show this
 * variant differently?" ran once per stock move and, planned as a scan of cart_line (a LIMIT 1
 * that usually finds nothing), read every line of every cart ever checked out — 6.6 ms a time
 * after 15,000 checkouts, growing with each.
 *
 * A trigger keeps the flag: whenever a cart enters or leaves ACTIVE, its lines follow, in the
 * statement that moved it. A new line is in an active cart (lines are only added to one). The
 * queries still join the cart's status, so the flag only narrows what they read.
 */
export class ActiveCartLines extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table cart_line add column in_active_cart boolean not null default true');
    this.addSql(`update cart_line l set in_active_cart = false from cart c where c.id = l.cart_id and c.status <> 'ACTIVE'`);
    this.addSql(`create function cart_lines_follow_status() returns trigger language plpgsql as $$ begin
      update cart_line set in_active_cart = (new.status = 'ACTIVE') where cart_id = new.id;
      return null;
    end $$`);
    this.addSql(`create trigger cart_lines_follow_status after update of status on cart for each row
      when ((old.status = 'ACTIVE') <> (new.status = 'ACTIVE'))
      execute function cart_lines_follow_status()`);
    this.addSql('create index cart_line_active_variant_idx on cart_line (variant_id) where in_active_cart');
    this.addSql('drop index cart_line_variant_idx');
  }

  override async down(): Promise<void> {
    this.addSql('create index cart_line_variant_idx on cart_line (variant_id)');
    this.addSql('drop index cart_line_active_variant_idx');
    this.addSql('drop trigger cart_lines_follow_status on cart');
    this.addSql('drop function cart_lines_follow_status()');
    this.addSql('alter table cart_line drop column in_active_cart');
  }
}
