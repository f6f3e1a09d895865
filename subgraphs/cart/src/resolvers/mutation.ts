import type { MutationResolvers } from '../generated/resolvers-types.ts';
import type { CartResult } from '../domain/cart-mutation.ts';
import { promotionMutations } from './promotion.ts';

const payload = (result: CartResult) => result;
/** GraphQL fills the default quantity; the type still says it may be absent. */
const lineInputs = (lines: ReadonlyArray<{ merchandiseId?: string | null; productId?: string | null; quantity?: number | null }>) =>
  lines.map((l) => ({ merchandiseId: l.merchandiseId, productId: l.productId, quantity: l.quantity ?? 1 }));

/** Thin: one service call each; ownership and status are checked inside the service's transaction. */
export const Mutation: MutationResolvers = {
  cartCreate: async (_root, args, ctx) => {
    let result: CartResult;
    let cart: { id: string };
    if (args.input?.lines?.length) {
      // The lines are added at once: the new cart is not read empty first.
      const created = await ctx.carts.createWithLines(ctx.identity, lineInputs(args.input.lines));
      cart = { id: created.id };
      result = created.result;
    } else {
      const created = await ctx.carts.create(ctx.identity);
      cart = created;
      result = { cart: created, userErrors: [], warnings: [] };
    }
    if (args.input?.buyerIdentity && result.userErrors.length === 0) {
      const identity = await ctx.carts.updateBuyerIdentity(cart.id, ctx.identity, args.input.buyerIdentity);
      result = { ...identity, warnings: [...result.warnings, ...identity.warnings] };
    }
    // The note is independent of the lines: set even when a line was refused, its own problems added to theirs.
    if (args.input?.note != null) {
      const noted = await ctx.carts.updateNote(cart.id, ctx.identity, args.input.note);
      const noteErrors = noted.userErrors.map((e) => ({ ...e, field: e.field && ['input', ...e.field] }));
      result = { cart: noted.cart, userErrors: [...result.userErrors, ...noteErrors], warnings: [...result.warnings, ...noted.warnings] };
    }
    return payload(result);
  },
  cartLinesAdd: async (_root, args, ctx) =>
    payload(await ctx.carts.addLines(args.cartId, ctx.identity, lineInputs(args.lines), args.expectedVersion)),
  cartLinesUpdate: async (_root, args, ctx) => payload(await ctx.carts.updateLines(args.cartId, ctx.identity, args.lines, args.expectedVersion)),
  cartLinesRemove: async (_root, args, ctx) => payload(await ctx.carts.removeLines(args.cartId, ctx.identity, args.lineIds, args.expectedVersion)),
  cartLinesRemoveAll: async (_root, args, ctx) => payload(await ctx.carts.removeAllLines(args.cartId, ctx.identity, args.expectedVersion)),
  cartNoteUpdate: async (_root, args, ctx) => payload(await ctx.carts.updateNote(args.cartId, ctx.identity, args.note, args.expectedVersion)),
  cartAttributesUpdate: async (_root, args, ctx) =>
    payload(await ctx.carts.updateAttributes(args.cartId, ctx.identity, args.attributes, args.expectedVersion)),
  cartDiscountCodesUpdate: async (_root, args, ctx) =>
    payload(await ctx.carts.updateDiscountCodes(args.cartId, ctx.identity, args.discountCodes, args.expectedVersion)),
  cartBuyerIdentityUpdate: async (_root, args, ctx) =>
    payload(await ctx.carts.updateBuyerIdentity(args.cartId, ctx.identity, args.buyerIdentity, args.expectedVersion)),
  cartMerge: async (_root, args, ctx) => payload(await ctx.carts.merge(ctx.identity, args.guestCartId, args.strategy ?? 'MERGE')),
  cartCheckout: (_root, args, ctx) => ctx.carts.checkout(args.cartId, ctx.identity, args.input),
  ...promotionMutations,
  shippingCountryUpsert: (_root, args, ctx) => ctx.settings.upsertShippingCountry(args.input),
  cartDeliveryOptionSelect: async (_root, args, ctx) =>
    payload(await ctx.carts.selectDeliveryOption(args.cartId, ctx.identity, args.handle, args.expectedVersion)),
  shippingZoneUpsert: (_root, args, ctx) => ctx.delivery.upsertZone(args.input),
  shippingZoneDelete: (_root, args, ctx) => ctx.delivery.deleteZone(args.handle),
  deliveryMethodUpsert: (_root, args, ctx) => ctx.delivery.upsertMethod(args.input),
  deliveryMethodDelete: (_root, args, ctx) => ctx.delivery.deleteMethod(args.zoneHandle, args.handle),
  taxRateUpsert: (_root, args, ctx) => ctx.delivery.upsertTaxRate(args.input),
};
