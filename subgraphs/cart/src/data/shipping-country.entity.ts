import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A country we ship to: its tax rate and shipping price, which price the carts shipping there. */
export const ShippingCountrySchema = defineEntity({
  name: 'ShippingCountry',
  tableName: 'shipping_country',
  properties: {
    /** ISO 3166-1 alpha-2, upper case. */
    countryCode: p.string().length(2).primary(),
    taxBasisPoints: p.integer(),
    shippingAmount: p.integer(),
    freeShippingOver: p.integer().nullable(),
  },
});

export type ShippingCountry = InferEntity<typeof ShippingCountrySchema>;
