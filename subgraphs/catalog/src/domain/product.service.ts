import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, toConnection, type Connection } from '@shop/platform';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { CategorySchema, type Category } from '../data/category.entity.ts';

export type ProductLookup = { id: string } | { sku: string } | { slug: string };

/** Listing order: name, then id as a tie-breaker so the keyset cursor is total. */
const cursorOf = (p: Product) => encodeCursor([p.name, p.id]);

export function availableQuantity(product: Product): number {
  return product.deletedAt ? 0 : Math.max(0, product.onHand - product.reserved);
}

export class ProductService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  async list(options: { first: number; after?: string | null; categoryId?: string }): Promise<Connection<Product>> {
    const where: Record<string, unknown> = { deletedAt: null };
    if (options.categoryId) where.category = options.categoryId;
    const totalCount = await this.em.count(ProductSchema, where);
    if (options.after) {
      const [name, id] = decodeCursor<[string, string]>(options.after, 2);
      where.$or = [{ name: { $gt: name } }, { name, id: { $gt: id } }];
    }
    const rows = await this.em.find(ProductSchema, where, { orderBy: { name: 'asc', id: 'asc' }, limit: options.first + 1 });
    return toConnection(rows, options.first, totalCount, cursorOf, Boolean(options.after));
  }

  /** One query for any number of ids (the DataLoader batch); deleted products stay resolvable. */
  async byIds(ids: readonly string[]): Promise<Product[]> {
    return this.em.find(ProductSchema, { id: { $in: [...ids] } });
  }

  async findOne(lookup: ProductLookup): Promise<Product | null> {
    return this.em.findOne(ProductSchema, { ...lookup, deletedAt: null });
  }

  async categories(): Promise<Category[]> {
    return this.em.find(CategorySchema, {}, { orderBy: { name: 'asc' } });
  }

  async categoryBySlug(slug: string): Promise<Category | null> {
    return this.em.findOne(CategorySchema, { slug });
  }

  async categoriesByIds(ids: readonly string[]): Promise<Category[]> {
    return this.em.find(CategorySchema, { id: { $in: [...ids] } });
  }
}
