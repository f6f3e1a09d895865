import type { EntityManager } from '@mikro-orm/postgresql';
import type { CartAttribute, CartStatus } from '../data/cart.entity.ts';
import { readCartState, type CartState, type DiscountRow } from '../data/cart.repository.ts';
import { storedAddress, type CartAddress } from './cart-address.ts';
import { deliveryOptions, selectOption, type DeliveryOptionView } from './delivery-options.ts';
import { computeTotals, type CartTotals, type Discount } from './totals.ts';

/** Store settings that price every cart (STORE_DEFAULT_COUNTRY, STORE_PRICES_INCLUDE_TAX). */
export interface CartPricing {
  /** Where shipping and tax are estimated for while a cart has no country of its own. */
  defaultCountry: string;
  pricesIncludeTax: boolean;
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
  discountCodes: Array<{ code: string; applicable: boolean }>;
  totals: CartTotals;
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
  createdAt: string;
}

/** The whole cart as one value (lines, codes, totals), as committed or as written in `em`'s transaction. */
export async function loadCartView(em: EntityManager, id: string, pricing: CartPricing): Promise<CartView | null> {
  const state = await readCartState(em, id, pricing.defaultCountry);
  return state && toCartView(state, pricing);
}

/** A code counts while it is switched on, not expired and under its usage limit. */
export function isDiscountUsable(d: Pick<DiscountRow, 'active' | 'expiresAt' | 'usageLimit' | 'usageCount'>, now: Date): boolean {
  return d.active && (d.expiresAt == null || new Date(d.expiresAt) > now) && (d.usageLimit == null || d.usageCount < d.usageLimit);
}

/** Timestamps as ISO-8601 UTC, however the driver returned them. */
const iso = (at: Date | string) => new Date(at).toISOString();

export function toCartView({ cart, lines, codes, destination }: CartState, pricing: CartPricing, now = new Date()): CartView {
  const usable = new Set(codes.filter((c) => c.definition && isDiscountUsable(c.definition, now)).map((c) => c.code));
  const discounts = codes.flatMap(({ code, definition: d }): Discount[] => {
    if (!d || !usable.has(code)) return [];
    const minimumSubtotal = d.minimumSubtotal ?? null;
    return d.kind === 'PERCENTAGE'
      ? [{ code, kind: 'PERCENTAGE', basisPoints: d.value, minimumSubtotal }]
      : [{ code, kind: 'FIXED', amount: d.value, minimumSubtotal }];
  });
  const goodsRate = destination.goodsTaxBasisPoints;
  const tax = {
    goodsBasisPoints: goodsRate,
    deliveryBasisPoints: destination.shippingTaxBasisPoints ?? goodsRate,
    pricesIncludeTax: pricing.pricesIncludeTax,
  };
  const priced = lines.map((l) => ({ id: l.id, unitPrice: l.unitPriceAmount, quantity: l.quantity, available: l.available }));
  // Options are priced on the discounted subtotal (their free-over rule), then the chosen one goes into the totals.
  const goodsOnly = computeTotals({ lines: priced, discounts, delivery: null, tax });
  const options = deliveryOptions(destination.methods, goodsOnly.subtotal, goodsOnly.subtotal - goodsOnly.discount);
  const selected = selectOption(options, cart.deliveryMethodHandle ?? null);
  const totals = computeTotals({ lines: priced, discounts, delivery: selected && { price: selected.price, freeOver: selected.freeOver }, tax });
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
      createdAt: iso(l.createdAt),
    })),
    discountCodes: codes.map(({ code }) => ({ code, applicable: usable.has(code) && !totals.inapplicableCodes.includes(code) })),
    totals,
  };
}
