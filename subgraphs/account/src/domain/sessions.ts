import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TokenRepository } from '../data/token.repository.ts';
import type { Customer } from '../data/customer.entity.ts';
import type { KeyRing } from './key-ring.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';

export interface SessionSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlDays: number;
}

/** What a sign-in hands the client (CustomerAccessToken). */
export interface IssuedTokens {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export type RefreshOutcome =
  | { ok: true; customerId: string; tokens: IssuedTokens }
  /** reused: a used token came back — its family (the whole sign-in) was revoked. */
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

/**
 * Sign-ins as refresh-token families. The access token (ES256, `kid`, 15 minutes) carries the family
 * as `sid`; the refresh token is opaque, stored hashed, used once and replaced on every refresh.
 */
export class Sessions {
  private readonly keys: KeyRing;
  private readonly settings: SessionSettings;

  constructor(keys: KeyRing, settings: SessionSettings) {
    this.keys = keys;
    this.settings = settings;
  }

  /** A new sign-in (family), or the next token of `familyId`, written in `tx`. */
  async issue(tx: EntityManager, customer: Pick<Customer, 'id' | 'roles'>, familyId: string = randomUUID()): Promise<IssuedTokens> {
    const now = Date.now();
    const refreshToken = newOpaqueToken();
    const refreshExpiresAt = new Date(now + this.settings.refreshTtlDays * 86_400_000);
    await new TokenRepository(tx).insertRefresh(tx, {
      id: randomUUID(),
      familyId,
      customerId: customer.id,
      tokenHash: tokenHash(refreshToken),
      expiresAt: refreshExpiresAt,
      createdAt: new Date(now),
    });
    const accessToken = await this.keys.sign(
      { sub: customer.id, roles: customer.roles, iss: this.settings.issuer, aud: this.settings.audience, sid: familyId },
      this.settings.accessTtlSeconds,
    );
    return { accessToken, expiresAt: new Date(now + this.settings.accessTtlSeconds * 1000), refreshToken, refreshExpiresAt };
  }

  /** Single use: the token is spent and its successor issued; a spent token presented again revokes the family. */
  async refresh(tx: EntityManager, refreshToken: string, customerOf: (id: string) => Promise<Customer | null>): Promise<RefreshOutcome> {
    const tokens = new TokenRepository(tx);
    const row = await tokens.refreshForUpdate(tx, tokenHash(refreshToken));
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revokedAt) return { ok: false, reason: 'revoked' };
    if (row.usedAt) {
      // Someone holds a copy of a token already traded: the thief or the owner, we cannot tell which.
      await tokens.revokeFamily(tx, row.familyId);
      return { ok: false, reason: 'reused' };
    }
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
    const customer = await customerOf(row.customerId);
    if (!customer) return { ok: false, reason: 'unknown' };
    await tokens.markRefreshUsed(tx, row.id);
    return { ok: true, customerId: customer.id, tokens: await this.issue(tx, customer, row.familyId) };
  }

  /** Ends the sign-in the token belongs to; false when it was unknown or already ended. */
  async logout(tx: EntityManager, refreshToken: string): Promise<boolean> {
    const tokens = new TokenRepository(tx);
    const row = await tokens.refreshForUpdate(tx, tokenHash(refreshToken));
    if (!row) return false;
    return (await tokens.revokeFamily(tx, row.familyId)) > 0;
  }
}
