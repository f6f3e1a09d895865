import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DEV_PUBLIC_JWK, DEV_SIGNING_KID, generateSigningKey, signWithRing, type Logger, type SigningKey } from '@shop/platform';
import type { JWK } from 'jose';
import { SigningKeyRepository } from '../data/signing-key.repository.ts';
import type { SigningKeyRow } from '../data/token.entity.ts';

export interface KeyRingOptions {
  /** base64 of 32 bytes (AES-256-GCM). */
  encryptionKey: string;
  /**
   * The longest access-token lifetime: a key that stopped signing is published this long (plus two
   * reload periods, while replicas may still sign with it from their copy of the ring), then dropped.
   */
  tokenLifetimeMs: number;
  reloadMs: number;
  production: boolean;
}

/** AES-256-GCM: iv.tag.ciphertext, base64url each. */
export function encryptJwk(jwk: JWK, key: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function decryptJwk(sealed: string, key: string): JWK {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv!);
  decipher.setAuthTag(tag!);
  return JSON.parse(Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8')) as JWK;
}

const rowOf = (key: SigningKey, encryptionKey: string) => ({
  kid: key.kid,
  state: 'active' as const,
  publicJwk: key.publicJwk as Record<string, unknown>,
  privateJwkEncrypted: encryptJwk(key.privateJwk, encryptionKey),
  createdAt: key.createdAt,
});

/**
 * The ring of access-token signing keys, kept in the database so every replica signs with the same
 * active key and publishes the same JWKS. Read again every `reloadMs`, so a rotation made by the
 * command reaches each replica within that time; the verifiers fetch the JWKS again when a token
 * names a kid they have not seen.
 */
export class KeyRing {
  private readonly em: EntityManager;
  private readonly options: KeyRingOptions;
  private readonly log: Logger;
  private cached: { at: number; ring: SigningKey[]; published: JWK[] } | null = null;
  private reloading: Promise<{ ring: SigningKey[]; published: JWK[] }> | null = null;

  constructor(em: EntityManager, options: KeyRingOptions, log: Logger) {
    this.em = em;
    this.options = options;
    this.log = log;
  }

  /**
   * At start: a first active key when there is none (a new install needs no manual step); outside
   * production the published dev key too, so `pnpm run token` works. Production refuses a ring that holds the dev key.
   */
  async ensure(): Promise<void> {
    const em = this.em.fork();
    const keys = new SigningKeyRepository(em);
    if (this.options.production) {
      if (await keys.hasDevKey())
        throw new Error('the signing key ring holds the published dev key: delete it (state dev) before running in production');
    } else {
      await keys.insertIfAbsent(em, {
        kid: DEV_SIGNING_KID,
        state: 'dev',
        publicJwk: DEV_PUBLIC_JWK as Record<string, unknown>,
        privateJwkEncrypted: null,
        createdAt: new Date(),
      });
    }
    if (!(await keys.all()).some((row) => row.state === 'active')) {
      await keys.insertIfAbsent(em, rowOf(await generateSigningKey(), this.options.encryptionKey));
      this.log.info('created the first access-token signing key');
    }
    // Loaded before the first request: signing never has to wait for the database (see load).
    await this.load({ stale: false });
  }

  /**
   * The ring, read again once it is `reloadMs` old (one read at a time). `stale`: a copy already in
   * memory answers at once while the read runs. Signing happens inside the caller's transaction,
   * which holds a pooled connection: were every signer to wait for the read, which needs one more
   * connection, a full pool would wait for itself forever.
   */
  private async load({ stale }: { stale: boolean }): Promise<{ ring: SigningKey[]; published: JWK[] }> {
    if (this.cached && Date.now() - this.cached.at < this.options.reloadMs) return this.cached;
    this.reloading ??= this.read().finally(() => {
      this.reloading = null;
    });
    if (!stale || !this.cached) return this.reloading;
    this.reloading.catch((error: unknown) => this.log.warn({ err: error }, 'could not reload the signing key ring; signing with the loaded one'));
    return this.cached;
  }

  private async read(): Promise<{ ring: SigningKey[]; published: JWK[] }> {
    const keys = new SigningKeyRepository(this.em.fork());
    await keys.deleteRetired(new Date(Date.now() - this.options.tokenLifetimeMs - 2 * this.options.reloadMs));
    const rows = await keys.all();
    const ring = rows.filter((row) => row.state !== 'dev').map((row) => this.toKey(row));
    const published = rows.map((row) => row.publicJwk as JWK);
    this.cached = { at: Date.now(), ring, published };
    return this.cached;
  }

  private toKey(row: SigningKeyRow): SigningKey {
    return {
      kid: row.kid,
      privateJwk: row.state === 'active' ? decryptJwk(row.privateJwkEncrypted!, this.options.encryptionKey) : {},
      publicJwk: row.publicJwk as JWK,
      createdAt: row.createdAt,
      state: row.state === 'active' ? 'active' : 'verifying',
      retiringSince: row.retiringSince ?? null,
    };
  }

  /** The JWKS document: every key a still-valid token may name. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.load({ stale: false })).published };
  }

  async sign(claims: { sub: string; roles: string[]; iss: string; aud: string; sid: string }, lifetimeSeconds: number): Promise<string> {
    const { ring } = await this.load({ stale: true });
    return signWithRing(ring, claims, lifetimeSeconds);
  }

  /** The rotation command: a new active key; the old one keeps verifying until its tokens expired. */
  static async rotate(em: EntityManager, encryptionKey: string): Promise<string> {
    const next = await generateSigningKey();
    await em.fork().transactional(async (tx) => new SigningKeyRepository(tx).replaceActive(tx, rowOf(next, encryptionKey), new Date()));
    return next.kid;
  }
}
