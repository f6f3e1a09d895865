import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE, uuidArray } from '@shop/platform';
import { ProductSchema } from './product.entity.ts';
import { CategorySchema, pathIds, type Category } from './category.entity.ts';

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

  /** The children of many categories in one query, by name. */
  childrenOf(em: EntityManager, parentIds: readonly string[]): Promise<Category[]> {
    return parentIds.length
      ? em.find(CategorySchema, { parentId: { $in: [...parentIds] } }, { orderBy: { name: 'asc', id: 'asc' } })
      : Promise.resolve([]);
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    return (await em.count(CategorySchema, { id })) === 1;
  }

  /** The category, locked until the transaction ends (moves and deletes of one subtree apply one at a time). */
  lock(tx: EntityManager, id: string): Promise<Category | null> {
    return tx.findOne(CategorySchema, { id }, FOR_UPDATE);
  }

  insert(tx: EntityManager, category: Pick<Category, 'id' | 'slug' | 'name' | 'parentId' | 'path'>): Promise<unknown> {
    return tx.insert(CategorySchema, { ...category, createdAt: new Date() });
  }

  async rename(tx: EntityManager, id: string, changes: { name?: string; slug?: string }): Promise<void> {
    if (Object.keys(changes).length) await tx.nativeUpdate(CategorySchema, { id }, changes);
  }

  /** Moves a subtree: the category gets its new parent, and every path under it the new prefix. */
  async move(tx: EntityManager, category: Pick<Category, 'id' | 'path'>, parentId: string | null, newPath: string): Promise<void> {
    await tx.nativeUpdate(CategorySchema, { id: category.id }, { parentId });
    // Raw: rewrites every path of the subtree from its own value, in one statement.
    await tx.execute('update category set path = ? || substring(path from ?) where path like ?', [
      newPath,
      category.path.length + 1,
      `${category.path}%`,
    ]);
  }

  /** Whether anything still hangs off the category: children, or live products (a deleted product's category is cleared). */
  async inUse(tx: EntityManager, id: string): Promise<{ children: boolean; products: boolean }> {
    const children = await tx.count(CategorySchema, { parentId: id });
    const products = await tx.count(ProductSchema, { category: id, deletedAt: null });
    return { children: children > 0, products: products > 0 };
  }

  /** The ids of a category and every category below it, and its depth (a top-level one is 1); no ids and depth 0 when there is no such category. */
  async subtree(em: EntityManager, category: { id: string } | { slug: string }): Promise<{ ids: string[]; depth: number }> {
    const by = 'id' in category ? { id: category.id } : { slug: category.slug };
    const root = await em.findOne(CategorySchema, by, { fields: ['path'] });
    if (!root) return { ids: [], depth: 0 };
    return { ids: (await this.pathsUnder(em, root.path)).map((path) => pathIds(path).at(-1)!), depth: pathIds(root.path).length };
  }

  /** `subtree` of many categories in one statement, by category id (an unknown id is absent). */
  async subtrees(em: EntityManager, ids: readonly string[]): Promise<Map<string, { ids: string[]; depth: number }>> {
    const found = new Map<string, { ids: string[]; depth: number }>();
    if (ids.length === 0) return found;
    // Raw: a self-join on the path prefix, the category's own row included.
    const rows = await em.execute<Array<{ root: string; rootPath: string; id: string }>>(
      `select c.id as root, c.path as "rootPath", d.id from category c join category d on d.path like c.path || '%'
        where c.id = any(?::uuid[]) order by c.id, d.path`,
      [uuidArray(ids)],
    );
    for (const row of rows) {
      const subtree = found.get(row.root) ?? { ids: [], depth: pathIds(row.rootPath).length };
      subtree.ids.push(row.id);
      found.set(row.root, subtree);
    }
    return found;
  }

  /** The paths of a subtree (the category's own included). */
  async pathsUnder(tx: EntityManager, path: string): Promise<string[]> {
    const rows = await tx.find(CategorySchema, { path: { $like: `${path}%` } }, { fields: ['path'] });
    return rows.map((row) => row.path);
  }

  remove(tx: EntityManager, id: string): Promise<number> {
    return tx.nativeDelete(CategorySchema, { id });
  }
}
