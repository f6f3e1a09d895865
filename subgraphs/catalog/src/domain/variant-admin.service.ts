import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  FRESH,
  isUuid,
  PRODUCT_CHANGED,
  transaction,
  userError,
  userErrorsFromZod,
  type CurrencyCode,
  type UnitOfWork,
  type UserError,
} from '@shop/platform';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { ProductVariantSchema, type ProductVariant, type SelectedOption } from '../data/product-variant.entity.ts';
import { VariantRepository } from '../data/product-variant.repository.ts';
import { SkuRepository } from '../data/sku.repository.ts';
import { changed, lowestPrice } from './product-changed.ts';
import {
  compareAtProblem,
  distinctProblems,
  matchSelection,
  MAX_VARIANTS,
  titleOf,
  variantModel,
  variantUpdateModel,
  type VariantCreate,
} from './variant-input.ts';
import { optionValuesOf, variantWithOptions } from './variants.ts';

export type VariantResult =
  { productVariant: ProductVariant; product: Product; userErrors: [] } | { productVariant: null; product: null; userErrors: UserError[] };
export interface VariantDeleteResult {
  deletedProductVariantId: string | null;
  product: Product | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): VariantResult => ({ productVariant: null, product: null, userErrors: distinctProblems(userErrors) });
const notFound = (field: string, what = 'variant') => userError('NOT_FOUND', `No such ${what}`, [field]);
/** The SKU and options a variant input asks for, even when another of its fields is bad. */
const requested = z.object({ sku: z.string().trim(), selectedOptions: z.array(z.object({ name: z.string().trim(), value: z.string().trim() })) });

/** A new variant of `product` with these option values (already checked against its options). */
export function buildVariant(
  tx: EntityManager,
  product: Product,
  input: VariantCreate,
  selected: SelectedOption[],
  position: number,
): ProductVariant {
  return tx.create(ProductVariantSchema, {
    id: randomUUID(),
    product,
    sku: input.sku,
    title: titleOf(selected),
    selectedOptions: selected,
    optionValues: optionValuesOf(selected),
    priceAmount: input.price,
    compareAtAmount: input.compareAtPrice,
    currency: product.currency,
    image: input.image,
    position,
    onHand: input.stock,
    reserved: 0,
    deletedAt: null,
  });
}

/**
 * Admin changes to a product's variants. Each call is one transaction that first locks the product
 * row, so changes to one product's variants run one at a time (the variant count, the options, the
 * product's price = its lowest live variant price); each changed variant writes `product.changed`
 * in that transaction. Expected failures are userErrors, all at once.
 */
export class VariantAdminService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  private readonly outbox: { notify(): void } | undefined;
  private readonly variants = new VariantRepository();
  private readonly skus = new SkuRepository();
  constructor(em: EntityManager, currency: CurrencyCode, outbox?: { notify(): void }) {
    this.em = em;
    this.currency = currency;
    this.outbox = outbox;
  }

  /**
   * One transaction. A SKU taken by a concurrent insert between the check and the insert: run once
   * more, so the check names it; should it happen again, TAKEN on the SKU.
   */
  private async run(work: (uow: UnitOfWork) => Promise<VariantResult>): Promise<VariantResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.em, work, { outbox: this.outbox });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        if (attempt < 3) continue;
        return failed(userError('TAKEN', 'Another product or variant already has this SKU', ['input', 'sku']));
      }
    }
  }

  /** The live product, locked for the rest of the transaction. */
  private lockProduct(tx: EntityManager, id: string): Promise<Product | null> {
    return tx.findOne(ProductSchema, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** A live variant, its product and the product's live variants; product and variant locked (in that order, as productUpdate takes them). */
  private async locate(tx: EntityManager, id: string): Promise<{ product: Product; variant: ProductVariant; live: ProductVariant[] } | null> {
    const [ref] = await tx.find(ProductVariantSchema, { id, deletedAt: null }, { fields: ['product'], ...FRESH });
    const product = ref && (await this.lockProduct(tx, ref.product.id));
    if (!product) return null;
    // Read under its lock: the stock the event reports is the stock as it now is.
    const variant = await tx.findOne(ProductVariantSchema, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!variant) return null;
    return { product, variant, live: await this.variants.liveOf(tx, [product.id]) };
  }

  /** Whether another product or variant has `sku`: a product without options shares its SKU with its variant. */
  private async skuTaken(tx: EntityManager, sku: string, alsoProducts: boolean): Promise<boolean> {
    if ((await this.skus.takenByVariants(tx, [sku])).size) return true;
    return alsoProducts && (await this.skus.takenByProducts(tx, [sku])).size > 0;
  }

  /** A variant for a product sold in options; a value an option lacks is added to that option. */
  async create(productId: string, input: unknown): Promise<VariantResult> {
    const parsed = variantModel(this.currency).safeParse(input);
    const problems = parsed.success ? [] : userErrorsFromZod(parsed.error, ['input']);
    if (!isUuid(productId)) return failed(notFound('productId', 'product'), ...problems);
    const given = requested.safeParse(input);
    return this.run(async ({ em: tx, emit }) => {
      const product = await this.lockProduct(tx, productId);
      if (!product) return failed(notFound('productId', 'product'), ...problems);
      if (!product.options.length) {
        const message = 'This product has no options: it is sold as one default variant (create a product with options to sell variants)';
        return failed(userError('INVALID', message, ['productId']), ...problems);
      }
      const live = await this.variants.liveOf(tx, [productId]);
      const errors = [...problems];
      if (live.length >= MAX_VARIANTS) errors.push(userError('TOO_LARGE', `A product has at most ${MAX_VARIANTS} variants`, ['productId']));
      const selection = matchSelection(product.options, given.success ? given.data.selectedOptions : [], true);
      if ('message' in selection) errors.push(userError(selection.code, selection.message, ['input', 'selectedOptions']));
      else {
        const same = variantWithOptions(live, selection.selected);
        if (same) errors.push(userError('CONFLICT', `Variant "${same.title}" (${same.sku}) has these options`, ['input', 'selectedOptions']));
      }
      if (given.success && given.data.sku && (await this.skuTaken(tx, given.data.sku, false))) {
        errors.push(userError('TAKEN', 'Another variant already has this SKU', ['input', 'sku']));
      }
      if (!parsed.success || 'message' in selection || errors.length) return failed(...errors);
      // Values an option lacked go at its end (a new array: the json column is compared by value).
      if (selection.added.length) {
        const extra = (name: string) => selection.added.filter((a) => a.name === name).map((a) => a.value);
        product.options = product.options.map((o) => ({ name: o.name, values: [...o.values, ...extra(o.name)] }));
      }
      const position = Math.max(-1, ...live.map((v) => v.position)) + 1;
      const variant = buildVariant(tx, product, parsed.data, selection.selected, position);
      product.priceAmount = lowestPrice([...live, variant], product.priceAmount);
      await tx.flush();
      await emit(PRODUCT_CHANGED, changed(variant, 'CREATED'));
      return { productVariant: variant, product, userErrors: [] };
    });
  }

  /** SKU, price, compare-at price, image; only the fields given. Options stay (a variant's options are what its id names). */
  async update(id: string, input: unknown): Promise<VariantResult> {
    const parsed = variantUpdateModel(this.currency).safeParse(input);
    const problems = parsed.success ? [] : userErrorsFromZod(parsed.error, ['input']);
    if (!isUuid(id)) return failed(notFound('id'), ...problems);
    return this.run(async ({ em: tx, emit }) => {
      const found = await this.locate(tx, id);
      if (!found) return failed(notFound('id'), ...problems);
      if (!parsed.success) return failed(...problems);
      const { product, variant, live } = found;
      const data = parsed.data;
      const errors: UserError[] = [];
      const price = data.price ?? variant.priceAmount;
      const compareAt = data.compareAtPrice !== undefined ? data.compareAtPrice : (variant.compareAtAmount ?? null);
      const compare = compareAtProblem(price, compareAt);
      if (compare) errors.push(userError('INVALID', compare, ['input', data.compareAtPrice !== undefined ? 'compareAtPrice' : 'price']));
      // A product without options shares its SKU with its one variant (as productUpdate keeps them).
      const sharesSku = product.options.length === 0;
      if (data.sku !== undefined && data.sku !== variant.sku && (await this.skuTaken(tx, data.sku, sharesSku))) {
        errors.push(userError('TAKEN', 'Another product or variant already has this SKU', ['input', 'sku']));
      }
      if (errors.length) return failed(...errors);
      const priceChanged = price !== variant.priceAmount;
      tx.assign(variant, {
        ...(data.sku !== undefined && { sku: data.sku }),
        priceAmount: price,
        compareAtAmount: compareAt,
        ...(data.image !== undefined && { image: data.image }),
      });
      if (sharesSku && data.sku !== undefined) product.sku = data.sku;
      product.priceAmount = lowestPrice(live, product.priceAmount);
      await tx.flush();
      await emit(PRODUCT_CHANGED, changed(variant, priceChanged ? 'PRICE' : 'UPDATED'));
      return { productVariant: variant, product, userErrors: [] };
    });
  }

  /** Soft delete (carts and orders keep resolving it, unavailable); a product's last live variant stays. */
  async delete(id: string): Promise<VariantDeleteResult> {
    if (!isUuid(id)) return { deletedProductVariantId: null, product: null, userErrors: [notFound('id')] };
    const result = await this.run(async ({ em: tx, emit }) => {
      const found = await this.locate(tx, id);
      if (!found) return failed(notFound('id'));
      const { product, variant, live } = found;
      if (live.length <= 1) return failed(userError('INVALID', "This is the product's last variant: delete the product instead", ['id']));
      variant.deletedAt = new Date();
      product.priceAmount = lowestPrice(live, product.priceAmount);
      await tx.flush();
      await emit(PRODUCT_CHANGED, changed(variant, 'DELETED'));
      return { productVariant: variant, product, userErrors: [] };
    });
    return { deletedProductVariantId: result.productVariant?.id ?? null, product: result.product, userErrors: result.userErrors };
  }
}
