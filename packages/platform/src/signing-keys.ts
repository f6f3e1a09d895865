import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * ES256 signing keys for access tokens, rotated without downtime (groundwork for the account
 * subgraph, issue 13). A ring holds keys in three states:
 * - `active`: the newest; signs new tokens and is published;
 * - `verifying`: an older key, published so tokens it signed stay valid until they expire;
 * - retired: dropped from the ring once every token it signed has expired.
 * The JWKS (`/.well-known/jwks.json`) lists the public halves of active and verifying keys, so a
 * verifier that fetches it by `kid` accepts both while the rotation is under way.
 */

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  /** Private JWK (d included): stored encrypted at rest by whoever owns the ring. */
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: Date;
  state: 'active' | 'verifying';
  /** When it stopped signing (rotation); null while active. */
  retiringSince: Date | null;
}

export async function generateSigningKey(now = new Date()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG },
    publicJwk,
    createdAt: now,
    state: 'active',
    retiringSince: null,
  };
}

/** A new active key; the one that was active keeps verifying. */
export async function rotate(ring: readonly SigningKey[], now = new Date()): Promise<SigningKey[]> {
  const next = await generateSigningKey(now);
  return [next, ...ring.map((key) => (key.state === 'active' ? { ...key, state: 'verifying' as const, retiringSince: now } : key))];
}

/** Keys that stopped signing longer ago than the longest token lifetime are dropped: none of their tokens is still valid. */
export function retire(ring: readonly SigningKey[], tokenLifetimeMs: number, now = new Date()): SigningKey[] {
  return ring.filter((key) => key.state === 'active' || now.getTime() - key.retiringSince!.getTime() < tokenLifetimeMs);
}

/** The JWKS document: public keys that may have signed a valid token. */
export function jwks(ring: readonly SigningKey[]): { keys: JWK[] } {
  return { keys: ring.map((key) => key.publicJwk) };
}

/** Private keys parsed once per kid (a kid names one key for good): every sign-in and refresh signs. */
const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
function signingKeyOf(key: SigningKey): Promise<CryptoKey | Uint8Array> {
  let parsed = imported.get(key.kid);
  if (!parsed) imported.set(key.kid, (parsed = importJWK(key.privateJwk, SIGNING_ALG)));
  return parsed;
}

/** Signs an access token with the active key (its `kid` in the header). */
export async function signWithRing(
  ring: readonly SigningKey[],
  claims: { sub: string; roles: string[]; iss: string; aud: string; /** The sign-in (refresh family) the token belongs to. */ sid?: string },
  lifetimeSeconds: number,
): Promise<string> {
  const active = ring.find((key) => key.state === 'active');
  if (!active) throw new Error('no active signing key');
  return new SignJWT({ roles: claims.roles, ...(claims.sid ? { sid: claims.sid } : {}) })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: active.kid })
    .setSubject(claims.sub)
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(await signingKeyOf(active));
}
