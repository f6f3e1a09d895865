import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CATEGORY_CHANGED, isUuid, transaction, userError, userErrorsFromZod, type UnitOfWork, type UserError } from '@shop/platform';
import { CategoryRepository } from '../data/category.repository.ts';
import { pathIds, type Category } from '../data/category.entity.ts';
import { slugify } from './product-input.ts';

/** Deepest a category may sit (a root is depth 1): deep enough for any storefront menu. */
export const MAX_CATEGORY_DEPTH = 5;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const name = z.string().trim().min(1, 'Name is required').max(120, 'Name is at most 120 characters');
const slug = z
  .string()
  .trim()
  .min(1, 'Slug is required')
  .max(120, 'Slug is at most 120 characters')
  .regex(SLUG, 'Slug must be lowercase words joined by "-"');
const parentId = z.string().refine(isUuid, { message: 'No such category', params: { code: 'NOT_FOUND' } });
const createModel = z.object({ name, slug: slug.nullish(), parentId: parentId.nullish() });
const updateModel = z.object({ name: name.optional(), slug: slug.optional(), parentId: parentId.nullish() });

export type CategoryResult = { category: Category; userErrors: [] } | { category: null; userErrors: UserError[] };
const failed = (...userErrors: UserError[]): CategoryResult => ({ category: null, userErrors });
const notFound = (field: string[]) => userError('NOT_FOUND', 'No such category', field);

/**
 * Admin changes to the category tree, each one transaction; every input problem comes back as
 * userErrors. A move never makes a cycle (a category cannot go under itself or its descendants),
 * and a category is deleted only when no child and no live product hangs off it.
 */
export class CategoryAdminService {
  private readonly em: EntityManager;
  private readonly categories = new CategoryRepository();
  private readonly outbox: { notify(): void } | undefined;
  /** `outbox` is woken after a change commits, so its product.category.changed leaves at once (the gateway's entity cache listens). */
  constructor(em: EntityManager, outbox?: { notify(): void }) {
    this.em = em;
    this.outbox = outbox;
  }

  async create(input: unknown): Promise<CategoryResult> {
    const parsed = createModel.safeParse(input);
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error, ['input']));
    const data = parsed.data;
    const categorySlug = data.slug ?? (slugify(data.name) || 'category');
    return this.run(async (tx, emit) => {
      const parent = data.parentId ? await this.categories.lock(tx, data.parentId) : null;
      if (data.parentId && !parent) return failed(notFound(['input', 'parentId']));
      const id = randomUUID();
      const path = `${parent?.path ?? '/'}${id}/`;
      if (pathIds(path).length > MAX_CATEGORY_DEPTH) return failed(tooDeep(['input', 'parentId']));
      await this.categories.insert(tx, { id, slug: categorySlug, name: data.name, parentId: parent?.id ?? null, path });
      // The parent's children changed (a new root changes no category's own fields).
      if (parent) await emit(CATEGORY_CHANGED, { categoryIds: [parent.id], change: 'CREATED' });
      return this.found(tx, id);
    });
  }

  async update(id: string, input: unknown): Promise<CategoryResult> {
    const parsed = updateModel.safeParse(input);
    if (!parsed.success) return failed(...userErrorsFromZod(parsed.error, ['input']));
    const data = parsed.data;
    if (!isUuid(id)) return failed(notFound(['id']));
    return this.run(async (tx, emit) => {
      const category = await this.categories.lock(tx, id);
      if (!category) return failed(notFound(['id']));
      const moves = data.parentId !== undefined && data.parentId !== (category.parentId ?? null);
      // Every check before any write: a refused update changes nothing.
      const parent = moves && data.parentId ? await this.categories.lock(tx, data.parentId) : null;
      let newPath: string | null = null;
      if (moves) {
        if (data.parentId && !parent) return failed(notFound(['input', 'parentId']));
        // Its own path is a prefix of every descendant's: under any of them it would be its own ancestor.
        if (parent && parent.path.startsWith(category.path))
          return failed(userError('INVALID', 'A category cannot move under itself or one of its descendants', ['input', 'parentId']));
        newPath = `${parent?.path ?? '/'}${id}/`;
        if (pathIds(newPath).length + (await this.subtreeDepth(tx, category)) - 1 > MAX_CATEGORY_DEPTH) return failed(tooDeep(['input', 'parentId']));
      }
      await this.categories.rename(tx, id, {
        ...(data.name !== undefined && { name: data.name }),
        ...(data.slug !== undefined && { slug: data.slug }),
      });
      if (newPath) await this.categories.move(tx, category, parent?.id ?? null, newPath);
      // Itself, and the parents that lost and gained it as a child (descendants' entries name it among their ancestors).
      const parents = moves ? [category.parentId, parent?.id] : [];
      await emit(CATEGORY_CHANGED, { categoryIds: [id, ...parents.filter((p): p is string => !!p)], change: 'UPDATED' });
      return this.found(tx, id);
    });
  }

  async delete(id: string): Promise<{ deletedCategoryId: string | null; userErrors: UserError[] }> {
    if (!isUuid(id)) return { deletedCategoryId: null, userErrors: [notFound(['id'])] };
    return transaction(
      this.em,
      async ({ em: tx, emit }) => {
        const category = await this.categories.lock(tx, id);
        if (!category) return { deletedCategoryId: null, userErrors: [notFound(['id'])] };
        const use = await this.categories.inUse(tx, id);
        if (use.children || use.products) {
          const what = use.children ? 'subcategories' : 'products';
          return {
            deletedCategoryId: null,
            userErrors: [userError('CONFLICT', `The category still has ${what}: move or delete them first`, ['id'])],
          };
        }
        await this.categories.remove(tx, id);
        await emit(CATEGORY_CHANGED, { categoryIds: [id, ...(category.parentId ? [category.parentId] : [])], change: 'DELETED' });
        return { deletedCategoryId: id, userErrors: [] };
      },
      { outbox: this.outbox },
    );
  }

  /** Levels in the subtree rooted at `category`, itself included. */
  private async subtreeDepth(tx: EntityManager, category: Pick<Category, 'path'>): Promise<number> {
    const below = await this.categories.pathsUnder(tx, category.path);
    const base = pathIds(category.path).length;
    return Math.max(...below.map((path) => pathIds(path).length - base + 1));
  }

  private async found(tx: EntityManager, id: string): Promise<CategoryResult> {
    const [category] = await this.categories.byIds(tx, [id]);
    return { category: category!, userErrors: [] };
  }

  /** One transaction; a slug another category has is TAKEN. */
  private async run(work: (tx: EntityManager, emit: UnitOfWork['emit']) => Promise<CategoryResult>): Promise<CategoryResult> {
    try {
      return await transaction(this.em, ({ em, emit }) => work(em, emit), { outbox: this.outbox });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException)
        return failed(userError('TAKEN', 'Another category already has this slug', ['input', 'slug']));
      throw error;
    }
  }
}

const tooDeep = (field: string[]) => userError('TOO_LARGE', `Categories nest at most ${MAX_CATEGORY_DEPTH} levels deep`, field);
