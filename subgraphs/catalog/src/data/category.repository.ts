import type { EntityManager } from '@mikro-orm/postgresql';
import { CategorySchema, type Category } from './category.entity.ts';

/** Categories, read through the entity in the caller's EntityManager (the request's fork or a transaction). */
export class CategoryRepository {
  all(em: EntityManager): Promise<Category[]> {
    return em.find(CategorySchema, {}, { orderBy: { name: 'asc' } });
  }

  bySlug(em: EntityManager, slug: string): Promise<Category | null> {
    return em.findOne(CategorySchema, { slug });
  }

  byIds(em: EntityManager, ids: readonly string[]): Promise<Category[]> {
    return ids.length ? em.find(CategorySchema, { id: { $in: [...ids] } }) : Promise.resolve([]);
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    return (await em.count(CategorySchema, { id })) === 1;
  }
}
