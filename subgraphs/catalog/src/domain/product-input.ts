import { z } from 'zod';
import { amountField, type CurrencyCode } from '@shop/platform';

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const slugify = (text: string) =>
  text
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 160);

/**
 * The n-th slug derived from a product name: "desk-lamp", then "desk-lamp-2", "desk-lamp-3"…, always
 * a valid slug within 160 characters (a name with no letters or digits gives "product").
 */
export function derivedSlug(name: string, n = 1): string {
  const base = slugify(name).replace(/-+$/, '') || 'product';
  if (n === 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, 160 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** Most units of one variant on hand: what creating and adjusting stock may reach. */
export const MAX_STOCK = 1_000_000_000;

export const imageModel = z.object({
  url: z
    .string()
    .url('Image URL must be an absolute http(s) URL')
    .max(2000)
    .refine((u) => /^https?:\/\//.test(u), 'Image URL must be http(s)'),
  altText: z.string().max(300, 'Alt text is at most 300 characters').nullish(),
});

export const skuModel = z
  .string()
  .trim()
  .min(1, 'SKU is required')
  .max(64, 'SKU is at most 64 characters')
  .regex(SKU, 'SKU may use letters, digits, ".", "_" and "-"');

/** Units on hand at creation (absent: 0). */
export const stockModel = z
  .number()
  .int()
  .min(0, 'Stock cannot be negative')
  .max(MAX_STOCK, `Stock is at most ${MAX_STOCK}`)
  .nullish()
  .transform((s) => s ?? 0);

const fields = (currency: CurrencyCode) => ({
  sku: skuModel,
  slug: z
    .string()
    .trim()
    .min(1, 'Slug is required')
    .max(160, 'Slug is at most 160 characters')
    .regex(SLUG, 'Slug must be lowercase words joined by "-"'),
  name: z.string().trim().min(1, 'Name is required').max(200, 'Name is at most 200 characters'),
  description: z.string().max(5000, 'Description is at most 5000 characters'),
  price: amountField(currency, 'Price'),
  categoryId: z.string().uuid('Unknown category'),
  images: z.array(imageModel).max(10, 'At most 10 images'),
});

export function productCreateModel(currency: CurrencyCode) {
  const f = fields(currency);
  return z.object({
    sku: f.sku,
    slug: f.slug.nullish(),
    name: f.name,
    description: f.description.nullish().transform((d) => d ?? ''),
    // Required without options, refused with them: variant-input.ts adds options and variants.
    price: f.price.nullish(),
    categoryId: f.categoryId.nullish(),
    images: f.images.nullish().transform((i) => i ?? []),
    stock: stockModel,
  });
}

export function productUpdateModel(currency: CurrencyCode) {
  const f = fields(currency);
  return z.object({
    sku: f.sku.optional(),
    slug: f.slug.optional(),
    name: f.name.optional(),
    description: f.description.optional(),
    price: f.price.optional(),
    categoryId: f.categoryId.nullable().optional(),
    images: f.images.optional(),
  });
}

export type ProductCreate = z.output<ReturnType<typeof productCreateModel>>;
export type ProductUpdate = z.output<ReturnType<typeof productUpdateModel>>;

export const adjustmentModel = z.object({
  delta: z
    .number()
    .int()
    .refine((d) => d !== 0, { message: 'Delta must not be zero', params: { code: 'INVALID' } })
    .refine((d) => Math.abs(d) <= MAX_STOCK, { message: `Delta is at most ${MAX_STOCK} either way`, params: { code: 'TOO_LARGE' } }),
  reason: z.string().trim().min(1, 'A reason is required').max(500, 'Reason is at most 500 characters'),
});
