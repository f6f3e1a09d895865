import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A set of countries (or regions of them) and how orders are delivered there. */
export const ShippingZoneSchema = defineEntity({
  name: 'ShippingZone',
  tableName: 'shipping_zone',
  properties: {
    id: p.uuid().primary(),
    /** Lower case, e.g. `eu`: how admins name the zone. */
    handle: p.string().length(64).unique(),
    name: p.string().length(200),
    /** Tax on delivery; null: the goods' rate at the address. */
    shippingTaxBasisPoints: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type ShippingZone = InferEntity<typeof ShippingZoneSchema>;

/** A country, or one region of it (`regionCode` '' is the whole country), in a zone; each in one zone at most. */
export const ShippingZoneCountrySchema = defineEntity({
  name: 'ShippingZoneCountry',
  tableName: 'shipping_zone_country',
  properties: {
    zone: () => p.manyToOne(ShippingZoneSchema).ref(),
    countryCode: p.string().length(2).primary(),
    regionCode: p.string().length(10).primary(),
  },
});
export type ShippingZoneCountry = InferEntity<typeof ShippingZoneCountrySchema>;

/** One way a zone's orders are delivered: Standard, Express, Pickup … */
export const DeliveryMethodSchema = defineEntity({
  name: 'DeliveryMethod',
  tableName: 'delivery_method',
  properties: {
    id: p.uuid().primary(),
    zone: () => p.manyToOne(ShippingZoneSchema).ref(),
    /** Unique within the zone, e.g. `express`: what a cart stores as its choice. */
    handle: p.string().length(64),
    title: p.string().length(200),
    /** Minor units. */
    price: p.integer(),
    /** Free from this discounted subtotal on; null: never free. */
    freeOver: p.integer().nullable(),
    minDays: p.integer().nullable(),
    maxDays: p.integer().nullable(),
    pickup: p.boolean().default(false),
    position: p.integer().default(0),
  },
});
export type DeliveryMethod = InferEntity<typeof DeliveryMethodSchema>;

/** A region's own tax rate (the country's is `shipping_country.tax_basis_points`). */
export const TaxRegionRateSchema = defineEntity({
  name: 'TaxRegionRate',
  tableName: 'tax_region_rate',
  properties: {
    countryCode: p.string().length(2).primary(),
    regionCode: p.string().length(10).primary(),
    taxBasisPoints: p.integer(),
  },
});
export type TaxRegionRate = InferEntity<typeof TaxRegionRateSchema>;

/** A customer's default address as the account subgraph last announced it (null: none). */
export const CustomerDefaultAddressSchema = defineEntity({
  name: 'CustomerDefaultAddress',
  tableName: 'customer_default_address',
  properties: {
    customerId: p.string().length(128).primary(),
    address: p.json<Record<string, unknown>>().nullable(),
    changedAt: p.datetime(),
  },
});
export type CustomerDefaultAddress = InferEntity<typeof CustomerDefaultAddressSchema>;
