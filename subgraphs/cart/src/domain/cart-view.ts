import type { EntityManager } from '@mikro-orm/postgresql';
import type { CartAttribute, CartStatus } from '../data/cart.entity.ts';
import { readCartState, type CartState, type DiscountRow } from '../data/cart-state.repository.ts';
import { storedAddress, type CartAddress } from './cart-address.ts';
import { deliveryOptions, selectOption, type DeliveryOptionView } from './delivery-options.ts';
import { computeTotals, deliveryCost, type CartTotals } from './totals.ts';
import { codeViews, evaluateCart, type CodeView, type DiscountAllocationView } from './cart-promotions.ts';

/** Store settings that price every cart (STORE_DEFAULT_COUNTRY, STORE_PRICES_INCLUDE_TAX). */
export interface CartPricing {
  /** Where shipping and tax are estimated for while a cart has no country of its own. */
  defaultCountry: string;
  pricesIncludeTax: boolean;
  /**
   * Names the promotions and delivery settings as they are now (pricing-stamp.ts): a cached copy
   * priced under another stamp is not served. Absent: '' (no cache checks, e.g. in tests).
   */
  pricingStamp?: () => string;
}

/**
 * Everything a cart read needs, in one JSON-safe value: what the Redis cache stores under one key
 * per cart, and what resolvers read. `version` orders copies: a newer version always wins.
 */
export interface CartView {
  id: string;
  customerId: string | null;
  status: CartStatus;
  version: number;
  currency: string;
  email: string | null;
  countryCode: string | null;
  phone: string | null;
  deliveryAddress: CartAddress | null;
  /** null: the same as the delivery address. */
  billingAddress: CartAddress | null;
  /** The delivery address is the customer's default one (and follows it). */
  addressFromDefault: boolean;
  /** How the cart can be delivered to its destination, cheapest first, pickup last. */
  deliveryOptions: DeliveryOptionView[];
  /** The option the totals include (the shopper's choice, else the cheapest); null: none offered. */
  selectedDeliveryHandle: string | null;
  /** The destination is not the cart's own yet: the store's default country, or a country without its region. */
  isEstimate: boolean;
  /** The shopper's note (gift message); null: none. */
  note: string | null;
  attributes: CartAttribute[];
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  lines: CartLineView[];
  discountCodes: CodeView[];
  /** Order and delivery discounts (line discounts are on the lines). */
  discountAllocations: Array<DiscountAllocationView & { target: 'ORDER' | 'DELIVERY' }>;
  /** The promotions the totals include: what a checkout claims. */
  appliedPromotions: Array<{ promotionId: string; title: string; code: string | null }>;
  totals: CartTotals;
  /** The pricing stamp this copy was priced under (CartPricing.pricingStamp). */
  pricedWith: string;
}

export interface CartLineView {
  id: string;
  /** What is bought: the catalog variant. */
  variantId: string;
  /** The variant's product. */
  productId: string;
  /** As the catalog last confirmed them (null: a line from before variants, not re-priced since). */
  sku: string | null;
  variantTitle: string | null;
  selectedOptions: Array<{ name: string; value: string }>;
  quantity: number;
  unitPriceAmount: number;
  name: string;
  available: boolean;
  /** No longer sold (deleted from the catalog), not merely out of stock; absent in copies cached before it existed. */
  discontinued?: boolean;
  /** This line's own promotion discounts (an order discount is on the cart). */
  discountAllocations: DiscountAllocationView[];
  createdAt: string;
}

/** The whole cart as one value (lines, codes, totals), as committed or as written in `em`'s transaction. */
export async function loadCartView(em: EntityManager, id: string, pricing: CartPricing): Promise<CartView | null> {
  // The stamp before the promotions and delivery settings are read: a change landing meanwhile
  // then makes this copy a miss later, never a copy of the old settings labelled with the new
  // stamp (served until the next change).
  const pricedWith = pricing.pricingStamp?.() ?? '';
  const state = await readCartState(em, id, pricing.defaultCountry);
  return state && toCartView(state, pricing, pricedWith);
}

/** A code counts while it is switched on, not expired and under its usage limit. */
export function isDiscountUsable(d: Pick<DiscountRow, 'active' | 'expiresAt' | 'usageLimit' | 'usageCount'>, now: Date): boolean {
  return d.active && (d.expiresAt == null || new Date(d.expiresAt) > now) && (d.usageLimit == null || d.usageCount < d.usageLimit);
}

/** Timestamps as ISO-8601 UTC, however the driver returned them. */
const iso = (at: Date | string) => new Date(at).toISOString();

/** `pricedWith`: the pricing stamp taken before `state` was read (loadCartView). */
export function toCartView(state: CartState, pricing: CartPricing, pricedWith = pricing.pricingStamp?.() ?? ''): CartView {
  const { cart, lines, destination } = state;
  const goodsRate = destination.goodsTaxBasisPoints;
  const tax = {
    goodsBasisPoints: goodsRate,
    deliveryBasisPoints: destination.shippingTaxBasisPoints ?? goodsRate,
    pricesIncludeTax: pricing.pricesIncludeTax,
  };
  const priced = lines.map((l) => ({ id: l.id, unitPrice: l.unitPriceAmount, quantity: l.quantity, available: l.available }));
  // Free-over thresholds are judged on the goods after discounts, so delivery and promotions
  // depend on each other: the discounts without delivery pick the option (the shopper's, else the
  // cheapest); the promotions are then weighed with what that option costs each alternative's
  // goods; the options are priced for the winner's goods.
  const goodsOf = (r: { subtotal: number; lineDiscount: number; orderDiscount: number }) => r.subtotal - r.lineDiscount - r.orderDiscount;
  const goodsOnly = evaluateCart(state, null);
  const picked = selectOption(deliveryOptions(destination.methods, goodsOnly.subtotal, goodsOf(goodsOnly)), cart.deliveryMethodHandle ?? null);
  const result = evaluateCart(state, picked ? (goods: number) => deliveryCost(picked, goodsOnly.subtotal, goods) : null);
  const options = deliveryOptions(destination.methods, result.subtotal, goodsOf(result));
  const selected = selectOption(options, picked?.handle ?? null);
  const totals = computeTotals({
    lines: priced,
    discounts: [],
    promotions: result,
    delivery: selected && { price: selected.price, freeOver: selected.freeOver },
    tax,
  });
  const codes = codeViews(state, result, cart.currency);
  const allocationsOf = (lineId: string) =>
    result.lineAllocations.filter((a) => a.lineId === lineId).map(({ title, code, amount }) => ({ title, code, amount }));
  return {
    id: cart.id,
    customerId: cart.customerId ?? null,
    status: cart.status,
    version: cart.version,
    currency: cart.currency,
    email: cart.email ?? null,
    countryCode: cart.countryCode ?? null,
    phone: cart.phone ?? null,
    deliveryAddress: storedAddress(cart.deliveryAddress),
    billingAddress: storedAddress(cart.billingAddress),
    addressFromDefault: cart.addressFromDefault,
    deliveryOptions: options,
    selectedDeliveryHandle: selected?.handle ?? null,
    isEstimate: destination.isDefault || (destination.regional && destination.regionCode === null),
    note: cart.note ?? null,
    attributes: cart.attributes ?? [],
    createdAt: iso(cart.createdAt),
    updatedAt: iso(cart.updatedAt),
    expiresAt: iso(cart.expiresAt),
    lines: lines.map((l) => ({
      id: l.id,
      variantId: l.variantId,
      productId: l.productId,
      sku: l.sku ?? null,
      variantTitle: l.variantTitle ?? null,
      selectedOptions: l.selectedOptions,
      quantity: l.quantity,
      unitPriceAmount: l.unitPriceAmount,
      name: l.name,
      available: l.available,
      discontinued: l.discontinued,
      discountAllocations: allocationsOf(l.id),
      createdAt: iso(l.createdAt),
    })),
    discountCodes: codes,
    discountAllocations: result.cartAllocations.map(({ title, code, amount, target }) => ({ title, code, amount, target })),
    appliedPromotions: result.applied.map(({ promotionId, title, code }) => ({ promotionId, title, code })),
    totals,
    pricedWith,
  };
}
