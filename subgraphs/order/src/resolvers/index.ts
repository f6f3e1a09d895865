import { DateTime, Decimal, ForbiddenError, money, pageSize, type CurrencyCode } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { displayNumber } from '../domain/order.service.ts';
import { canSeeCustomer } from '../domain/order-access.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    order: (_root, args, ctx) => ctx.orderById.load(args.id),
  },
  Customer: {
    __resolveReference: (ref) => ({ id: ref.id }),
    orders: (customer, args, ctx) => {
      if (!canSeeCustomer(customer.id, ctx.identity)) throw new ForbiddenError();
      return ctx.orders.listForCustomer(customer.id, pageSize(args.first, 10), args.after);
    },
  },
  Order: {
    __resolveReference: (ref, ctx) => ctx.orderById.load(ref.id),
    number: (order) => displayNumber(order.number),
    lines: (order) => order.lines.getItems(),
    statusHistory: (order) => order.statusHistory.getItems(),
  },
  OrderLine: {
    product: (line) => ({ __typename: 'Product', id: line.productId }),
    unitPrice: (line) => money(line.unitPriceAmount, line.order.getEntity().currency as CurrencyCode),
  },
};
