import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens and email links. */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/** What is stored instead of the token: SHA-256 is enough for 256 random bits (no guessing to slow down). */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
