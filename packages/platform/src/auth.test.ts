import { createServer } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createTokenVerifier, GUEST, signDevToken } from './auth.ts';
import { DEV_PUBLIC_JWK } from './dev-signing-key.ts';

const settings = { JWT_ISSUER: 'shop-dev', JWT_AUDIENCE: 'shop-api' };
const verify = createTokenVerifier(settings, { jwks: { keys: [DEV_PUBLIC_JWK] } });

const signWith = (
  key: CryptoKey | Uint8Array,
  alg: string,
  claims: { sub?: string; iss?: string; aud?: string; exp?: string; roles?: string[] } = {},
) =>
  new SignJWT({ roles: claims.roles ?? ['customer'] })
    .setProtectedHeader({ alg, kid: 'k1' })
    .setSubject(claims.sub ?? 'user-9')
    .setIssuer(claims.iss ?? settings.JWT_ISSUER)
    .setAudience(claims.aud ?? settings.JWT_AUDIENCE)
    .setExpirationTime(claims.exp ?? '5m')
    .sign(key);

describe('token verification', () => {
  it('treats a missing header as a guest', async () => {
    expect(await verify(undefined)).toBe(GUEST);
  });

  it('accepts a token signed by a published key and keeps only known roles', async () => {
    const token = await signDevToken({ sub: 'user-1', roles: ['admin', 'superuser' as 'admin'] });
    expect(await verify(`Bearer ${token}`)).toMatchObject({ sub: 'user-1', roles: ['admin'], token });
  });

  it.each([
    ['expired', { expiresIn: '-1m' }],
    ['for another audience', { audience: 'elsewhere' }],
    ['from another issuer', { issuer: 'evil' }],
  ])('refuses a token %s with UNAUTHENTICATED', async (_case, claims) => {
    const token = await signDevToken({ sub: 'u', roles: ['customer'], ...claims });
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  });

  it('refuses a token signed by a key that is not published, and an HS256 token made with any secret', async () => {
    const stranger = await generateKeyPair('ES256');
    await expect(verify(`Bearer ${await signWith(stranger.privateKey, 'ES256')}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const hs256 = await signWith(new TextEncoder().encode('s'.repeat(40)), 'HS256');
    await expect(verify(`Bearer ${hs256}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it.each([
    ['over 128 characters', 'c'.repeat(129)],
    ['holding a NUL', 'user\u0000x'],
    ['holding a newline', 'user\nx'],
    ['empty', ''],
  ])('refuses a correctly signed token whose subject is %s', async (_case, sub) => {
    const token = await signDevToken({ sub, roles: ['customer'], expiresIn: '5m' });
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a malformed header and an unsigned token', async () => {
    await expect(verify('Basic abc')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    await expect(verify(`Bearer ${unsigned}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('remembers a verified token only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const token = await signDevToken({ sub: 'user-2', roles: ['customer'], expiresIn: '2m' });
      const first = await verify(`Bearer ${token}`);
      expect(await verify(`Bearer ${token}`)).toBe(first);
      vi.setSystemTime(Date.now() + 3 * 60_000);
      await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('in production refuses the published dev key even when the JWKS lists it', async () => {
    const production = createTokenVerifier({ ...settings, NODE_ENV: 'production' }, { jwks: { keys: [DEV_PUBLIC_JWK] } });
    await expect(production(`Bearer ${await signDevToken({ sub: 'u', roles: ['admin'] })}`)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('token verification with a JWKS URL', () => {
  it('fetches the keys, and fetches again for a kid it has not seen (a rotation)', async () => {
    const first = await generateKeyPair('ES256');
    const second = await generateKeyPair('ES256');
    const published = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }];
    let fetches = 0;
    const server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const verifyJwks = createTokenVerifier({ ...settings, JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` }, { refetchCooldownMs: 0 });
      expect(await verifyJwks(`Bearer ${await signWith(first.privateKey, 'ES256')}`)).toMatchObject({ sub: 'user-9', roles: ['customer'] });
      const rotated = await new SignJWT({ roles: [] })
        .setProtectedHeader({ alg: 'ES256', kid: 'k2' })
        .setSubject('user-10')
        .setIssuer(settings.JWT_ISSUER)
        .setAudience(settings.JWT_AUDIENCE)
        .setExpirationTime('5m')
        .sign(second.privateKey);
      await expect(verifyJwks(`Bearer ${rotated}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      published.push({ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' });
      expect(await verifyJwks(`Bearer ${rotated}`)).toMatchObject({ sub: 'user-10' });
      expect(fetches).toBeGreaterThanOrEqual(3);
    } finally {
      server.close();
    }
  });
});
