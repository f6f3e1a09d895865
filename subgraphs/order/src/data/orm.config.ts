import { ormOptions, type OrmOptions } from '@shop/platform';
import { OrderLineSchema, OrderSchema, OrderStatusChangeSchema } from './order.entity.ts';
import { migrations } from './migrations/index.ts';

export function orderOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({ clientUrl, entities: [OrderSchema, OrderLineSchema, OrderStatusChangeSchema], migrations: { migrationsList: migrations } });
}
