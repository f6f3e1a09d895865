import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { DEV_SIGNING_KID, signDevToken } from '@shop/platform';
import { SigningKeySchema } from '../src/data/token.entity.ts';
import { decryptJwk, KeyRing } from '../src/domain/key-ring.ts';
import { ENCRYPTION_KEY, keyRing, openAccountDb, type AccountDb } from './account-fixture.ts';
import { waitFor } from '../../../test/support/wait.ts';

const CLAIMS = { sub: 'c0ffee00-0000-4000-8000-000000000001', roles: ['customer'], iss: 'shop-test', aud: 'shop-api', sid: 'family' };

let db: AccountDb;
beforeAll(async () => {
  db = await openAccountDb('account_key_ring');
});
afterAll(async () => db?.close());
// Every test starts from an empty ring (a new install).
beforeEach(async () => {
  await db.em().nativeDelete(SigningKeySchema, {});
});

const rows = () => db.em().find(SigningKeySchema, {}, { orderBy: { createdAt: 'asc' } });
const activeKids = async () => (await rows()).filter((r) => r.state === 'active').map((r) => r.kid);
const kidsOf = (jwks: { keys: JWK[] }) => jwks.keys.map((k) => k.kid);
const verify = async (token: string, ring: KeyRing) => jwtVerify(token, createLocalJWKSet(await ring.jwks()), { algorithms: ['ES256'] });

describe('KeyRing.ensure', () => {
  it('outside production: one active key and the published dev key; again: nothing more', async () => {
    const ring = keyRing(db);
    await ring.ensure();
    const [active] = await activeKids();
    expect((await rows()).map((r) => r.state).sort()).toEqual(['active', 'dev']);
    await keyRing(db).ensure();
    expect(await activeKids()).toEqual([active]);
    expect(kidsOf(await ring.jwks()).sort()).toEqual([active, DEV_SIGNING_KID].sort());
    // The dev key is published (pnpm run token verifies) but never signs.
    const token = await ring.sign(CLAIMS, 60);
    expect(decodeProtectedHeader(token).kid).toBe(active);
    expect((await verify(await signDevToken({ sub: CLAIMS.sub, roles: ['customer'] }), ring)).protectedHeader.kid).toBe(DEV_SIGNING_KID);
  });

  it('in production: one active key and no dev key', async () => {
    await keyRing(db, { production: true }).ensure();
    expect((await rows()).map((r) => r.state)).toEqual(['active']);
  });

  it('two replicas starting together on an empty table leave exactly one active key', async () => {
    await Promise.all([keyRing(db).ensure(), keyRing(db).ensure(), keyRing(db).ensure()]);
    expect(await activeKids()).toHaveLength(1);
    expect((await rows()).filter((r) => r.state === 'dev')).toHaveLength(1);
  });

  it('two production replicas starting together on an empty table leave exactly one active key', async () => {
    await Promise.all([keyRing(db, { production: true }).ensure(), keyRing(db, { production: true }).ensure()]);
    expect((await rows()).map((r) => r.state)).toEqual(['active']);
  });

  it('in production refuses a ring that holds the dev key', async () => {
    await keyRing(db).ensure();
    await expect(keyRing(db, { production: true }).ensure()).rejects.toThrow(/published dev key/);
  });
});

describe('KeyRing storage', () => {
  it('stores the private half encrypted (no `d` in the column) and signs with it after decrypting', async () => {
    const ring = keyRing(db);
    await ring.ensure();
    const [row] = (await rows()).filter((r) => r.state === 'active');
    const sealed = row!.privateJwkEncrypted!;
    const jwk = decryptJwk(sealed, ENCRYPTION_KEY);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: row!.kid, x: row!.publicJwk.x, y: row!.publicJwk.y, d: expect.any(String) });
    expect(sealed).not.toContain(jwk.d);
    expect(sealed).not.toContain('"d"');
    expect(row!.publicJwk).not.toHaveProperty('d');
    expect(() => decryptJwk(sealed, Buffer.alloc(32, 7).toString('base64'))).toThrow();
    // The published public half verifies what the decrypted private half signed.
    const { payload } = await verify(await ring.sign(CLAIMS, 60), ring);
    expect(payload).toMatchObject({ sub: CLAIMS.sub, sid: 'family' });
    expect((await ring.jwks()).keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('KeyRing rotation', () => {
  it('a new active key signs; the old one keeps verifying and both are published', async () => {
    const ring = keyRing(db);
    await ring.ensure();
    const [old] = await activeKids();
    const before = await ring.sign(CLAIMS, 60);
    const next = await KeyRing.rotate(db.em(), ENCRYPTION_KEY);

    expect((await rows()).find((r) => r.kid === old)).toMatchObject({ state: 'verifying', retiringSince: expect.any(Date) });
    expect(await activeKids()).toEqual([next]);
    expect(kidsOf(await ring.jwks())).toEqual(expect.arrayContaining([old, next]));
    // jwks() above read the ring again; signing now uses the new key.
    const after = await ring.sign(CLAIMS, 60);
    expect(decodeProtectedHeader(after).kid).toBe(next);
    expect((await verify(before, ring)).protectedHeader.kid).toBe(old);
    expect((await verify(after, ring)).protectedHeader.kid).toBe(next);
  });

  it('drops a verifying key once the token lifetime (and the reload margin) has passed since it stopped signing, never before', async () => {
    const lifetimeMs = 1000;
    const ring = keyRing(db, { tokenLifetimeMs: lifetimeMs });
    await ring.ensure();
    const [old] = await activeKids();
    const next = await KeyRing.rotate(db.em(), ENCRYPTION_KEY);
    const retiringSince = (await rows()).find((r) => r.kid === old)!.retiringSince!.getTime();

    // Each read deletes what expired before it began: a read that ended before the lifetime was up keeps the key.
    await waitFor('the old key dropped from the JWKS', async () => {
      const kids = kidsOf(await ring.jwks());
      if (Date.now() < retiringSince + lifetimeMs) expect(kids).toContain(old);
      return !kids.includes(old);
    });
    expect((await rows()).map((r) => r.kid).sort()).toEqual([DEV_SIGNING_KID, next].sort());
  });

  it('signs from the copy it holds (no database read while the caller holds a transaction) and picks a rotation up on a later call', async () => {
    const ring = keyRing(db, { reloadMs: 200 });
    await ring.ensure();
    const [old] = await activeKids();
    const next = await KeyRing.rotate(db.em(), ENCRYPTION_KEY);
    // Fresh or due for a reload, the copy ensure() loaded answers this call; a due reload runs behind it.
    expect(decodeProtectedHeader(await ring.sign(CLAIMS, 60)).kid).toBe(old);
    await waitFor('the new key signing', async () => decodeProtectedHeader(await ring.sign(CLAIMS, 60)).kid === next);
  });
});
