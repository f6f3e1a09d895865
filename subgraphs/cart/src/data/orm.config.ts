import { ormOptions, type OrmOptions } from '@shop/platform';
import { CartLineSchema, CartSchema } from './cart.entity.ts';
import { migrations } from './migrations/index.ts';

export function cartOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({ clientUrl, entities: [CartSchema, CartLineSchema], migrations: { migrationsList: migrations } });
}
