import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@shop/platform';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { CategorySchema, type Category } from '../data/category.entity.ts';

export type ProductLookup = { id: string } | { sku: string } | { slug: string };

export class ProductService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  /**
   * One query for any number of ids (the DataLoader batch); deleted products stay resolvable. A
   * malformed id matches nothing (it never reaches the uuid column, so the rest of the batch resolves).
   */
  async byIds(ids: readonly string[]): Promise<Product[]> {
    const wellFormed = ids.filter(isUuid);
    return wellFormed.length ? this.em.find(ProductSchema, { id: { $in: wellFormed } }) : [];
  }

  async findOne(lookup: ProductLookup): Promise<Product | null> {
    if ('id' in lookup && !isUuid(lookup.id)) return null;
    return this.em.findOne(ProductSchema, { ...lookup, deletedAt: null });
  }

  async categories(): Promise<Category[]> {
    return this.em.find(CategorySchema, {}, { orderBy: { name: 'asc' } });
  }

  async categoryBySlug(slug: string): Promise<Category | null> {
    return this.em.findOne(CategorySchema, { slug });
  }

  async categoriesByIds(ids: readonly string[]): Promise<Category[]> {
    const wellFormed = ids.filter(isUuid);
    return wellFormed.length ? this.em.find(CategorySchema, { id: { $in: wellFormed } }) : [];
  }
}
