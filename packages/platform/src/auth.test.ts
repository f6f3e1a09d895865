import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createTokenVerifier, GUEST, signToken } from './auth.ts';

const settings = { JWT_SECRET: 's'.repeat(40), JWT_ISSUER: 'shop-test', JWT_AUDIENCE: 'shop-api' };
const verify = createTokenVerifier(settings);

describe('token verification', () => {
  it('treats a missing header as a guest', async () => {
    expect(await verify(undefined)).toBe(GUEST);
  });

  it('accepts a valid token and keeps only known roles', async () => {
    const token = await new SignJWT({ roles: ['admin', 'superuser'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer(settings.JWT_ISSUER)
      .setAudience(settings.JWT_AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(settings.JWT_SECRET));
    const identity = await verify(`Bearer ${token}`);
    expect(identity).toMatchObject({ sub: 'user-1', roles: ['admin'], token });
  });

  it.each([
    ['expired', { ...settings }, '-1m'],
    ['signed with another secret', { ...settings, JWT_SECRET: 'x'.repeat(40) }, '5m'],
    ['for another audience', { ...settings, JWT_AUDIENCE: 'elsewhere' }, '5m'],
    ['from another issuer', { ...settings, JWT_ISSUER: 'evil' }, '5m'],
  ])('refuses a token %s with UNAUTHENTICATED', async (_case, signer, expiresIn) => {
    const token = await signToken(signer, { sub: 'u', roles: ['customer'], expiresIn });
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  });

  it.each([
    ['over 128 characters', 'c'.repeat(129)],
    ['holding a NUL', 'user\u0000x'],
    ['holding a newline', 'user\nx'],
    ['empty', ''],
  ])('refuses a correctly signed token whose subject is %s', async (_case, sub) => {
    const token = await signToken(settings, { sub, roles: ['customer'], expiresIn: '5m' });
    await expect(verify(`Bearer ${token}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a malformed header and an unsigned token', async () => {
    await expect(verify('Basic abc')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    await expect(verify(`Bearer ${unsigned}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('token verification with a JWKS URL', () => {
  it('accepts a token signed by a key from the JWKS and refuses one signed elsewhere', async () => {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { createServer } = await import('node:http');
    const trusted = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const verifyJwks = createTokenVerifier({ ...settings, JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
      const sign = (key: Parameters<SignJWT['sign']>[0]) =>
        new SignJWT({ roles: ['customer'] })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setSubject('user-9')
          .setIssuer(settings.JWT_ISSUER)
          .setAudience(settings.JWT_AUDIENCE)
          .setExpirationTime('5m')
          .sign(key);
      expect(await verifyJwks(`Bearer ${await sign(trusted.privateKey)}`)).toMatchObject({ sub: 'user-9', roles: ['customer'] });
      await expect(verifyJwks(`Bearer ${await sign(stranger.privateKey)}`)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      // HS256 with the shared secret is not accepted once a JWKS is configured.
      await expect(verifyJwks(`Bearer ${await signToken(settings, { sub: 'u', roles: [] })}`)).rejects.toMatchObject({
        extensions: { code: 'UNAUTHENTICATED' },
      });
    } finally {
      server.close();
    }
  });
});
