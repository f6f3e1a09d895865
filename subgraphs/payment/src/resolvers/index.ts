import { DateTime, Decimal, money, type CurrencyCode } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Order: {
    __resolveReference: (ref) => ({ id: ref.id }),
    payment: (order, _args, ctx) => ctx.paymentByOrderId.load(order.id),
  },
  Payment: {
    __resolveReference: (ref, ctx) => ctx.paymentById.load(ref.id),
    amount: (payment) => money(payment.amount, payment.currency as CurrencyCode),
  },
};
