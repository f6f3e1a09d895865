import { ormOptions, type OrmOptions } from '@shop/platform';
import { CartDiscountCodeSchema, CartLineSchema, CartSchema } from './cart.entity.ts';
import { CheckoutSchema } from './checkout.entity.ts';
import { DiscountCodeSchema } from './discount-code.entity.ts';
import { PromotionSchema, PromotionUsageSchema } from './promotion.entity.ts';
import { ShippingCountrySchema } from './shipping-country.entity.ts';
import {
  CustomerDefaultAddressSchema,
  DeliveryMethodSchema,
  ShippingZoneCountrySchema,
  ShippingZoneSchema,
  TaxRegionRateSchema,
} from './shipping-zone.entity.ts';
import { migrations } from './migrations/index.ts';

export function cartOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({
    clientUrl,
    entities: [
      CartSchema,
      CartLineSchema,
      CartDiscountCodeSchema,
      DiscountCodeSchema,
      ShippingCountrySchema,
      CheckoutSchema,
      ShippingZoneSchema,
      ShippingZoneCountrySchema,
      DeliveryMethodSchema,
      TaxRegionRateSchema,
      CustomerDefaultAddressSchema,
      PromotionSchema,
      PromotionUsageSchema,
    ],
    migrations: { migrationsList: migrations },
  });
}
