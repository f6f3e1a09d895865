import { Migration } from '@mikro-orm/migrations';

/** A payment needs its token only to be captured: settled payments keep none, and none may. */
export class SettledWithoutToken extends Migration {
  override async up(): Promise<void> {
    this.addSql(`update payment set payment_token = null where status <> 'PENDING' and payment_token is not null`);
    this.addSql(`alter table payment add constraint payment_token_only_pending check (payment_token is null or status = 'PENDING')`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table payment drop constraint if exists payment_token_only_pending');
  }
}
