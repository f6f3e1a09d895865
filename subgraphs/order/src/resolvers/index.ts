import { DateTime, Decimal, DEFAULT_VARIANT_TITLE, ForbiddenError, hasAdminRole, money, pageSize, type CurrencyCode } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { displayNumber } from '../domain/order.service.ts';
import { canSeeCustomer } from '../domain/order-access.ts';
import type { OrderChangeResult } from '../domain/order-admin.service.ts';
import type { Context } from '../context.ts';

/** A mutation's answer: the order as committed (or as it is, when nothing changed). */
const payload = async (result: OrderChangeResult, ctx: Context) => ({
  order: result.orderId ? await ctx.freshOrder(result.orderId) : null,
  userErrors: result.userErrors,
});

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    order: (_root, args, ctx) => ctx.orderById.load(args.id),
    orderByNumber: (_root, args, ctx) => ctx.orders.byNumber(args.number, args.email, ctx.identity, ctx.holdsToken),
    // Admins see every order; a customer only their own (the rule requires a signed-in caller).
    orders: (_root, args, ctx) =>
      ctx.orders.list({
        customerId: hasAdminRole(ctx.identity) ? undefined : ctx.identity.sub!,
        status: args.status,
        first: pageSize(args.first, 20),
        after: args.after,
      }),
  },
  Mutation: {
    orderCancel: async (_root, args, ctx) => payload(await ctx.changes.cancel(args.id, ctx.identity, args.reason), ctx),
    orderShip: async (_root, args, ctx) => payload(await ctx.changes.ship(args.id, args.trackingNumber), ctx),
    orderDeliver: async (_root, args, ctx) => payload(await ctx.changes.deliver(args.id), ctx),
  },
  Customer: {
    __resolveReference: (ref) => ({ id: ref.id }),
    orders: (customer, args, ctx) => {
      if (!canSeeCustomer(customer.id, ctx.identity)) throw new ForbiddenError();
      return ctx.orders.listForCustomer(customer.id, pageSize(args.first, 10), args.after);
    },
  },
  Checkout: {
    __resolveReference: (ref) => ({ id: ref.id }),
    order: (checkout, _args, ctx) => ctx.orderById.load(checkout.id),
  },
  Order: {
    __resolveReference: (ref, ctx) => ctx.orderById.load(ref.id),
    number: (order) => displayNumber(order.number),
    attributes: (order) => order.attributes ?? [],
    // Initialized when the order came with them (by number, a page); else one batched read.
    lines: (order, _args, ctx) => (order.lines.isInitialized() ? order.lines.getItems() : ctx.linesByOrder.load(order.id)),
    discountAllocations: (order) => (order.discountAllocations ?? []).map((a) => ({ ...a, amount: money(a.amount, order.currency as CurrencyCode) })),
    statusHistory: (order, _args, ctx) => (order.statusHistory.isInitialized() ? order.statusHistory.getItems() : ctx.historyByOrder.load(order.id)),
    cost: (order) => {
      const m = (amount: number) => money(amount, order.currency as CurrencyCode);
      return {
        subtotalAmount: m(order.subtotalAmount),
        discountAmount: m(order.discountAmount),
        shippingAmount: m(order.shippingAmount),
        taxAmount: m(order.taxAmount),
        totalAmount: m(order.totalAmount),
        taxesIncluded: order.taxesIncluded,
      };
    },
    shippingLine: (order) =>
      order.deliveryMethod ? { ...order.deliveryMethod, price: money(order.shippingAmount, order.currency as CurrencyCode) } : null,
    shippingAddress: (order) => ({
      ...order.shippingAddress,
      line2: order.shippingAddress.line2 ?? null,
      province: order.shippingAddress.province ?? null,
    }),
  },
  OrderLine: {
    merchandise: (line) => ({ __typename: 'ProductVariant', id: line.variantId }),
    product: (line) => ({ __typename: 'Product', id: line.productId }),
    title: (line) => line.name,
    // A product without options has one variant, "Default Title": no variant title to show.
    variantTitle: (line) => (line.variantTitle && line.variantTitle !== DEFAULT_VARIANT_TITLE ? line.variantTitle : null),
    selectedOptions: (line) => line.selectedOptions,
    unitPrice: (line) => money(line.unitPriceAmount, line.order.getEntity().currency as CurrencyCode),
    discountAllocations: (line) =>
      (line.discountAllocations ?? []).map((a) => ({ ...a, amount: money(a.amount, line.order.getEntity().currency as CurrencyCode) })),
  },
};
