import { ormOptions, type OrmOptions } from '@shop/platform';
import { CategorySchema } from './category.entity.ts';
import { ProductSchema } from './product.entity.ts';
import { ProductVariantSchema } from './product-variant.entity.ts';
import { InventoryAdjustmentSchema } from './inventory/inventory-adjustment.entity.ts';
import { StockReservationLineSchema, StockReservationSchema } from './inventory/stock-reservation.entity.ts';
import { migrations } from './migrations/index.ts';

export function catalogOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({
    clientUrl,
    entities: [CategorySchema, ProductSchema, ProductVariantSchema, StockReservationSchema, StockReservationLineSchema, InventoryAdjustmentSchema],
    migrations: { migrationsList: migrations },
  });
}
