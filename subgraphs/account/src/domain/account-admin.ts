import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CustomerRepository } from '../data/customer.repository.ts';
import type { PasswordHasher } from './passwords.ts';

export interface AccountSpec {
  id?: string;
  email: string;
  password: string;
  roles: string[];
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * Commands only (seed, `pnpm run admin:create`): an account with the given roles, verified. The API
 * never grants a role; an existing account keeps its password and gains the roles.
 */
export async function upsertAccount(em: EntityManager, hasher: PasswordHasher, spec: AccountSpec): Promise<{ id: string; created: boolean }> {
  return em.fork().transactional(async (tx) => {
    const customers = new CustomerRepository(tx);
    const rows = await tx.execute<Array<{ id: string; roles: string[] }>>('select id, roles from customer where lower(email) = lower(?) for update', [
      spec.email,
    ]);
    const existing = rows[0];
    if (existing) {
      const roles = [...new Set([...existing.roles, ...spec.roles])];
      await customers.update(tx, existing.id, { roles });
      return { id: existing.id, created: false };
    }
    const id = spec.id ?? randomUUID();
    await customers.insert(tx, {
      id,
      email: spec.email,
      passwordHash: await hasher.hash(spec.password),
      roles: spec.roles,
      firstName: spec.firstName ?? null,
      lastName: spec.lastName ?? null,
      phone: null,
      emailVerified: true,
      acceptsMarketing: false,
    });
    return { id, created: true };
  });
}
