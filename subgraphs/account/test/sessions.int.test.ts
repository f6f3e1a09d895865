import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { CustomerRepository } from '../src/data/customer.repository.ts';
import { RefreshTokenSchema } from '../src/data/token.entity.ts';
import type { Customer } from '../src/data/customer.entity.ts';
import type { KeyRing } from '../src/domain/key-ring.ts';
import { tokenHash } from '../src/domain/secrets.ts';
import { Sessions, type IssuedTokens, type RefreshOutcome } from '../src/domain/sessions.ts';
import { insertCustomer, keyRing, openAccountDb, type AccountDb } from './account-fixture.ts';

const SETTINGS = { issuer: 'shop-test', audience: 'shop-api', accessTtlSeconds: 900, refreshTtlDays: 30 };

let db: AccountDb;
let ring: KeyRing;
let sessions: Sessions;
let customer: Customer;

beforeAll(async () => {
  db = await openAccountDb('account_sessions');
  ring = keyRing(db);
  await ring.ensure();
  sessions = new Sessions(ring, SETTINGS);
  customer = await insertCustomer(db);
});
afterAll(async () => db?.close());

const issue = (): Promise<IssuedTokens> => db.em().transactional((tx) => sessions.issue(tx, customer));
const refresh = (token: string): Promise<RefreshOutcome> =>
  db.em().transactional((tx) => sessions.refresh(tx, token, (id) => new CustomerRepository(tx).byId(id, tx)));
const logout = (token: string): Promise<boolean> => db.em().transactional((tx) => sessions.logout(tx, token));
const rowOf = (token: string) => db.em().findOneOrFail(RefreshTokenSchema, { tokenHash: tokenHash(token) });

/** The access token's claims, verified with the ring's published keys (what every service does). */
async function claimsOf(accessToken: string) {
  const { payload, protectedHeader } = await jwtVerify<{ roles: string[]; sid: string }>(accessToken, createLocalJWKSet(await ring.jwks()), {
    issuer: SETTINGS.issuer,
    audience: SETTINGS.audience,
    algorithms: ['ES256'],
  });
  return { ...payload, kid: protectedHeader.kid };
}

describe('Sessions: refresh-token families', () => {
  it('issues an ES256 access token naming its key and its sign-in, and an opaque refresh token stored hashed', async () => {
    const tokens = await issue();
    const claims = await claimsOf(tokens.accessToken);
    const row = await rowOf(tokens.refreshToken);
    expect(claims).toMatchObject({ sub: customer.id, roles: ['customer'], iss: 'shop-test', aud: 'shop-api', sid: row.familyId });
    expect(decodeProtectedHeader(tokens.accessToken)).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row.tokenHash).not.toBe(tokens.refreshToken);
    expect(row).toMatchObject({ customerId: customer.id, usedAt: null, revokedAt: null });
  });

  it('refresh spends the token and gives the next one of the same sign-in', async () => {
    const first = await issue();
    const familyId = (await rowOf(first.refreshToken)).familyId;
    const outcome = await refresh(first.refreshToken);
    if (!outcome.ok) throw new Error(`refresh refused: ${outcome.reason}`);
    expect(outcome.customerId).toBe(customer.id);
    expect(outcome.tokens.refreshToken).not.toBe(first.refreshToken);
    expect((await rowOf(outcome.tokens.refreshToken)).familyId).toBe(familyId);
    expect((await claimsOf(outcome.tokens.accessToken)).sid).toBe(familyId);
    expect((await rowOf(first.refreshToken)).usedAt).toBeInstanceOf(Date);
    // The successor works in turn.
    expect((await refresh(outcome.tokens.refreshToken)).ok).toBe(true);
  });

  it('a spent token presented again revokes the whole sign-in: its successor stops working too', async () => {
    const first = await issue();
    const second = await refresh(first.refreshToken);
    if (!second.ok) throw new Error('the first refresh failed');
    const other = await issue();

    expect(await refresh(first.refreshToken)).toEqual({ ok: false, reason: 'reused' });
    expect(await refresh(second.tokens.refreshToken)).toEqual({ ok: false, reason: 'revoked' });
    expect((await rowOf(second.tokens.refreshToken)).revokedAt).toBeInstanceOf(Date);
    // Another sign-in of the same customer is untouched.
    expect((await refresh(other.refreshToken)).ok).toBe(true);
  });

  it('refuses an expired token and an unknown one', async () => {
    const tokens = await issue();
    await db.em().nativeUpdate(RefreshTokenSchema, { tokenHash: tokenHash(tokens.refreshToken) }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await refresh(tokens.refreshToken)).toEqual({ ok: false, reason: 'expired' });
    expect(await refresh('never-issued')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('logout ends the sign-in: neither its current nor its spent tokens refresh, a second logout says false', async () => {
    const first = await issue();
    const second = await refresh(first.refreshToken);
    if (!second.ok) throw new Error('the first refresh failed');
    expect(await logout(second.tokens.refreshToken)).toBe(true);
    expect(await refresh(second.tokens.refreshToken)).toEqual({ ok: false, reason: 'revoked' });
    expect(await refresh(first.refreshToken)).toEqual({ ok: false, reason: 'revoked' });
    expect(await logout(second.tokens.refreshToken)).toBe(false);
    expect(await logout('never-issued')).toBe(false);
  });

  it('more sign-ins at once than the pool has connections, with the key ring due for a reload, all finish', async () => {
    // Each holds a pooled connection (its transaction) while it signs: signing must not wait for another one.
    const many = Promise.all(Array.from({ length: 25 }, () => issue()));
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('sign-ins stuck: the pool waits for itself')), 20_000).unref(),
    );
    expect(await Promise.race([many, deadline])).toHaveLength(25);
  });

  it('two refreshes racing with the same token: exactly one succeeds', async () => {
    const tokens = await issue();
    const outcomes = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    // The loser presented a token the winner had spent: the row lock made it wait and then see it used.
    expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, reason: 'reused' }]);
  });
});
