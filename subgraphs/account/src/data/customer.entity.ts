import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const CustomerSchema = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  properties: {
    id: p.uuid().primary(),
    email: p.string().length(254),
    /** argon2id, PHC string (parameters included, so a cost change keeps old hashes valid). */
    passwordHash: p.text().lazy(),
    roles: p.array<string>(),
    firstName: p.string().length(100).nullable(),
    lastName: p.string().length(100).nullable(),
    phone: p.string().length(32).nullable(),
    emailVerified: p.boolean(),
    acceptsMarketing: p.boolean(),
    defaultAddressId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type Customer = InferEntity<typeof CustomerSchema>;

export const CustomerAddressSchema = defineEntity({
  name: 'CustomerAddress',
  tableName: 'customer_address',
  properties: {
    id: p.uuid().primary(),
    customerId: p.uuid(),
    firstName: p.string().length(100).nullable(),
    lastName: p.string().length(100).nullable(),
    company: p.string().length(100).nullable(),
    address1: p.string().length(200),
    address2: p.string().length(200).nullable(),
    city: p.string().length(100),
    province: p.string().length(50).nullable(),
    postalCode: p.string().length(20),
    countryCode: p.string().length(2),
    phone: p.string().length(32).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type CustomerAddress = InferEntity<typeof CustomerAddressSchema>;
