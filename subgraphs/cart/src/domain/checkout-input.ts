import { z } from 'zod';

/** CheckoutInput.shippingAddress: one name line, as the order shows it. */
export const checkoutAddressModel = z.object({
  name: z.string().trim().min(1, 'Name is required').max(200),
  line1: z.string().trim().min(1, 'Street address is required').max(300),
  line2: z
    .string()
    .trim()
    .max(300)
    .nullish()
    .transform((v) => v || null),
  city: z.string().trim().min(1, 'City is required').max(120),
  province: z
    .string()
    .trim()
    .max(50)
    .nullish()
    .transform((v) => v || null),
  postalCode: z.string().trim().min(1, 'Postal code is required').max(20),
  countryCode: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .refine((c) => /^[A-Z]{2}$/.test(c), 'Country must be an ISO 3166-1 alpha-2 code such as US'),
});

/**
 * What cartCheckout accepts; every problem is reported at once. Email and address may be left out:
 * the cart's buyer identity supplies them (given, they replace the cart's).
 */
export const checkoutInputModel = z.object({
  email: z.string().trim().email('Not a valid email address').max(320).nullish(),
  shippingAddress: checkoutAddressModel.nullish(),
  paymentToken: z.string().trim().min(1, 'A payment token is required').max(200),
  idempotencyKey: z.string().trim().min(8, 'The idempotency key must have at least 8 characters').max(128),
  /** A decimal in the cart's currency, checked against what would be charged (parsed there: the currency decides the decimals). */
  expectedTotal: z.string().trim().max(32, 'Not an amount').nullish(),
});

export type CheckoutInput = z.output<typeof checkoutInputModel>;
