import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CLIENT_ADDRESS_HEADER } from './request-context.ts';

/**
 * The client's address, as the gateway saw it, signed by the gateway: the account subgraph counts
 * failed sign-ins per address, so an address is believed only with the gateway's signature
 * (HMAC-SHA256 over the address, keyed by CLIENT_ADDRESS_SECRET, the same value in the gateway and
 * the account). A caller that reaches a subgraph without the gateway cannot pick a fresh address
 * for each guess: without a valid signature every request counts as the one address `unknown`.
 */

/** The header that carries the signature of the `x-client-address` next to it. */
export const CLIENT_ADDRESS_SIGNATURE_HEADER = 'x-client-address-signature';

/** What an address without a valid signature counts as. */
export const UNKNOWN_CLIENT_ADDRESS = 'unknown';

/** DEV DEFAULT ONLY: production must set CLIENT_ADDRESS_SECRET (enforced by refuseDevClientAddressSecretInProduction). */
export const DEV_CLIENT_ADDRESS_SECRET = 'dev-only-client-address-secret-change-me-0123456789';

/** The config field of the gateway (signs) and the account subgraph (verifies). */
export const clientAddressEnvModel = {
  CLIENT_ADDRESS_SECRET: z.string().min(32).default(DEV_CLIENT_ADDRESS_SECRET),
};

/** Refuse to run in production with the dev secret (anyone could sign addresses with it). */
export function refuseDevClientAddressSecretInProduction(env: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && env.CLIENT_ADDRESS_SECRET === DEV_CLIENT_ADDRESS_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['CLIENT_ADDRESS_SECRET'],
      message: 'the dev secret cannot be used in production; set CLIENT_ADDRESS_SECRET',
    });
  }
}

/** An address longer than this is not one (IPv6 with a zone fits well within it). */
const MAX_ADDRESS_LENGTH = 64;

const digest = (secret: string, address: string) => createHmac('sha256', secret).update(address, 'utf8').digest();

/** The two headers the gateway sets on every subgraph call for this client address. */
export function signedClientAddressHeaders(secret: string, address: string): Record<string, string> {
  return { [CLIENT_ADDRESS_HEADER]: address, [CLIENT_ADDRESS_SIGNATURE_HEADER]: digest(secret, address).toString('base64url') };
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

/** The address a request's headers name, if the gateway signed it; otherwise `unknown`. */
export function verifiedClientAddress(secret: string, headers: Record<string, string | string[] | undefined>): string {
  const address = single(headers[CLIENT_ADDRESS_HEADER]);
  const signature = single(headers[CLIENT_ADDRESS_SIGNATURE_HEADER]);
  if (!address || !signature || address.length > MAX_ADDRESS_LENGTH || signature.length > 64) return UNKNOWN_CLIENT_ADDRESS;
  const presented = Buffer.from(signature, 'base64url');
  const expected = digest(secret, address);
  return presented.length === expected.length && timingSafeEqual(presented, expected) ? address : UNKNOWN_CLIENT_ADDRESS;
}
