import { formatMinor, money } from '@shop/platform';
import type { DiscountCodeResolvers, ShippingCountryResolvers } from '../generated/resolvers-types.ts';

export const DiscountCode: DiscountCodeResolvers = {
  // PERCENTAGE values are basis points: 1500 → "15.00" (percent).
  value: (row, _args, ctx) => (row.kind === 'PERCENTAGE' ? formatMinor(row.value, 'USD') : formatMinor(row.value, ctx.currency)),
  minimumSubtotal: (row, _args, ctx) => (row.minimum_subtotal === null ? null : money(row.minimum_subtotal, ctx.currency)),
  expiresAt: (row) => row.expires_at,
  usageLimit: (row) => row.usage_limit,
  usageCount: (row) => row.usage_count,
};

export const ShippingCountry: ShippingCountryResolvers = {
  countryCode: (row) => row.country_code,
  taxRate: (row) => formatMinor(row.tax_basis_points, 'USD'),
  shippingAmount: (row, _args, ctx) => money(row.shipping_amount, ctx.currency),
  freeShippingOver: (row, _args, ctx) => (row.free_shipping_over === null ? null : money(row.free_shipping_over, ctx.currency)),
};
