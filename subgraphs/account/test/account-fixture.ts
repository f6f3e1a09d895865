import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createLogger, type MikroORM, type NatsConnection } from '@shop/platform';
import { closeTestPlatform, connectTestPlatform } from '../../../test/support/platform.ts';
import { accountOrmOptions } from '../src/data/orm.config.ts';
import { CustomerRepository } from '../src/data/customer.repository.ts';
import type { Customer } from '../src/data/customer.entity.ts';
import { KeyRing, type KeyRingOptions } from '../src/domain/key-ring.ts';

/** What the account's domain tests share: a migrated database of their own and key rings on it. */
export const log = createLogger('account-test', 'silent');
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

export interface AccountDb {
  orm: MikroORM;
  em: () => EntityManager;
  close: () => Promise<void>;
}

export async function openAccountDb(name: string): Promise<AccountDb> {
  const platform: { orm?: MikroORM; nc?: NatsConnection } = await connectTestPlatform({ name, log, orm: accountOrmOptions });
  const orm = platform.orm!;
  return { orm, em: () => orm.em.fork() as EntityManager, close: () => closeTestPlatform(platform) };
}

/** A ring as the service builds it; reloadMs 0 reads the table on every call (no stale copy to wait out). */
export function keyRing(db: AccountDb, options: Partial<KeyRingOptions> = {}): KeyRing {
  return new KeyRing(db.em(), { encryptionKey: ENCRYPTION_KEY, tokenLifetimeMs: 900_000, reloadMs: 0, production: false, ...options }, log);
}

export async function insertCustomer(db: AccountDb, roles: string[] = ['customer']): Promise<Customer> {
  const id = randomUUID();
  await db.em().transactional(async (tx) => {
    const customer = { id, email: `${id}@example.test`, passwordHash: 'not used here', roles, firstName: null, lastName: null, phone: null };
    await new CustomerRepository(tx).insert(tx, { ...customer, emailVerified: false, acceptsMarketing: false });
  });
  return (await new CustomerRepository(db.em()).byId(id))!;
}
