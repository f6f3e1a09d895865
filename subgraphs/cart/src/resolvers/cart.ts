import { BadUserInputError, decodeCursor, encodeCursor, ForbiddenError, hasAdminRole, money, pageSize, type CurrencyCode } from '@shop/platform';
import type { CartLineResolvers, CartResolvers, CustomerResolvers } from '../generated/resolvers-types.ts';

const cursorOf = (lineId: string) => encodeCursor([lineId]);

/**
 * The index of the line a cursor names. One of another cart, or removed since, is refused like a
 * malformed one: starting over at the first page would show lines twice.
 */
function lineAfter(lines: ReadonlyArray<{ id: string }>, after: string): number {
  const [lineId] = decodeCursor<[string]>(after, 1);
  const index = lines.findIndex((l) => l.id === lineId);
  if (index < 0) throw new BadUserInputError('Invalid cursor', ['after']);
  return index;
}

export const Cart: CartResolvers = {
  __resolveReference: (ref, ctx) => ctx.carts.view(ref.id, ctx.identity),
  // At most 250 lines live in the one cached copy, so pages are cut from it in memory.
  lines: (cart, args) => {
    const first = pageSize(args.first, 100);
    const start = args.after ? lineAfter(cart.lines, args.after) + 1 : 0;
    const page = cart.lines.slice(start, start + first);
    return {
      edges: page.map((node) => ({ cursor: cursorOf(node.id), node })),
      pageInfo: {
        hasNextPage: start + first < cart.lines.length,
        hasPreviousPage: start > 0,
        startCursor: page[0] ? cursorOf(page[0].id) : null,
        endCursor: page.at(-1) ? cursorOf(page.at(-1)!.id) : null,
      },
      totalCount: cart.lines.length,
    };
  },
  totalQuantity: (cart) => cart.lines.reduce((sum, l) => sum + l.quantity, 0),
  cost: (cart) => {
    const m = (amount: number) => money(amount, cart.currency as CurrencyCode);
    const t = cart.totals;
    // A free-delivery promotion is a discount: shipping is shown before it, so total = subtotal − discount + shipping (+ tax).
    return {
      subtotalAmount: m(t.subtotal),
      discountAmount: m(t.discount + t.deliveryDiscount),
      shippingAmount: m(t.shipping + t.deliveryDiscount),
      taxAmount: m(t.tax),
      totalAmount: m(t.total),
      isEstimate: cart.isEstimate,
      taxesIncluded: t.taxesIncluded,
    };
  },
  // Copies cached before promotions were wired lack them (and are no longer served: see the cache key).
  discountAllocations: (cart) =>
    (cart.discountAllocations ?? []).map((a) => ({ title: a.title, code: a.code, amount: money(a.amount, cart.currency as CurrencyCode) })),
  discountCodes: (cart) => cart.discountCodes.map((c) => ({ code: c.code, applicable: c.applicable })),
  deliveryOptions: (cart) => cart.deliveryOptions,
  selectedDeliveryOption: (cart) => cart.deliveryOptions.find((o) => o.handle === cart.selectedDeliveryHandle) ?? null,
  // Copies cached before notes and attributes existed lack them.
  note: (cart) => cart.note ?? null,
  attributes: (cart) => cart.attributes ?? [],
  buyerIdentity: (cart) =>
    cart.email || cart.countryCode || cart.phone
      ? {
          email: cart.email,
          phone: cart.phone,
          countryCode: cart.countryCode,
          deliveryAddress: cart.deliveryAddress,
          billingAddress: cart.billingAddress ?? cart.deliveryAddress,
        }
      : null,
};

export const CartLine: CartLineResolvers = {
  merchandise: (line) => ({ __typename: 'ProductVariant', id: line.variantId }),
  product: (line) => ({ __typename: 'Product', id: line.productId }),
  unitPrice: (line, _args, ctx) => money(line.unitPriceAmount, ctx.currency),
  cost: (line, _args, ctx) => ({ subtotalAmount: money(line.unitPriceAmount * line.quantity, ctx.currency) }),
  discountAllocations: (line, _args, ctx) =>
    (line.discountAllocations ?? []).map((a) => ({ title: a.title, code: a.code, amount: money(a.amount, ctx.currency) })),
};

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  cart: (customer, _args, ctx) => {
    if (ctx.identity.sub !== customer.id && !hasAdminRole(ctx.identity)) throw new ForbiddenError();
    return ctx.carts.activeCartOf(customer.id);
  },
};
