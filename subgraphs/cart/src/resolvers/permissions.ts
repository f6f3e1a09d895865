import type { IRules } from 'graphql-shield';
import { allow, ForbiddenError, isAdmin, isAuthenticated, rule } from '@shop/platform';
import type { Context } from '../context.ts';

/**
 * The caller may use the cart named by `cartId`: a guest cart by anyone holding its id, a
 * customer's cart by that customer or an admin. No such cart gets the same answer as someone
 * else's, so the error gives no hint. (The mutation re-checks on the locked row.)
 */
const ownsCart = rule({ cache: 'strict' })(async (_parent, args: { cartId: string }, ctx: Context) =>
  (await ctx.carts.view(args.cartId, ctx.identity)) ? true : new ForbiddenError('Cart not found or not yours'),
);

/** Merging needs a signed-in customer; rates, codes and promotions are admin data. Anything not listed is denied. */
export const permissions: IRules = {
  Query: {
    // A cart, the caller's customer and a checkout are checked against the caller in the service.
    cart: allow,
    me: allow,
    checkout: allow,
    shippingCountries: allow,
    discountCodes: isAdmin,
    promotions: isAdmin,
    shippingZones: isAdmin,
    taxRates: isAdmin,
  },
  Mutation: {
    cartCreate: allow,
    cartLinesAdd: ownsCart,
    cartLinesUpdate: ownsCart,
    cartLinesRemove: ownsCart,
    cartLinesRemoveAll: ownsCart,
    cartNoteUpdate: ownsCart,
    cartAttributesUpdate: ownsCart,
    cartDiscountCodesUpdate: ownsCart,
    cartBuyerIdentityUpdate: ownsCart,
    cartCheckout: ownsCart,
    cartMerge: isAuthenticated,
    discountCodeUpsert: isAdmin,
    promotionCreate: isAdmin,
    promotionUpdate: isAdmin,
    promotionArchive: isAdmin,
    shippingCountryUpsert: isAdmin,
    cartDeliveryOptionSelect: ownsCart,
    shippingZoneUpsert: isAdmin,
    shippingZoneDelete: isAdmin,
    deliveryMethodUpsert: isAdmin,
    deliveryMethodDelete: isAdmin,
    taxRateUpsert: isAdmin,
  },
};
