import { formatMinor, money } from '@shop/platform';
import type { CartDeliveryOptionResolvers, DeliveryMethodResolvers, ShippingZoneResolvers, TaxRateResolvers } from '../generated/resolvers-types.ts';

// Rates are basis points: 725 → "7.25" (percent).
const percent = (basisPoints: number) => formatMinor(basisPoints, 'USD');

export const CartDeliveryOption: CartDeliveryOptionResolvers = {
  cost: (option, _args, ctx) => money(option.cost, ctx.currency),
};

export const ShippingZone: ShippingZoneResolvers = {
  id: (z) => z.zone.id,
  handle: (z) => z.zone.handle,
  name: (z) => z.zone.name,
  countries: (z) => z.countries,
  shippingTaxRate: (z) => (z.zone.shippingTaxBasisPoints == null ? null : percent(z.zone.shippingTaxBasisPoints)),
  deliveryMethods: (z) => z.methods,
};

export const DeliveryMethod: DeliveryMethodResolvers = {
  price: (m, _args, ctx) => money(m.price, ctx.currency),
  freeOver: (m, _args, ctx) => (m.freeOver == null ? null : money(m.freeOver, ctx.currency)),
  minDeliveryDays: (m) => m.minDays ?? null,
  maxDeliveryDays: (m) => m.maxDays ?? null,
};

export const TaxRate: TaxRateResolvers = {
  rate: (r) => percent(r.taxBasisPoints),
};
