import { ormOptions, type OrmOptions } from '@shop/platform';
import { PaymentSchema } from './payment.entity.ts';
import { RefundSchema } from './refund.entity.ts';
import { SimulatorChargeSchema } from './simulator-charge.entity.ts';
import { migrations } from './migrations/index.ts';

export function paymentOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({ clientUrl, entities: [PaymentSchema, RefundSchema, SimulatorChargeSchema], migrations: { migrationsList: migrations } });
}
