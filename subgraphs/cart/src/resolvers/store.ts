import { formatMinor, money } from '@shop/platform';
import type { DiscountCodeResolvers, ShippingCountryResolvers } from '../generated/resolvers-types.ts';

export const DiscountCode: DiscountCodeResolvers = {
  // PERCENTAGE values are basis points: 1500 → "15.00" (percent).
  value: (row, _args, ctx) => (row.kind === 'PERCENTAGE' ? formatMinor(row.value, 'USD') : formatMinor(row.value, ctx.currency)),
  minimumSubtotal: (row, _args, ctx) => (row.minimumSubtotal == null ? null : money(row.minimumSubtotal, ctx.currency)),
  expiresAt: (row) => row.expiresAt ?? null,
  usageLimit: (row) => row.usageLimit ?? null,
  usageCount: (row) => row.usageCount,
};

export const ShippingCountry: ShippingCountryResolvers = {
  countryCode: (row) => row.countryCode,
  taxRate: (row) => formatMinor(row.taxBasisPoints, 'USD'),
  shippingAmount: (row, _args, ctx) => money(row.shippingAmount, ctx.currency),
  freeShippingOver: (row, _args, ctx) => (row.freeShippingOver == null ? null : money(row.freeShippingOver, ctx.currency)),
};
