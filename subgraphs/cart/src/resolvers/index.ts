import { DateTime, Decimal, ForbiddenError, pageSize } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    cart: (_root, args, ctx) => ctx.carts.findVisible(args.id, ctx.identity),
    me: (_root, _args, ctx) => (ctx.identity.sub ? { id: ctx.identity.sub } : null),
  },
  Mutation: {
    cartCreate: async (_root, _args, ctx) => ({ cart: await ctx.carts.create(ctx.identity), userErrors: [] }),
  },
  Customer: {
    __resolveReference: (ref) => ({ id: ref.id }),
    cart: (customer, _args, ctx) => {
      if (ctx.identity.sub !== customer.id && !ctx.identity.roles.includes('admin')) throw new ForbiddenError();
      return ctx.carts.activeCartOf(customer.id);
    },
  },
  Cart: {
    __resolveReference: (ref, ctx) => ctx.carts.findVisible(ref.id, ctx.identity),
    lines: (cart, args, ctx) => ctx.carts.lines(cart, pageSize(args.first, 100), args.after),
    totalQuantity: (cart, _args, ctx) => ctx.totalQuantityByCart.load(cart.id),
  },
  CartLine: {
    product: (line) => ({ __typename: 'Product', id: line.productId }),
  },
};
