import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * base64url(HMAC-SHA256(secret, value)): what the shop signs a value with when it must come back
 * unchanged from someone else (an order access token, the client address the gateway passes on).
 */
export function hmacTag(secret: string, value: string): string {
  return digest(secret, value).toString('base64url');
}

/** A tag longer than this is not one of ours (43 characters); refused before any work. */
const MAX_TAG_LENGTH = 128;

/** Whether `tag` is `value`'s tag under `secret`: compared in constant time, never throws. */
export function hasHmacTag(secret: string, value: string, tag: string | null | undefined): boolean {
  if (!tag || tag.length > MAX_TAG_LENGTH) return false;
  const presented = Buffer.from(tag, 'base64url');
  const expected = digest(secret, value);
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

const digest = (secret: string, value: string) => createHmac('sha256', secret).update(value, 'utf8').digest();
