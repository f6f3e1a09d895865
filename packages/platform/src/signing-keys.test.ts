import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, jwks, retire, rotate, signWithRing } from './signing-keys.ts';

const claims = { sub: 'customer-1', roles: ['customer'], iss: 'https://shop.test', aud: 'shop-api' };
const verify = (token: string, ring: Parameters<typeof jwks>[0]) =>
  jwtVerify(token, createLocalJWKSet(jwks(ring)), { issuer: claims.iss, audience: claims.aud, algorithms: ['ES256'] });

describe('signing key ring', () => {
  it('signs ES256 tokens with a kid that the published JWKS verifies', async () => {
    const ring = [await generateSigningKey()];
    const token = await signWithRing(ring, claims, 900);
    const { payload, protectedHeader } = await verify(token, ring);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: ring[0]!.kid });
    expect(payload).toMatchObject({ sub: 'customer-1', roles: ['customer'] });
    expect(jwks(ring).keys[0]).not.toHaveProperty('d'); // the private half is never published
  });

  it('rotates without downtime: old tokens stay valid until the old key is retired after the token lifetime', async () => {
    const t0 = new Date('2026-12-02T10:00:00Z');
    const first = [await generateSigningKey(t0)];
    const before = await signWithRing(first, claims, 900);
    const rotated = await rotate(first, t0);
    const after = await signWithRing(rotated, claims, 900);
    expect((await verify(after, rotated)).protectedHeader.kid).not.toBe(first[0]!.kid);
    await expect(verify(before, rotated)).resolves.toBeDefined(); // still published, as verifying
    expect(retire(rotated, 900_000, new Date(t0.getTime() + 899_000))).toHaveLength(2);
    const retired = retire(rotated, 900_000, new Date(t0.getTime() + 900_000));
    expect(retired.map((k) => k.state)).toEqual(['active']);
    await expect(verify(before, retired)).rejects.toThrow(); // its key is gone from the JWKS
  });
});
