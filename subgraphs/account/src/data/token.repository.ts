import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE } from '@shop/platform';
import { OneTimeTokenSchema, RefreshTokenSchema, type OneTimePurpose, type OneTimeToken, type RefreshToken } from './token.entity.ts';

/** Refresh tokens and one-time (email) tokens, looked up by their SHA-256 only. */
export class TokenRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  async insertRefresh(tx: EntityManager, token: Omit<RefreshToken, 'usedAt' | 'revokedAt'>): Promise<void> {
    await tx.insert(RefreshTokenSchema, { ...token, usedAt: null, revokedAt: null });
  }

  /** Row-locked: two refreshes with the same token are decided one after the other. */
  refreshForUpdate(tx: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return tx.findOne(RefreshTokenSchema, { tokenHash }, FOR_UPDATE);
  }

  async markRefreshUsed(tx: EntityManager, id: string): Promise<void> {
    await tx.nativeUpdate(RefreshTokenSchema, { id }, { usedAt: new Date() });
  }

  /** Ends a sign-in: every token of the family stops working. Returns how many were still live. */
  async revokeFamily(tx: EntityManager, familyId: string): Promise<number> {
    return tx.nativeUpdate(RefreshTokenSchema, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }

  /** Every sign-in of the customer except `keepFamilyId` (password change, reset). */
  async revokeAllOf(tx: EntityManager, customerId: string, keepFamilyId: string | null = null): Promise<number> {
    const where = keepFamilyId ? { customerId, revokedAt: null, familyId: { $ne: keepFamilyId } } : { customerId, revokedAt: null };
    return tx.nativeUpdate(RefreshTokenSchema, where, { revokedAt: new Date() });
  }

  async insertOneTime(tx: EntityManager, token: Omit<OneTimeToken, 'usedAt'>): Promise<void> {
    await tx.insert(OneTimeTokenSchema, { ...token, usedAt: null });
  }

  oneTimeForUpdate(tx: EntityManager, tokenHash: string, purpose: OneTimePurpose): Promise<OneTimeToken | null> {
    return tx.findOne(OneTimeTokenSchema, { tokenHash, purpose }, FOR_UPDATE);
  }

  async markOneTimeUsed(tx: EntityManager, id: string): Promise<void> {
    await tx.nativeUpdate(OneTimeTokenSchema, { id }, { usedAt: new Date() });
  }

  /** A new link makes the earlier unused ones of the same purpose void. */
  async voidOneTime(tx: EntityManager, customerId: string, purpose: OneTimePurpose): Promise<void> {
    await tx.nativeUpdate(OneTimeTokenSchema, { customerId, purpose, usedAt: null }, { usedAt: new Date() });
  }
}
