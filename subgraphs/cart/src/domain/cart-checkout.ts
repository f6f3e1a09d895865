import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CHECKOUT_REQUESTED,
  ForbiddenError,
  formatMoney,
  MAX_AMOUNT_MINOR,
  parseDecimal,
  userError,
  userErrorsFromZod,
  type CheckoutRequested,
  type CurrencyCode,
  type Identity,
  type ProductLookupItem,
  type UnitOfWork,
  type UserError,
} from '@shop/platform';
import { cartVariantIds, confirmLines } from '../data/cart-line.repository.ts';
import { lockCartWithBuyer, touchCart } from '../data/cart.repository.ts';
import { loadCartView, type CartView } from './cart-view.ts';
import { findCheckoutByKey, startCheckout, type CheckoutRecord } from '../data/checkout.repository.ts';
import { claimPromotionUsages } from '../data/promotion-usage.repository.ts';
import { shipsTo } from '../data/shipping.repository.ts';
import { canAccessCart } from './cart-access.ts';
import { cartStatusPhrase } from './cart-rules.ts';
import { toShippingAddress } from './cart-address.ts';
import { applyCheckoutBuyer, checkoutBuyer } from './checkout-buyer.ts';
import { checkoutAddressModel, checkoutInputModel } from './checkout-input.ts';
import { checkLines } from './checkout-lines.ts';
import { refreshAfterCommit, type CartMutationDeps } from './cart-mutation.ts';
import { catalogNeededForCheckout, catalogOrSnapshot, type ProductLookup } from './catalog-snapshot.ts';
import { countCheckout } from './cart-metrics.ts';

export interface CheckoutView {
  id: string;
  cartId: string;
  customerId: string | null;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
}

export interface CheckoutResult {
  checkout: CheckoutView | null;
  userErrors: UserError[];
}

/** Found inside the checkout transaction (discounts ran out, a total too large): undo all of it. */
class CheckoutRefused extends Error {
  readonly userErrors: UserError[];
  constructor(...userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
    this.userErrors = userErrors;
  }
}

/** The shipping country of an input that did not parse as a whole, when that part is well formed. */
function countryOf(rawInput: unknown): string | null {
  const parsed = checkoutAddressModel.shape.countryCode.safeParse(
    (rawInput as { shippingAddress?: { countryCode?: unknown } } | null)?.shippingAddress?.countryCode,
  );
  return parsed.success ? parsed.data : null;
}

export interface CheckoutDeps extends CartMutationDeps {
  lookup: ProductLookup;
  /** Without the catalog, how recently it must have confirmed every line. */
  snapshotMaxAgeSeconds: number;
}

const REFUSAL_WORDS = {
  USAGE_LIMIT_REACHED: 'has been used up',
  CUSTOMER_USAGE_LIMIT_REACHED: 'has already been used on your account',
  NOT_ACTIVE: 'has ended',
};

/**
 * One use of every promotion the total includes, all or none (late in the transaction: the claim
 * holds the promotions' rows until the commit). A refusal rolls the whole checkout back, naming
 * the code or the promotion; a failed order gives the uses back (cart-fate.ts).
 */
async function claimPromotions(tx: EntityManager, view: CartView, customerId: string | null, checkoutId: string): Promise<void> {
  const applied = view.appliedPromotions;
  const claim = await claimPromotionUsages(tx, { promotionIds: applied.map((p) => p.promotionId), customerId, checkoutId });
  if (claim.ok) return;
  const byId = new Map(applied.map((p) => [p.promotionId, p]));
  throw new CheckoutRefused(
    ...claim.refused.map(({ promotionId, reason }) => {
      const p = byId.get(promotionId);
      const name = p?.code ? `Discount code ${p.code}` : `The promotion "${p?.title ?? 'discount'}"`;
      const next = p?.code ? 'remove it to check out' : 'review your cart and check out again';
      return userError('DISCOUNT_EXPIRED', `${name} ${REFUSAL_WORDS[reason]}; ${next}`, ['discountCodes']);
    }),
  );
}

const iso = (at: Date | string) => new Date(at).toISOString();

const toView = (c: CheckoutRecord): CheckoutView => ({ id: c.id, cartId: c.cartId, customerId: c.customerId ?? null, status: c.status });

/**
 * Check out: validate the input and every line against the catalog, claim discount usage, freeze
 * the cart (CHECKING_OUT) and write checkout.requested to the outbox — all in one transaction.
 * A changed price is written to the cart (so the shopper sees it) and refused as PRICE_CHANGED;
 * the same idempotency key returns the first checkout, however many requests race. When the
 * catalog cannot be reached, the lines' recently confirmed snapshot stands in for it (checkLines),
 * or the checkout is refused with SERVICE_UNAVAILABLE; the outbox holds the event until NATS is back.
 */
export async function checkout(deps: CheckoutDeps, cartId: string, identity: Identity, rawInput: unknown): Promise<CheckoutResult> {
  // A malformed input is refused, but only after the lines are checked too: every problem in one answer.
  const parsed = checkoutInputModel.safeParse(rawInput);
  const inputErrors = parsed.success ? [] : userErrorsFromZod(parsed.error, ['input']);
  const input = parsed.data;
  // The input's country when only it can be judged (the input as a whole did not parse).
  const country = input ? null : countryOf(rawInput);

  const variantIds = await cartVariantIds(deps.em, cartId);
  const products = variantIds.length ? await catalogOrSnapshot(deps.lookup, variantIds) : new Map<string, ProductLookupItem>();

  let outcome;
  try {
    // The unit of work wakes the outbox after the commit, so checkout.requested leaves at once.
    outcome = await deps.transaction(async ({ em: tx, emit, afterCommit }) => {
      const result = await inTransaction(tx, emit);
      // The frozen cart as this transaction read it is the fresh copy (no second read); else read it again.
      if (result.frozen) afterCommit(() => deps.store(result.frozen!));
      else if (result.changed) refreshAfterCommit(deps, afterCommit, cartId);
      return result;
    });
  } catch (error) {
    // Rolled back: no claim, no freeze, no event.
    if (error instanceof CheckoutRefused) return { checkout: null, userErrors: error.userErrors };
    throw error;
  }
  if (outcome.kind === 'refused') return { checkout: null, userErrors: outcome.errors };
  // `changed`: this request started the checkout (a replayed idempotency key changes nothing).
  if (outcome.changed) countCheckout();
  return { checkout: outcome.checkout, userErrors: [] };

  async function inTransaction(tx: EntityManager, emit: UnitOfWork['emit']) {
    // The buyer's fields come with the lock (one statement fewer than reading them next).
    const cart = await lockCartWithBuyer(tx, cartId);
    if (!cart || !canAccessCart({ customerId: cart.customerId }, identity)) throw new ForbiddenError('Cart not found or not yours');
    const earlier = input && (await findCheckoutByKey(tx, cartId, input.idempotencyKey));
    if (earlier) return { kind: 'done' as const, checkout: toView(earlier), changed: false };
    if (cart.status !== 'ACTIVE')
      return {
        kind: 'refused' as const,
        errors: [userError('CART_NOT_ACTIVE', cartStatusPhrase(cart.status), ['cartId']), ...inputErrors],
        changed: false,
      };

    const check = await checkLines(tx, cartId, products, deps.snapshotMaxAgeSeconds);
    const { repriced, unconfirmed } = check;
    const errors = [...inputErrors, ...check.errors];
    // Email, address and delivery: the input's, else the cart's buyer identity.
    const buyer = input && (await checkoutBuyer(tx, cart.buyer, input));
    if (buyer) errors.push(...buyer.errors);
    const expected = input?.expectedTotal ? parseDecimal(input.expectedTotal, cart.currency as CurrencyCode) : null;
    if (expected && !expected.ok)
      errors.push(userError('INVALID', `The expected total must be an amount in ${cart.currency} like "25.00"`, ['input', 'expectedTotal']));
    if (country && !(await shipsTo(tx, country)))
      errors.push(userError('UNSUPPORTED_COUNTRY', `We do not ship to ${country}`, ['input', 'shippingAddress', 'countryCode']));
    if (errors.length || !input || !buyer) {
      // Keep what the shopper must see (new prices, lines now unavailable); start no checkout. Only
      // the input at fault: the cart is as it was.
      const changed = errors.length > inputErrors.length;
      await confirmLines(tx, check.confirmed);
      if (changed) await touchCart(tx, cartId, deps.expiresAt(cart.customerId != null));
      return { kind: 'refused' as const, errors, changed, repriced };
    }
    // Rolled back: nothing changes, the client may retry once the catalog answers again.
    if (unconfirmed) throw catalogNeededForCheckout();

    await applyCheckoutBuyer(tx, cartId, input, buyer, deps.pricing);
    const view = (await loadCartView(tx, cartId, deps.pricing))!;
    // Only what the total counts is ordered: a line left out of it (unavailable) must never ship unpaid.
    const uncounted = view.lines.filter((l) => !l.available);
    if (uncounted.length)
      throw new CheckoutRefused(
        ...uncounted.map((l) => userError('OUT_OF_STOCK', `${l.name} is unavailable; remove it to check out`, ['lines', l.id])),
      );
    const delivery = view.deliveryOptions.find((o) => o.handle === view.selectedDeliveryHandle);
    if (!delivery)
      throw new CheckoutRefused(userError('UNSUPPORTED_COUNTRY', 'No delivery option is available for this address', ['input', 'shippingAddress']));
    // A code that can no longer be used (expired, used up since it was added) refuses the checkout,
    // so nobody pays full price by surprise; one whose conditions are not met simply does not apply.
    // Its problem says why, in the words the claim's refusal uses when a racing checkout used it up;
    // before the total check, whose TOTAL_CHANGED would not name the code (and the retry would meet it).
    const spent = view.discountCodes
      .filter((c) => c.refusal && c.refusal !== 'DISCOUNT_NOT_FOUND')
      .map((c) => userError('DISCOUNT_EXPIRED', `${c.problem}; remove it to check out`, ['discountCodes']));
    if (spent.length) throw new CheckoutRefused(...spent);
    // The total shown is the total charged: anything else is refused, and the cart (its version
    // moved on, its fresh copy in the cache) shows the new total.
    if (expected?.ok && expected.minor !== view.totals.total) {
      const now = formatMoney(view.totals.total, view.currency);
      const shown = formatMoney(expected.minor, view.currency);
      await confirmLines(tx, check.confirmed);
      await touchCart(tx, cartId, deps.expiresAt(cart.customerId != null));
      const message = `The total is now ${now} (you were shown ${shown}); review your cart and check out again`;
      return { kind: 'refused' as const, errors: [userError('TOTAL_CHANGED', message, ['input', 'expectedTotal'])], changed: true, repriced: [] };
    }
    // The order and the payment store each amount in an integer column: refuse here, not in the saga.
    if (Math.max(view.totals.subtotal, view.totals.total) > MAX_AMOUNT_MINOR) {
      const most = formatMoney(MAX_AMOUNT_MINOR, view.currency);
      throw new CheckoutRefused(userError('TOO_LARGE', `An order totals at most ${most}; remove some items`, ['cartId']));
    }
    const checkoutId = randomUUID();
    await claimPromotions(tx, view, cart.customerId, checkoutId);
    const codes = view.discountCodes.filter((c) => c.applicable).map((c) => c.code);
    const expiresAt = deps.expiresAt(cart.customerId != null);
    const frozen = await startCheckout(
      tx,
      {
        id: checkoutId,
        cartId,
        customerId: cart.customerId,
        idempotencyKey: input.idempotencyKey,
        // Promotion uses (codes included) are in promotion_usage, released by the checkout id; this
        // column only lists what older checkouts claimed through the discount_code view.
        discountCodes: [],
      },
      check.confirmed,
      expiresAt,
    );
    const event: CheckoutRequested = {
      checkoutId,
      cartId,
      customerId: cart.customerId,
      email: buyer.email!,
      shippingAddress: toShippingAddress(buyer.address!),
      deliveryMethod: { handle: delivery.handle, title: delivery.title, pickup: delivery.pickup },
      paymentToken: input.paymentToken,
      idempotencyKey: input.idempotencyKey,
      currency: view.currency,
      // What was bought, frozen: the order reads the same after the catalog changes or deletes it.
      lines: view.lines.map((l) => ({
        productId: l.productId,
        variantId: l.variantId,
        sku: l.sku ?? undefined,
        name: l.name,
        variantTitle: l.variantTitle,
        selectedOptions: l.selectedOptions,
        quantity: l.quantity,
        unitPriceAmount: l.unitPriceAmount,
        discountAllocations: l.discountAllocations,
      })),
      // As the cart shows them: a free-delivery promotion is in the discount, shipping before it.
      discountAllocations: view.discountAllocations.map(({ title, code, amount }) => ({ title, code, amount })),
      totals: {
        subtotal: view.totals.subtotal,
        discount: view.totals.discount + view.totals.deliveryDiscount,
        shipping: view.totals.shipping + view.totals.deliveryDiscount,
        tax: view.totals.tax,
        total: view.totals.total,
        taxesIncluded: view.totals.taxesIncluded,
      },
      discountCodes: codes,
      // The shopper's gift message and the storefront's attributes go into the order.
      note: view.note,
      attributes: view.attributes,
    };
    // The event's id is the checkout's (the catalog's dedupe key for checkout.requested).
    await emit(CHECKOUT_REQUESTED, event);
    return {
      kind: 'done' as const,
      checkout: { id: checkoutId, cartId, customerId: cart.customerId, status: 'PENDING' as const },
      changed: true,
      // The view read above is the committed cart but for the freeze, unless promotions were
      // claimed (their use counts show in the cart): then it is read again after the commit.
      frozen: view.appliedPromotions.length
        ? undefined
        : { ...view, status: 'CHECKING_OUT' as const, version: frozen.version, updatedAt: iso(frozen.updatedAt), expiresAt: expiresAt.toISOString() },
    };
  }
}
