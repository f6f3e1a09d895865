import { z } from 'zod';
import { amountField, userError, userErrorsFromZod, type CurrencyCode, type UserError, type UserErrorCode } from '@shop/platform';
import type { ProductOption } from '../data/product.entity.ts';
import type { SelectedOption } from '../data/product-variant.entity.ts';
import { imageModel, productCreateModel, skuModel, stockModel } from './product-input.ts';
import { optionValuesOf } from './variants.ts';

/**
 * What admins send about options and variants: field rules (zod) and the rules between fields
 * (a variant's options against the product's, duplicates), each problem a userError with its path.
 */

/** Shopify's limits of old: few options, a page of variants (the Product.variants page is cut in memory). */
export const MAX_OPTIONS = 3;
export const MAX_OPTION_VALUES = 100;
export const MAX_VARIANTS = 100;
/** 3 values of 50 characters joined by " / " stay within a title's 200. */
const MAX_OPTION_TEXT = 50;

// "=" separates name and value in option_values ("Size=M"); control characters have no place in a label.
const optionName = z
  .string()
  .trim()
  .min(1, 'Option name is required')
  .max(MAX_OPTION_TEXT, `Option name is at most ${MAX_OPTION_TEXT} characters`)
  .regex(/^[^=\p{Cc}]*$/u, 'Option name may not contain "=" or control characters');
const optionValue = z
  .string()
  .trim()
  .min(1, 'Option value is required')
  .max(MAX_OPTION_TEXT, `Option value is at most ${MAX_OPTION_TEXT} characters`)
  .regex(/^\P{Cc}*$/u, 'Option value may not contain control characters');

const optionModel = z.object({ name: optionName, values: z.array(optionValue) });
/** Matched against the product's options (matchSelection), so only trimmed here. */
const selectedOptionModel = z.object({ name: z.string().trim(), value: z.string().trim() });

/** A variant as productCreate and productVariantCreate take it; prices in minor units. */
export function variantModel(currency: CurrencyCode) {
  return z
    .object({
      sku: skuModel,
      selectedOptions: z.array(selectedOptionModel),
      price: amountField(currency, 'Price'),
      compareAtPrice: amountField(currency, 'Compare-at price')
        .nullish()
        .transform((v) => v ?? null),
      image: imageModel.nullish().transform((i) => (i ? { url: i.url, altText: i.altText ?? null } : null)),
      stock: stockModel,
    })
    .superRefine((v, ctx) => {
      const problem = compareAtProblem(v.price, v.compareAtPrice);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['compareAtPrice'], params: { code: 'INVALID' } });
    });
}
export type VariantCreate = z.output<ReturnType<typeof variantModel>>;

export function variantUpdateModel(currency: CurrencyCode) {
  return z.object({
    sku: skuModel.optional(),
    price: amountField(currency, 'Price').optional(),
    compareAtPrice: amountField(currency, 'Compare-at price').nullable().optional(),
    image: imageModel
      .nullable()
      .optional()
      .transform((i) => (i ? { url: i.url, altText: i.altText ?? null } : i)),
  });
}
export type VariantUpdate = z.output<ReturnType<typeof variantUpdateModel>>;

/** productCreate's input with options and variants (rules between them: optionsAndVariantsProblems). */
export function productCreateWithVariantsModel(currency: CurrencyCode) {
  return productCreateModel(currency).extend({
    options: z
      .array(optionModel)
      .nullish()
      .transform((o) => o ?? []),
    variants: z
      .array(variantModel(currency))
      .nullish()
      .transform((v) => v ?? []),
  });
}
export type ProductCreateWithVariants = z.output<ReturnType<typeof productCreateWithVariantsModel>>;

/** A compare-at price is the higher price before a reduction (shown struck through). */
export function compareAtProblem(price: number, compareAt: number | null): string | null {
  return compareAt != null && compareAt <= price ? 'Compare-at price must be more than the price' : null;
}

/** "M / Blue": the values in the product's option order. */
export const titleOf = (selected: readonly SelectedOption[]): string => selected.map((o) => o.value).join(' / ');

/** The same text to a shopper: "Blue" and "blue " are one value. */
const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export type Selection = { selected: SelectedOption[]; added: SelectedOption[] } | { code: UserErrorCode; message: string };

/**
 * A variant's option values checked against the product's options: exactly one value for each
 * option (matched by exact name, in any order), each one of the option's values. `allowNewValues`
 * (adding a variant later): a value the option lacks is added to it (`added`) unless it only differs
 * in case from one it has. `selected` comes back in the product's option order.
 */
export function matchSelection(options: readonly ProductOption[], given: readonly SelectedOption[], allowNewValues = false): Selection {
  const names = options.map((o) => o.name);
  const byName = new Map<string, string>();
  for (const { name, value } of given) {
    if (!names.includes(name)) return { code: 'INVALID', message: `"${name}" is not an option of this product (${names.join(', ')})` };
    if (byName.has(name)) return { code: 'INVALID', message: `"${name}" is given more than once` };
    byName.set(name, value);
  }
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) return { code: 'INVALID', message: `Give one value for each option; missing: ${missing.join(', ')}` };
  const added: SelectedOption[] = [];
  for (const option of options) {
    const value = byName.get(option.name)!;
    if (option.values.includes(value)) continue;
    if (!allowNewValues) return { code: 'INVALID', message: `${option.name} has no value "${value}" (${option.values.join(', ')})` };
    const similar = option.values.find((v) => sameText(v, value));
    if (similar) return { code: 'CONFLICT', message: `${option.name} already has "${similar}"` };
    const format = optionValue.safeParse(value);
    if (!format.success) return userErrorsFromZod(format.error)[0]!;
    if (option.values.length >= MAX_OPTION_VALUES)
      return { code: 'TOO_LARGE', message: `${option.name} has ${MAX_OPTION_VALUES} values, the most an option can have` };
    added.push({ name: option.name, value });
  }
  return { selected: options.map((o) => ({ name: o.name, value: byName.get(o.name)! })), added };
}

/** The shape every GraphQL input has, strings trimmed: enough to check the rules between fields even when a field is bad. */
const structureModel = z.object({
  price: z.unknown().optional(),
  stock: z.number().nullish(),
  options: z.array(z.object({ name: z.string().trim(), values: z.array(z.string().trim()) })).nullish(),
  variants: z.array(z.object({ sku: z.string().trim(), selectedOptions: z.array(selectedOptionModel) })).nullish(),
});

/** Counts and duplicates among the options (names and values compared ignoring case). */
function optionListProblems(options: readonly ProductOption[]): UserError[] {
  const problems: UserError[] = [];
  if (options.length > MAX_OPTIONS) problems.push(userError('TOO_LARGE', `At most ${MAX_OPTIONS} options`, ['input', 'options']));
  options.forEach((option, i) => {
    const at = ['input', 'options', String(i)];
    if (option.name && options.slice(0, i).some((o) => sameText(o.name, option.name)))
      problems.push(userError('CONFLICT', `Option "${option.name}" is given twice`, [...at, 'name']));
    if (option.values.length === 0) problems.push(userError('REQUIRED', 'An option needs at least one value', [...at, 'values']));
    if (option.values.length > MAX_OPTION_VALUES)
      problems.push(userError('TOO_LARGE', `An option has at most ${MAX_OPTION_VALUES} values`, [...at, 'values']));
    option.values.forEach((value, j) => {
      if (value && option.values.slice(0, j).some((v) => sameText(v, value)))
        problems.push(userError('CONFLICT', `${option.name} has "${value}" twice`, [...at, 'values', String(j)]));
    });
  });
  return problems;
}

/**
 * productCreate's rules between fields, all at once: without options the product needs a price and
 * takes no variants; with options it takes 1..MAX_VARIANTS variants and neither a price nor stock of
 * its own, each variant names one value of every option, no two variants share their options or SKU.
 */
export function optionsAndVariantsProblems(input: unknown): UserError[] {
  const parsed = structureModel.safeParse(input);
  if (!parsed.success) return []; // not GraphQL-shaped: the field rules report it
  const { price, stock, options = [], variants = [] } = parsed.data;
  const at = (...path: Array<string | number>) => ['input', ...path.map(String)];
  if (!options?.length) {
    const problems: UserError[] = [];
    if (price == null) problems.push(userError('REQUIRED', 'Price is required for a product without options', at('price')));
    if (variants?.length) problems.push(userError('INVALID', 'Variants are chosen from options: give the options too', at('variants')));
    return problems;
  }
  const problems = optionListProblems(options);
  if (price != null) problems.push(userError('INVALID', "With options each variant has its price (the product's is the lowest)", at('price')));
  if (stock) problems.push(userError('INVALID', 'With options each variant has its stock', at('stock')));
  if (!variants?.length) problems.push(userError('REQUIRED', 'A product with options needs at least one variant', at('variants')));
  else if (variants.length > MAX_VARIANTS) problems.push(userError('TOO_LARGE', `At most ${MAX_VARIANTS} variants`, at('variants')));
  const combinations = new Map<string, number>();
  const skus = new Map<string, number>();
  (variants ?? []).forEach((variant, i) => {
    const selection = matchSelection(options, variant.selectedOptions);
    if ('message' in selection) problems.push(userError(selection.code, selection.message, at('variants', i, 'selectedOptions')));
    else {
      const key = optionValuesOf(selection.selected).join('\n');
      const first = combinations.get(key);
      if (first === undefined) combinations.set(key, i);
      else
        problems.push(
          userError('CONFLICT', `Same options as variant ${first} (${titleOf(selection.selected)})`, at('variants', i, 'selectedOptions')),
        );
    }
    const sameSku = skus.get(variant.sku);
    if (variant.sku && sameSku !== undefined) problems.push(userError('TAKEN', `Variant ${sameSku} has this SKU`, at('variants', i, 'sku')));
    else skus.set(variant.sku, i);
  });
  return problems;
}

/**
 * What productCreate's input names that must not exist yet (or must exist: the category), trimmed,
 * whatever else is wrong with it; `variantSkus` by the variants' index ('' where one is blank).
 */
export function requestedKeys(input: unknown): {
  sku: string | null;
  slug: string | null;
  categoryId: string | null;
  withOptions: boolean;
  variantSkus: string[];
} {
  const parsed = z
    .object({ sku: z.string().trim().nullish(), slug: z.string().trim().nullish(), categoryId: z.string().nullish() })
    .and(structureModel)
    .safeParse(input);
  if (!parsed.success) return { sku: null, slug: null, categoryId: null, withOptions: false, variantSkus: [] };
  const { sku, slug, categoryId, options, variants } = parsed.data;
  // Without options there are no variants to name (optionsAndVariantsProblems refuses them).
  const withOptions = (options?.length ?? 0) > 0;
  const variantSkus = withOptions ? (variants ?? []).map((v) => v.sku) : [];
  return { sku: sku || null, slug: slug || null, categoryId: categoryId ?? null, withOptions, variantSkus };
}

/** Problems listed once (a field can fail two checks the same way). */
export function distinctProblems(problems: readonly UserError[]): UserError[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code} ${(p.field ?? []).join('.')}`;
    return !seen.has(key) && !!seen.add(key);
  });
}
