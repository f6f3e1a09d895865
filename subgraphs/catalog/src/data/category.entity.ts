import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const CategorySchema = defineEntity({
  name: 'Category',
  tableName: 'category',
  properties: {
    id: p.uuid().primary(),
    slug: p.string().length(120).unique(),
    name: p.string().length(120),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type Category = InferEntity<typeof CategorySchema>;
