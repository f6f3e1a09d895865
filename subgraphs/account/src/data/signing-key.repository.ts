import type { EntityManager } from '@mikro-orm/postgresql';
import { FRESH } from '@shop/platform';
import { SigningKeySchema, type SigningKeyRow } from './token.entity.ts';

/** The signing_key table: the ring the account signs with and publishes. */
export class SigningKeyRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  all(em: EntityManager = this.em): Promise<SigningKeyRow[]> {
    return em.find(SigningKeySchema, {}, { ...FRESH, orderBy: { createdAt: 'desc' } });
  }

  /** Drops verifying keys that stopped signing before `before`: no token they signed is still valid. */
  async deleteRetired(before: Date, em: EntityManager = this.em): Promise<number> {
    return em.nativeDelete(SigningKeySchema, { state: 'verifying', retiringSince: { $lt: before } });
  }

  /** The active key becomes verifying (still published), then `next` is inserted as the active one. */
  async replaceActive(tx: EntityManager, next: Omit<SigningKeyRow, 'retiringSince'>, now: Date): Promise<void> {
    await tx.nativeUpdate(SigningKeySchema, { state: 'active' }, { state: 'verifying', retiringSince: now });
    await tx.insert(SigningKeySchema, { ...next, retiringSince: null });
  }

  /** Adds a key unless one with its kid or (for an active key) an active one exists: replicas starting together add one. */
  async insertIfAbsent(tx: EntityManager, row: Omit<SigningKeyRow, 'retiringSince'>): Promise<void> {
    // `on conflict do nothing` covers both the kid and the one-active-key index.
    await tx.execute(
      `insert into signing_key (kid, state, public_jwk, private_jwk_encrypted, created_at, retiring_since)
       values (?, ?, ?, ?, ?, null) on conflict do nothing`,
      [row.kid, row.state, JSON.stringify(row.publicJwk), row.privateJwkEncrypted, row.createdAt],
    );
  }

  async hasDevKey(em: EntityManager = this.em): Promise<boolean> {
    return (await em.count(SigningKeySchema, { state: 'dev' })) > 0;
  }
}
