import { randomBytes, randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  isUuid,
  PRODUCT_CHANGED,
  transaction,
  userError,
  userErrorsFromZod,
  type CurrencyCode,
  type Identity,
  type UnitOfWork,
  type UserError,
} from '@shop/platform';
import { CategoryRepository } from '../data/category.repository.ts';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { ProductRepository } from '../data/product.repository.ts';
import { DEFAULT_VARIANT_TITLE, ProductVariantSchema, type ProductVariant } from '../data/product-variant.entity.ts';
import { VariantRepository } from '../data/product-variant.repository.ts';
import { SkuRepository } from '../data/sku.repository.ts';
import { AdjustmentRepository } from '../data/inventory/adjustment.repository.ts';
import { availableOf } from './inventory.ts';
import { changed, lowestPrice } from './product-changed.ts';
import { adjustmentModel, derivedSlug, MAX_STOCK, productUpdateModel, type ProductUpdate } from './product-input.ts';
import { buildVariant } from './variant-admin.service.ts';
import {
  distinctProblems,
  matchSelection,
  optionsAndVariantsProblems,
  productCreateWithVariantsModel,
  requestedKeys,
  type ProductCreateWithVariants,
} from './variant-input.ts';

export type ProductResult = { product: Product; userErrors: [] } | { product: null; userErrors: UserError[] };
const failed = (...userErrors: UserError[]): ProductResult => ({ product: null, userErrors });
const notFound = (field: string[]) => userError('NOT_FOUND', 'No such product', field);

/** Which unique constraint a duplicate hit, as the input field to blame. */
function takenField(error: UniqueConstraintViolationException): 'sku' | 'slug' {
  return /slug/.test(error.message) ? 'slug' : 'sku';
}

/**
 * Admin changes to products. Each call is one transaction; every change to price or stock writes a
 * `product.changed` event to the outbox in that same transaction. Expected failures come back as
 * userErrors (all of them at once), never as exceptions.
 */
export class ProductAdminService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  private readonly outbox: { notify(): void } | undefined;
  private readonly products = new ProductRepository();
  private readonly variants = new VariantRepository();
  private readonly adjustments = new AdjustmentRepository();
  private readonly categories = new CategoryRepository();
  private readonly skus = new SkuRepository();
  /** `outbox` is woken after each change, so its product.changed leaves at once. */
  constructor(em: EntityManager, currency: CurrencyCode, outbox?: { notify(): void }) {
    this.em = em;
    this.currency = currency;
    this.outbox = outbox;
  }

  private async categoryExists(tx: EntityManager, id: string | null | undefined): Promise<boolean> {
    return !id || this.categories.exists(tx, id);
  }

  /**
   * A slug derived from the name that no product has yet: products with the same name get "-2",
   * "-3"… (checked 20 at a time by the unique index; a random suffix past 1,000 namesakes).
   */
  private async freeSlug(tx: EntityManager, name: string): Promise<string> {
    for (let from = 1; from <= 1000; from += 20) {
      const candidates = Array.from({ length: 20 }, (_, i) => derivedSlug(name, from + i));
      const taken = await this.products.takenSlugs(tx, candidates);
      const free = candidates.find((slug) => !taken.has(slug));
      if (free) return free;
    }
    return `${derivedSlug(name).slice(0, 150)}-${randomBytes(4).toString('hex')}`;
  }

  /**
   * One transaction; a duplicate sku or slug is TAKEN. `slugWasDerived`: the client sent no slug, so a
   * concurrent namesake that took the same derived slug is not the client's problem — run again
   * (a few times), and the next free slug is found. `checksFirst`: the work names taken keys itself,
   * so a key a concurrent insert took after that check is named by running once more.
   */
  private async run(work: (uow: UnitOfWork) => Promise<ProductResult>, { slugWasDerived = false, checksFirst = false } = {}): Promise<ProductResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.em, work, { outbox: this.outbox });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        const field = takenField(error);
        if (field === 'slug' && slugWasDerived && attempt < 10) continue;
        if (checksFirst && attempt < 3) continue;
        return failed(userError('TAKEN', `Another product already has this ${field}`, ['input', field]));
      }
    }
  }

  /** What the database says about a new product's keys, all at once: an unknown category, a slug or SKUs already taken. */
  private async unavailable(tx: EntityManager, input: unknown): Promise<UserError[]> {
    const { sku, slug, categoryId, withOptions, variantSkus } = requestedKeys(input);
    const problems: UserError[] = [];
    const taken = (message: string, ...field: string[]) => problems.push(userError('TAKEN', message, ['input', ...field]));
    if (categoryId && isUuid(categoryId) && !(await this.categories.exists(tx, categoryId)))
      problems.push(userError('NOT_FOUND', 'Unknown category', ['input', 'categoryId']));
    if (slug && (await this.products.takenSlugs(tx, [slug])).size) taken('Another product already has this slug', 'slug');
    // A product without options shares its SKU with its one variant; with options the variants have their own.
    if (sku && ((await this.skus.takenByProducts(tx, [sku])).size || (!withOptions && (await this.skus.takenByVariants(tx, [sku])).size))) {
      taken('Another product already has this SKU', 'sku');
    }
    const takenSkus = await this.skus.takenByVariants(tx, variantSkus.filter(Boolean));
    variantSkus.forEach((variantSku, i) => takenSkus.has(variantSku) && taken('Another variant already has this SKU', 'variants', String(i), 'sku'));
    return problems;
  }

  /** Sold as one default variant with the product's id, SKU, price and stock. */
  private defaultVariant(tx: EntityManager, product: Product, data: ProductCreateWithVariants): ProductVariant {
    return tx.create(ProductVariantSchema, {
      id: product.id,
      product,
      sku: data.sku,
      title: DEFAULT_VARIANT_TITLE,
      selectedOptions: [],
      optionValues: [],
      priceAmount: data.price!,
      compareAtAmount: null,
      currency: this.currency,
      image: null,
      onHand: data.stock,
      reserved: 0,
      deletedAt: null,
    });
  }

  /** The variants of a product sold in options, in the order given (their options already checked). */
  private optionVariants(tx: EntityManager, product: Product, data: ProductCreateWithVariants): ProductVariant[] {
    return data.variants.map((variant, position) => {
      const selection = matchSelection(data.options, variant.selectedOptions);
      if ('message' in selection) throw new Error(`unchecked variant options: ${selection.message}`);
      return buildVariant(tx, product, variant, selection.selected, position);
    });
  }

  /** A product without options (one default variant), or with options and its variants, in one transaction. */
  async create(input: unknown): Promise<ProductResult> {
    const parsed = productCreateWithVariantsModel(this.currency).safeParse(input);
    const problems = [...(parsed.success ? [] : userErrorsFromZod(parsed.error, ['input'])), ...optionsAndVariantsProblems(input)];
    const slugWasDerived = parsed.success && parsed.data.slug == null;
    return this.run(
      async ({ em: tx, emit }) => {
        const all = [...problems, ...(await this.unavailable(tx, input))];
        if (!parsed.success || all.length) return failed(...distinctProblems(all));
        const data = parsed.data;
        const product = tx.create(ProductSchema, {
          id: randomUUID(),
          sku: data.sku,
          // A slug the client sent is theirs (TAKEN when another product has it); a derived one is made unique.
          slug: data.slug ?? (await this.freeSlug(tx, data.name)),
          name: data.name,
          description: data.description,
          priceAmount: 0,
          currency: this.currency,
          images: data.images.map((i) => ({ url: i.url, altText: i.altText ?? null })),
          category: data.categoryId ?? null,
          options: data.options,
          deletedAt: null,
        });
        const variants = data.options.length ? this.optionVariants(tx, product, data) : [this.defaultVariant(tx, product, data)];
        product.priceAmount = lowestPrice(variants, 0);
        await tx.flush();
        for (const variant of variants) await emit(PRODUCT_CHANGED, changed(variant, 'CREATED'));
        return { product, userErrors: [] };
      },
      { slugWasDerived, checksFirst: true },
    );
  }

  async update(id: string, input: unknown): Promise<ProductResult> {
    const parsed = productUpdateModel(this.currency).safeParse(input);
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error, ['input']));
    const data: ProductUpdate = parsed.data;
    if (!isUuid(id)) return failed(notFound(['id']));
    return this.run(async ({ em: tx, emit }) => {
      const product = await tx.findOne(ProductSchema, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!product) return failed(notFound(['id']));
      if (!(await this.categoryExists(tx, data.categoryId))) return failed(userError('NOT_FOUND', 'Unknown category', ['input', 'categoryId']));
      const variants = await this.variants.liveOf(tx, [id]);
      const only = product.options.length === 0 && variants.length === 1 ? variants[0]! : null;
      if (!only && (data.price !== undefined || data.sku !== undefined)) {
        const field = data.price !== undefined ? 'price' : 'sku';
        return failed(userError('INVALID', `This product has variants: set the ${field} on each variant`, ['input', field]));
      }
      const priceChanged = data.price !== undefined && data.price !== product.priceAmount;
      // A one-variant product's SKU and price are its variant's.
      if (only) tx.assign(only, { ...(data.sku !== undefined && { sku: data.sku }), ...(data.price !== undefined && { priceAmount: data.price }) });
      tx.assign(product, {
        ...(data.sku !== undefined && { sku: data.sku }),
        ...(data.slug !== undefined && { slug: data.slug }),
        ...(data.name !== undefined && { name: data.name }),
        ...(data.description !== undefined && { description: data.description }),
        ...(data.price !== undefined && { priceAmount: data.price }),
        ...(data.categoryId !== undefined && { category: data.categoryId }),
        ...(data.images !== undefined && { images: data.images.map((i) => ({ url: i.url, altText: i.altText ?? null })) }),
      });
      await tx.flush();
      for (const variant of variants) await emit(PRODUCT_CHANGED, changed(variant, priceChanged ? 'PRICE' : 'UPDATED'));
      return { product, userErrors: [] };
    });
  }

  /** Soft delete: the row stays so carts and orders keep resolving it, shown as unavailable. */
  async delete(id: string): Promise<{ deletedProductId: string | null; userErrors: UserError[] }> {
    if (!isUuid(id)) return { deletedProductId: null, userErrors: [notFound(['id'])] };
    const result = await this.run(async ({ em: tx, emit }) => {
      const product = await tx.findOne(ProductSchema, { id, deletedAt: null });
      if (!product) return failed(notFound(['id']));
      const variants = await this.variants.liveOf(tx, [id]);
      product.deletedAt = new Date();
      for (const variant of variants) variant.deletedAt = product.deletedAt;
      await tx.flush();
      for (const variant of variants) await emit(PRODUCT_CHANGED, changed(variant, 'DELETED'));
      return { product, userErrors: [] };
    });
    return { deletedProductId: result.product?.id ?? null, userErrors: result.userErrors };
  }

  /**
   * Add `delta` to a variant's stock on hand in one conditional statement (never read-then-write), so
   * a concurrent reservation cannot be undercut: on hand never drops below what is reserved.
   * `field` names the argument the id came in (`variantId`, or the deprecated `productId`).
   */
  async adjustInventory(variantId: string, delta: number, reason: string, actor: Identity, field = 'variantId'): Promise<ProductResult> {
    const parsed = adjustmentModel.safeParse({ delta, reason });
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error));
    const missing = () => failed(userError('NOT_FOUND', 'No such variant', [field]));
    if (!isUuid(variantId)) return missing();
    return this.run(async ({ em: tx, emit }) => {
      const adjusted = await this.variants.adjustOnHand(tx, variantId, delta, MAX_STOCK);
      const [variant] = await this.variants.stockOf(tx, [variantId]);
      if (!variant || variant.deletedAt) return missing();
      if (!adjusted && variant.onHand + delta > MAX_STOCK) {
        return failed(userError('TOO_LARGE', `At most ${MAX_STOCK} units can be on hand; ${variant.onHand} are`, ['delta']));
      }
      if (!adjusted) {
        const message = `Only ${availableOf(variant)} unreserved unit(s) on hand; cannot remove ${-delta}`;
        return failed(userError('INSUFFICIENT_STOCK', message, ['delta']));
      }
      await this.adjustments.record(tx, { variantId, delta, reason: parsed.data.reason, actor: actor.sub });
      await emit(PRODUCT_CHANGED, changed(variant, 'STOCK'));
      const product = await tx.findOne(ProductSchema, { id: variant.product.id });
      return { product: product!, userErrors: [] };
    });
  }
}
