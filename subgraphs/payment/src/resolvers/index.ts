import { amountRefusal, DateTime, Decimal, money, parseDecimal, type CurrencyCode } from '@shop/platform';
import type { Resolvers, Refund } from '../generated/resolvers-types.ts';
import type { RefundRow, RefundUserError } from '../domain/refund.service.ts';

const refundView = (row: RefundRow): Refund => ({
  id: row.id,
  amount: money(row.amount, row.currency as CurrencyCode),
  status: row.status,
  createdAt: row.createdAt,
});
const failed = (...userErrors: RefundUserError[]) => ({ refund: null, payment: null, userErrors });

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Order: {
    __resolveReference: (ref) => ({ id: ref.id }),
    payment: (order, _args, ctx) => ctx.paymentByOrderId.load(order.id),
    refunds: async (order, _args, ctx) => {
      const payment = await ctx.paymentByOrderId.load(order.id);
      return payment ? (await ctx.refundsByPaymentId.load(payment.id)).map(refundView) : [];
    },
  },
  Payment: {
    __resolveReference: (ref, ctx) => ctx.paymentById.load(ref.id),
    amount: (payment) => money(payment.amount, payment.currency as CurrencyCode),
    refundedAmount: (payment) => money(payment.refundedAmount, payment.currency as CurrencyCode),
  },
  Mutation: {
    paymentRefund: async (_root, { paymentId, amount, idempotencyKey }, ctx) => {
      // Admin only (permissions.ts), so visibility is not a question here; the amount is read in
      // the payment's own currency.
      const payment = await ctx.paymentById.load(paymentId);
      if (!payment) return failed({ field: ['paymentId'], message: 'No such payment.', code: 'NOT_FOUND' });
      let minor: number | null = null;
      if (amount !== null && amount !== undefined) {
        const parsed = parseDecimal(amount, payment.currency as CurrencyCode);
        if (!parsed.ok)
          return {
            refund: null,
            payment: null,
            userErrors: [{ field: ['amount'], ...amountRefusal(parsed.reason, payment.currency as CurrencyCode) }],
          };
        minor = parsed.minor;
      }
      const result = await ctx.refunds.refund(payment.id, minor, idempotencyKey);
      return {
        refund: result.refund ? refundView(result.refund) : null,
        payment: result.refund ? await ctx.freshPayment(payment.id) : null,
        userErrors: result.userErrors,
      };
    },
  },
};
