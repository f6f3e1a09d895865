import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductSchema, type Product } from '../data/product.entity.ts';
import { CategorySchema, type Category } from '../data/category.entity.ts';

export type ProductLookup = { id: string } | { sku: string } | { slug: string };

export function availableQuantity(product: Product): number {
  return product.deletedAt ? 0 : Math.max(0, product.onHand - product.reserved);
}

export class ProductService {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
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
