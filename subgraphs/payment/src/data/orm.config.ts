import { ormOptions, type OrmOptions } from '@shop/platform';
import { PaymentSchema } from './payment.entity.ts';
import { migrations } from './migrations/index.ts';

export function paymentOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({ clientUrl, entities: [PaymentSchema], migrations: { migrationsList: migrations } });
}
