import { DateTime, Decimal } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { Query } from './query.ts';
import { Mutation } from './mutation.ts';
import { CategoryMutation } from './category.ts';
import { Category, Product, ProductConnection, ProductVariant } from './product.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query,
  Mutation: { ...Mutation, ...CategoryMutation },
  Product,
  ProductConnection,
  ProductVariant,
  Category,
};
