import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p.uuid().primary(),
    /** One sign-in: every token a refresh chain produced. */
    familyId: p.uuid(),
    customerId: p.uuid(),
    /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
    tokenHash: p.string().length(64),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type RefreshToken = InferEntity<typeof RefreshTokenSchema>;

export const ONE_TIME_PURPOSES = ['VERIFY_EMAIL', 'RESET_PASSWORD'] as const;
export type OneTimePurpose = (typeof ONE_TIME_PURPOSES)[number];

export const OneTimeTokenSchema = defineEntity({
  name: 'OneTimeToken',
  tableName: 'one_time_token',
  properties: {
    id: p.uuid().primary(),
    customerId: p.uuid(),
    purpose: p.enum(ONE_TIME_PURPOSES),
    tokenHash: p.string().length(64),
    /** The address the link was sent to: verifying it proves that one, not a later change. */
    email: p.string().length(254),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OneTimeToken = InferEntity<typeof OneTimeTokenSchema>;

export const SigningKeySchema = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_key',
  properties: {
    kid: p.string().length(64).primary(),
    /** active: signs; verifying: published until its tokens expired; dev: the published dev key (never in production). */
    state: p.enum(['active', 'verifying', 'dev'] as const),
    publicJwk: p.json<Record<string, unknown>>(),
    privateJwkEncrypted: p.text().nullable(),
    createdAt: p.datetime(),
    retiringSince: p.datetime().nullable(),
  },
});
export type SigningKeyRow = InferEntity<typeof SigningKeySchema>;
