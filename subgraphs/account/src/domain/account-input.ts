import { z } from 'zod';
import { userErrorsFromZod, type UserError } from '@shop/platform';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => v || null);
/** Addresses as users type them: trimmed, lower-cased for lookups; uniqueness is case-insensitive. */
export const emailField = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address.' }));
// Empty (a form's blank field) means none, like the other optional fields; else at least 4 digits.
const phone = z
  .string()
  .trim()
  .regex(/^(?:\+?(?=(?:\D*\d){4})[0-9 ()-]{4,31})?$/, 'Enter a phone number with digits, spaces, ( ) or -, optionally starting with +.')
  .nullish()
  .transform((v) => v || null);

export const registerInput = z.object({
  email: emailField,
  password: z.string(),
  firstName: optionalText(100),
  lastName: optionalText(100),
  acceptsMarketing: z.boolean().nullish().transform(Boolean),
});

export const updateInput = z.object({
  email: emailField.optional(),
  firstName: optionalText(100).optional(),
  lastName: optionalText(100).optional(),
  phone: phone.optional(),
  acceptsMarketing: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
});

export const addressInput = z.object({
  firstName: optionalText(100),
  lastName: optionalText(100),
  company: optionalText(100),
  address1: text(200),
  address2: optionalText(200),
  city: text(100),
  province: optionalText(50),
  postalCode: text(20),
  countryCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'Use a two-letter country code, e.g. US.')
    .transform((v) => v.toUpperCase()),
  phone,
});
export type AddressInput = z.infer<typeof addressInput>;

/** Parsed input, or every problem at once as userErrors under `prefix`. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  prefix: string[],
): { ok: true; value: z.infer<T> } | { ok: false; userErrors: UserError[] } {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, userErrors: userErrorsFromZod(parsed.error, prefix) };
}
