import type { IRules } from 'graphql-shield';
import { allow, isAdmin } from '@shop/platform';

/** Catalog reads are public except the admin views; every mutation is admin-only (others: FORBIDDEN). */
export const permissions: IRules = {
  Query: {
    products: allow,
    product: allow,
    categories: allow,
    category: allow,
    lowStockProducts: isAdmin,
  },
  Mutation: {
    productCreate: isAdmin,
    productUpdate: isAdmin,
    productDelete: isAdmin,
    productVariantCreate: isAdmin,
    productVariantUpdate: isAdmin,
    productVariantDelete: isAdmin,
    inventoryAdjust: isAdmin,
    categoryCreate: isAdmin,
    categoryUpdate: isAdmin,
    categoryDelete: isAdmin,
  },
};
