import type { EntityManager } from '@mikro-orm/postgresql';
import type { CartAttribute, CartStatus } from '../data/cart.entity.ts';
import { readCartState, type CartState, type DiscountRow } from '../data/cart.repository.ts';
import { computeTotals, type CartTotals, type Discount } from './totals.ts';

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
export async function loadCartView(em: EntityManager, id: string): Promise<CartView | null> {
  const state = await readCartState(em, id);
  return state && toCartView(state);
}

/** A code counts while it is switched on, not expired and under its usage limit. */
export function isDiscountUsable(d: Pick<DiscountRow, 'active' | 'expiresAt' | 'usageLimit' | 'usageCount'>, now: Date): boolean {
  return d.active && (d.expiresAt == null || new Date(d.expiresAt) > now) && (d.usageLimit == null || d.usageCount < d.usageLimit);
}

/** Timestamps as ISO-8601 UTC, however the driver returned them. */
const iso = (at: Date | string) => new Date(at).toISOString();

export function toCartView({ cart, lines, codes, country }: CartState, now = new Date()): CartView {
  const usable = new Set(codes.filter((c) => c.definition && isDiscountUsable(c.definition, now)).map((c) => c.code));
  const discounts = codes.flatMap(({ code, definition: d }): Discount[] => {
    if (!d || !usable.has(code)) return [];
    const minimumSubtotal = d.minimumSubtotal ?? null;
    return d.kind === 'PERCENTAGE'
      ? [{ code, kind: 'PERCENTAGE', basisPoints: d.value, minimumSubtotal }]
      : [{ code, kind: 'FIXED', amount: d.value, minimumSubtotal }];
  });
  const totals = computeTotals({
    lines: lines.map((l) => ({ unitPrice: l.unitPriceAmount, quantity: l.quantity, available: l.available })),
    discounts,
    shipping: country ? { amount: country.shippingAmount, freeOver: country.freeShippingOver ?? null } : null,
    taxBasisPoints: country?.taxBasisPoints ?? 0,
  });
  return {
    id: cart.id,
    customerId: cart.customerId ?? null,
    status: cart.status,
    version: cart.version,
    currency: cart.currency,
    email: cart.email ?? null,
    countryCode: cart.countryCode ?? null,
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
