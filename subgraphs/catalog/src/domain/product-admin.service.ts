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
  type ProductChanged,
  type UnitOfWork,
  type UserError,
} from '@shop/platform';
import { CategoryRepository } from '../data/category.repository.ts';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { ProductRepository } from '../data/product.repository.ts';
import { AdjustmentRepository } from '../data/inventory/adjustment.repository.ts';
import { availableOf } from './inventory.ts';
import { adjustmentModel, derivedSlug, MAX_STOCK, productCreateModel, productUpdateModel, type ProductUpdate } from './product-input.ts';

export type ProductResult = { product: Product; userErrors: [] } | { product: null; userErrors: UserError[] };
const failed = (...userErrors: UserError[]): ProductResult => ({ product: null, userErrors });
const notFound = (field: string[]) => userError('NOT_FOUND', 'No such product', field);

/** The event other subgraphs react to (the cart re-prices, lookups refresh). */
function changed(product: Product, change: ProductChanged['change']): ProductChanged {
  return {
    productId: product.id,
    sku: product.sku,
    priceAmount: product.priceAmount,
    currency: product.currency,
    availableQuantity: availableOf(product),
    available: !product.deletedAt,
    change,
  };
}

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
  private readonly adjustments = new AdjustmentRepository();
  private readonly categories = new CategoryRepository();
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
   * (a few times), and the next free slug is found.
   */
  private async run(work: (uow: UnitOfWork) => Promise<ProductResult>, slugWasDerived = false): Promise<ProductResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.em, work, { outbox: this.outbox });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        const field = takenField(error);
        if (field === 'slug' && slugWasDerived && attempt < 10) continue;
        return failed(userError('TAKEN', `Another product already has this ${field}`, ['input', field]));
      }
    }
  }

  async create(input: unknown): Promise<ProductResult> {
    const parsed = productCreateModel(this.currency).safeParse(input);
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error, ['input']));
    const data = parsed.data;
    return this.run(async ({ em: tx, emit }) => {
      if (!(await this.categoryExists(tx, data.categoryId))) return failed(userError('NOT_FOUND', 'Unknown category', ['input', 'categoryId']));
      const product = tx.create(ProductSchema, {
        id: randomUUID(),
        sku: data.sku,
        // A slug the client sent is theirs (TAKEN when another product has it); a derived one is made unique.
        slug: data.slug ?? (await this.freeSlug(tx, data.name)),
        name: data.name,
        description: data.description,
        priceAmount: data.price,
        currency: this.currency,
        images: data.images.map((i) => ({ url: i.url, altText: i.altText ?? null })),
        category: data.categoryId ?? null,
        onHand: data.stock,
        reserved: 0,
        deletedAt: null,
      });
      await tx.flush();
      await emit(PRODUCT_CHANGED, changed(product, 'CREATED'));
      return { product, userErrors: [] };
    }, data.slug == null);
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
      const priceChanged = data.price !== undefined && data.price !== product.priceAmount;
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
      await emit(PRODUCT_CHANGED, changed(product, priceChanged ? 'PRICE' : 'UPDATED'));
      return { product, userErrors: [] };
    });
  }

  /** Soft delete: the row stays so carts and orders keep resolving it, shown as unavailable. */
  async delete(id: string): Promise<{ deletedProductId: string | null; userErrors: UserError[] }> {
    if (!isUuid(id)) return { deletedProductId: null, userErrors: [notFound(['id'])] };
    const result = await this.run(async ({ em: tx, emit }) => {
      const product = await tx.findOne(ProductSchema, { id, deletedAt: null });
      if (!product) return failed(notFound(['id']));
      product.deletedAt = new Date();
      await tx.flush();
      await emit(PRODUCT_CHANGED, changed(product, 'DELETED'));
      return { product, userErrors: [] };
    });
    return { deletedProductId: result.product?.id ?? null, userErrors: result.userErrors };
  }

  /**
   * Add `delta` to the stock on hand in one conditional statement (never read-then-write), so a
   * concurrent reservation cannot be undercut: on hand never drops below what is reserved.
   */
  async adjustInventory(productId: string, delta: number, reason: string, actor: Identity): Promise<ProductResult> {
    const parsed = adjustmentModel.safeParse({ delta, reason });
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error));
    if (!isUuid(productId)) return failed(notFound(['productId']));
    return this.run(async ({ em: tx, emit }) => {
      const adjusted = await this.products.adjustOnHand(tx, productId, delta, MAX_STOCK);
      const product = await tx.findOne(ProductSchema, { id: productId, deletedAt: null }, { refresh: true });
      if (!product) return failed(notFound(['productId']));
      if (!adjusted && product.onHand + delta > MAX_STOCK) {
        return failed(userError('TOO_LARGE', `At most ${MAX_STOCK} units can be on hand; ${product.onHand} are`, ['delta']));
      }
      if (!adjusted) {
        const message = `Only ${availableOf(product)} unreserved unit(s) on hand; cannot remove ${-delta}`;
        return failed(userError('INSUFFICIENT_STOCK', message, ['delta']));
      }
      await this.adjustments.record(tx, { productId, delta, reason: parsed.data.reason, actor: actor.sub });
      await emit(PRODUCT_CHANGED, changed(product, 'STOCK'));
      return { product, userErrors: [] };
    });
  }
}
