import { ormOptions, type OrmOptions } from '@shop/platform';
import { CustomerAddressSchema, CustomerSchema } from './customer.entity.ts';
import { OneTimeTokenSchema, RefreshTokenSchema, SigningKeySchema } from './token.entity.ts';
import { NotificationOrderSchema, SentEmailSchema } from './notification.entity.ts';
import { migrations } from './migrations/index.ts';

export function accountOrmOptions(clientUrl: string): OrmOptions {
  return ormOptions({
    clientUrl,
    entities: [
      CustomerSchema,
      CustomerAddressSchema,
      RefreshTokenSchema,
      OneTimeTokenSchema,
      SigningKeySchema,
      NotificationOrderSchema,
      SentEmailSchema,
    ],
    migrations: { migrationsList: migrations },
  });
}
