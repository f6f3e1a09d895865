import { z } from 'zod';
import { refuseDevDefaultsInProduction } from './env.ts';
import { hasHmacTag, hmacTag } from './hmac-tag.ts';
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

/** For the gateway's and the account's superRefine: production refuses the dev secret (anyone could sign addresses with it). */
export const refuseDevClientAddressSecretInProduction = refuseDevDefaultsInProduction({ CLIENT_ADDRESS_SECRET: DEV_CLIENT_ADDRESS_SECRET });

/** An address longer than this is not one (IPv6 with a zone fits well within it). */
const MAX_ADDRESS_LENGTH = 64;

/** The signature the gateway sends in CLIENT_ADDRESS_SIGNATURE_HEADER next to the address. */
export const signClientAddress = (secret: string, address: string): string => hmacTag(secret, address);

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

/** The address a request's headers name, if the gateway signed it; otherwise `unknown`. */
export function verifiedClientAddress(secret: string, headers: Record<string, string | string[] | undefined>): string {
  const address = single(headers[CLIENT_ADDRESS_HEADER]);
  if (!address || address.length > MAX_ADDRESS_LENGTH) return UNKNOWN_CLIENT_ADDRESS;
  return hasHmacTag(secret, address, single(headers[CLIENT_ADDRESS_SIGNATURE_HEADER])) ? address : UNKNOWN_CLIENT_ADDRESS;
}
