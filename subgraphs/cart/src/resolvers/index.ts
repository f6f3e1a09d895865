import { DateTime, Decimal } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { Cart, CartLine, Customer } from './cart.ts';
import { Mutation } from './mutation.ts';
import { DiscountCode, ShippingCountry } from './store.ts';
import { CartDeliveryOption, DeliveryMethod, ShippingZone, TaxRate } from './delivery.ts';
import { Promotion, promotionQueries } from './promotion.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    cart: (_root, args, ctx) => ctx.carts.view(args.id, ctx.identity),
    me: (_root, _args, ctx) => (ctx.identity.sub ? { id: ctx.identity.sub } : null),
    checkout: (_root, args, ctx) => ctx.carts.findCheckout(args.id, ctx.identity, ctx.orderAccessToken),
    ...promotionQueries,
    shippingCountries: (_root, _args, ctx) => ctx.settings.shippingCountries(),
    shippingZones: (_root, _args, ctx) => ctx.delivery.zones(),
    taxRates: (_root, _args, ctx) => ctx.delivery.taxRates(),
  },
  Checkout: {
    __resolveReference: (ref, ctx) => ctx.carts.findCheckout(ref.id, ctx.identity, ctx.orderAccessToken),
  },
  DiscountCode,
  Promotion,
  CartDeliveryOption,
  ShippingZone,
  DeliveryMethod,
  TaxRate,
  ShippingCountry,
  Mutation,
  Customer,
  Cart,
  CartLine,
};
