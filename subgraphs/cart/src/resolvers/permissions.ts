import type { IRules } from 'graphql-shield';
import { allow } from '@shop/platform';

/**
 * Cart mutations are open to guests (a guest cart is reached by its secret id); ownership of a
 * customer's cart is checked in the service because it depends on the row. Anything not listed
 * is denied.
 */
export const permissions: IRules = {
  Mutation: {
    cartCreate: allow,
  },
};
