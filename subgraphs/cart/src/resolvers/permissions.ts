import type { IRules } from 'graphql-shield';
import { allow, isAdmin, isAuthenticated } from '@shop/platform';

/**
 * Cart mutations are open to guests (a guest cart is reached by its secret id); whose cart it is
 * gets checked inside each mutation's transaction, on the locked row (FORBIDDEN when not the
 * caller's, the same as for no cart at all). Merging needs a signed-in customer; rates and codes
 * are admin data. Anything not listed is denied.
 */
export const permissions: IRules = {
  Query: {
    discountCodes: isAdmin,
  },
  Mutation: {
    cartCreate: allow,
    cartLinesAdd: allow,
    cartLinesUpdate: allow,
    cartLinesRemove: allow,
    cartDiscountCodesUpdate: allow,
    cartBuyerIdentityUpdate: allow,
    cartMerge: isAuthenticated,
    cartCheckout: allow,
    discountCodeUpsert: isAdmin,
    shippingCountryUpsert: isAdmin,
  },
};
