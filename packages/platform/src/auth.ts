import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from './errors.ts';
import { DEV_SIGNING_JWK, DEV_SIGNING_KID } from './dev-signing-key.ts';

export type Role = 'customer' | 'admin';

/** Who is calling. A guest has no subject and no roles. */
export interface Identity {
  readonly sub: string | null;
  readonly roles: readonly Role[];
  /** The verified bearer token, forwarded so the next hop can verify it again. */
  readonly token: string | null;
  /** When the token stops being valid (ms since epoch); long-lived connections check it again. */
  readonly expiresAt?: number;
}

export const GUEST: Identity = Object.freeze({ sub: null, roles: [], token: null });

export interface JwtSettings {
  NODE_ENV?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  /** Where the account subgraph publishes its public keys; unset: the dev stack's account subgraph. */
  JWT_JWKS_URL?: string | undefined;
}

/** DEV DEFAULT ONLY: the account subgraph of the local stack (production must set JWT_JWKS_URL). */
export const DEV_JWKS_URL = 'http://127.0.0.1:4005/.well-known/jwks.json';
/** Asymmetric algorithms only: a verifier never holds a key that can sign. */
const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

const KNOWN_ROLES = new Set<Role>(['customer', 'admin']);
/** 1–128 characters, no control characters (NUL, newlines) and no spaces at either end. */
const SUBJECT = /^(?=\S)[^\p{Cc}]{1,128}(?<=\S)$/u;

export interface VerifierOptions {
  /** A fixed key set instead of the URL (unit tests). */
  jwks?: JSONWebKeySet;
  /**
   * After a key rotation tokens arrive with a `kid` the cached set lacks: the set is fetched again,
   * at most this often (jose's cooldown), so a new key is accepted within that time.
   */
  refetchCooldownMs?: number;
  /** Verified tokens remembered until they expire (a client sends one token for its whole lifetime). */
  cacheSize?: number;
}

/** Build a verifier for access tokens signed by the account subgraph's keys (its JWKS). */
export function createTokenVerifier(settings: JwtSettings, options: VerifierOptions = {}) {
  const keys: JWTVerifyGetKey = options.jwks
    ? createLocalJWKSet(options.jwks)
    : createRemoteJWKSet(new URL(settings.JWT_JWKS_URL ?? DEV_JWKS_URL), {
        cooldownDuration: options.refetchCooldownMs ?? 1_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 2_000,
      });
  const production = settings.NODE_ENV === 'production';
  // An ES256 check costs ~0.1 ms of CPU, paid by the gateway and again by each subgraph a request
  // reaches; a token seen before is answered from here until its `exp` (never longer).
  const verified = new LRUCache<string, Identity>({ max: options.cacheSize ?? 10_000 });

  /** Missing header: guest. Present but invalid (bad signature, expired, wrong aud/iss): refused. */
  return async function verifyAuthorization(header: string | undefined | null): Promise<Identity> {
    if (!header) return GUEST;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    const token = match[1];
    const known = verified.get(token);
    if (known && known.expiresAt! > Date.now()) return known;
    const identity = await verifyToken(token);
    verified.set(token, identity, { ttl: Math.max(1, identity.expiresAt! - Date.now()) });
    return identity;
  };

  async function verifyToken(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      // The published dev key must never open a production service, whatever its JWKS says.
      if (production && decodeProtectedHeader(token).kid === DEV_SIGNING_KID) throw new Error('dev key');
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.JWT_ISSUER,
        audience: settings.JWT_AUDIENCE,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    // The subject becomes a key in every subgraph's tables: printable, at most 128 characters.
    if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) throw new UnauthenticatedError('Invalid token subject');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => KNOWN_ROLES.has(r as Role)) : [];
    return Object.freeze({ sub: payload.sub, roles: Object.freeze(roles), token, expiresAt: Number(payload.exp) * 1000 });
  }
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

export function hasAdminRole(identity: Identity): boolean {
  return identity.roles.includes('admin');
}

/**
 * A development token signed with the published dev key (DEV ONLY): `pnpm run token`, the dev
 * command and the tests. Services verify it through the account's JWKS like a real sign-in token;
 * production services refuse it.
 */
export async function signDevToken(claims: {
  sub: string;
  roles: Role[];
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
}): Promise<string> {
  return new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'ES256', kid: DEV_SIGNING_KID, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(claims.issuer ?? 'shop-dev')
    .setAudience(claims.audience ?? 'shop-api')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(await importJWK(DEV_SIGNING_JWK, 'ES256'));
}
