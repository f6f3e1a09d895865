import type { JWK } from 'jose';

/**
 * DEV DEFAULT ONLY — a published, well-known ES256 key pair. The account subgraph puts it in its key
 * ring outside production so `pnpm run token`, the dev stack and the tests can sign tokens that every
 * service verifies through the account's JWKS like any other. Production refuses it twice: the
 * account subgraph will not load a ring that holds it, and every verifier rejects its `kid`.
 */
export const DEV_SIGNING_KID = 'dev-only-signing-key';

export const DEV_SIGNING_JWK: JWK = Object.freeze({
  kty: 'EC',
  crv: 'P-256',
  x: 'exXzlQcA5PxeqPYzRFCD7Wb0t81Ci3ogPRhqmKd1HsM',
  y: 'n-dIoIt0Hkc_tGEfM5LXm_AP5w9-CHF7fip_WOfa3Es',
  d: 'REW-JX9PwsVnfm5wPD-PkPCAZN2T-Phr2e0I4zH6CP4',
  kid: DEV_SIGNING_KID,
  alg: 'ES256',
});

const { d: _private, ...publicHalf } = DEV_SIGNING_JWK;
export const DEV_PUBLIC_JWK: JWK = Object.freeze({ ...publicHalf, use: 'sig' });
