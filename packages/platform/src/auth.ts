import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError } from './errors.ts';

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
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_JWKS_URL?: string | undefined;
}

const KNOWN_ROLES = new Set<Role>(['customer', 'admin']);
/** 1–128 characters, no control characters (NUL, newlines) and no spaces at either end. */
const SUBJECT = /^(?=\S)[^\p{Cc}]{1,128}(?<=\S)$/u;

/** Build a verifier: HS256 with the shared secret, or RS/ES keys from a JWKS URL when configured. */
export function createTokenVerifier(settings: JwtSettings) {
  const key: Uint8Array | JWTVerifyGetKey = settings.JWT_JWKS_URL
    ? createRemoteJWKSet(new URL(settings.JWT_JWKS_URL))
    : new TextEncoder().encode(settings.JWT_SECRET);
  const algorithms = settings.JWT_JWKS_URL ? ['RS256', 'ES256', 'EdDSA'] : ['HS256'];

  /** Missing header: guest. Present but invalid (bad signature, expired, wrong aud/iss): refused. */
  return async function verifyAuthorization(header: string | undefined | null): Promise<Identity> {
    if (!header) return GUEST;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    const token = match[1];
    let payload: JWTPayload;
    try {
      // jose's overloads differ for a key and a key-getter; both are valid here.
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: settings.JWT_ISSUER,
        audience: settings.JWT_AUDIENCE,
        algorithms,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    // The subject becomes a key in every subgraph's tables: printable, at most 128 characters.
    if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) throw new UnauthenticatedError('Invalid token subject');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => KNOWN_ROLES.has(r as Role)) : [];
    return Object.freeze({ sub: payload.sub, roles: Object.freeze(roles), token, expiresAt: Number(payload.exp) * 1000 });
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

export function hasAdminRole(identity: Identity): boolean {
  return identity.roles.includes('admin');
}

/** Sign a token with the shared HS256 secret: dev tokens and tests. */
export async function signToken(
  settings: Pick<JwtSettings, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
  claims: { sub: string; roles: Role[]; expiresIn?: string | number },
): Promise<string> {
  return new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(settings.JWT_ISSUER)
    .setAudience(settings.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(settings.JWT_SECRET));
}
