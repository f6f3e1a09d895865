import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A category of the tree; `path` holds the ids from the root down to it ("/a/b/c/"). */
export const CategorySchema = defineEntity({
  name: 'Category',
  tableName: 'category',
  properties: {
    id: p.uuid().primary(),
    slug: p.string().length(120).unique(),
    name: p.string().length(120),
    /** null: a root. */
    parentId: p.uuid().nullable(),
    path: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type Category = InferEntity<typeof CategorySchema>;

/** The ids on a category's path, root first (its own last). */
export const pathIds = (path: string): string[] => path.split('/').filter(Boolean);
