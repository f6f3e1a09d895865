import { z } from 'zod';
import { userError, type UserError } from '@shop/platform';

/** A postal address on a cart: a copy of what the shopper entered (or their default address), no id. */
export interface CartAddress {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string | null;
  postalCode: string;
  countryCode: string;
  phone: string | null;
}

const text = (max: number, label: string) => z.string().trim().min(1, `${label} is required`).max(max, `${label} is at most ${max} characters`);
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} is at most ${max} characters`)
    .nullish()
    .transform((v) => v || null);

export const countryCodeField = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine((c) => /^[A-Z]{2}$/.test(c), 'Country must be an ISO 3166-1 alpha-2 code such as US');

/** Blank means none; else digits, spaces, ( ) or -, optionally starting with +, at least 4 digits (as the account's). */
export const phoneField = z
  .string()
  .trim()
  .regex(/^(?:\+?(?=(?:\D*\d){4})[0-9 ()-]{4,31})?$/, 'Enter a phone number with digits, spaces, ( ) or -, optionally starting with +')
  .nullish()
  .transform((v) => v || null);

/** MailingAddressInput as the cart accepts it (the same limits as the account's address book). */
export const mailingAddressModel = z.object({
  firstName: optionalText(100, 'First name'),
  lastName: optionalText(100, 'Last name'),
  company: optionalText(100, 'Company'),
  address1: text(200, 'Street address'),
  address2: optionalText(200, 'Address line 2'),
  city: text(100, 'City'),
  province: optionalText(50, 'Region'),
  postalCode: text(20, 'Postal code'),
  countryCode: countryCodeField,
  phone: phoneField,
}) satisfies z.ZodType<CartAddress, unknown>;

/** The region an address is in, as tax rates and zones name it (upper case); null: none given. */
export const regionOf = (address: Pick<CartAddress, 'province'> | null): string | null => address?.province?.trim().toUpperCase() || null;

/**
 * Where a country's regions have their own tax rate or zone (`regional`), a region is named by its
 * ISO 3166-2 code ("CA", "NY"): a name ("California", "Alaska") would match none and be taxed and
 * delivered as the rest of the country. Elsewhere the region is free text. `field`: the province's path.
 */
export function regionNameProblem(destination: { regional: boolean }, address: CartAddress, field: string[]): UserError | null {
  const region = regionOf(address);
  if (!destination.regional || !region || /^[A-Z0-9]{1,3}$/.test(region)) return null;
  return userError('INVALID', `Enter the state or region of ${address.countryCode} as its code, like NY: it decides the tax and delivery`, field);
}

/** The addressee as one line, e.g. "Ada Lovelace" (the company when there is no name). */
export const addresseeOf = (a: CartAddress): string => [a.firstName, a.lastName].filter(Boolean).join(' ') || a.company || '';

/** What checkout.requested and the order carry: one name line, the street in two lines. */
export function toShippingAddress(a: CartAddress) {
  return {
    name: addresseeOf(a),
    line1: a.address1,
    line2: a.address2,
    city: a.city,
    province: a.province,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    phone: a.phone,
  };
}

/** CheckoutInput.shippingAddress (one name line) as a cart address: the first word is the first name. */
export function fromCheckoutAddress(a: {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  province?: string | null;
  postalCode: string;
  countryCode: string;
}): CartAddress {
  const name = a.name.trim();
  const space = name.indexOf(' ');
  return {
    firstName: space > 0 ? name.slice(0, space) : null,
    lastName: (space > 0 ? name.slice(space + 1).trim() : name) || null,
    company: null,
    address1: a.line1,
    address2: a.line2,
    city: a.city,
    province: a.province ?? null,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    phone: null,
  };
}

/** A stored address (jsonb) read back; anything malformed reads as none. */
export function storedAddress(value: unknown): CartAddress | null {
  const parsed = mailingAddressModel.safeParse(value);
  return parsed.success ? parsed.data : null;
}
