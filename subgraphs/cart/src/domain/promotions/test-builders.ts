/** Builders for the promotions tests: a case states only what it is about. */
import { evaluatePromotions } from './evaluate.ts';
import type {
  CustomerContext,
  Promotion,
  PromotionAction,
  PromotionConditions,
  PromotionInput,
  PromotionLine,
  PromotionResult,
} from './promotion.ts';

export const NOW = new Date('2026-06-15T12:00:00Z');
export const GUEST: CustomerContext = { signedIn: false, hasOrders: false, customerId: null };
export const RETURNING: CustomerContext = { signedIn: true, hasOrders: true, customerId: 'c-1' };

/** A line whose variant is `v-<id>` and product `p-<id>` unless given. */
export const line = (lineId: string, unitPrice: number, quantity = 1, more: Partial<PromotionLine> = {}): PromotionLine => ({
  lineId,
  variantId: `v-${lineId}`,
  productId: `p-${lineId}`,
  categoryIds: [],
  unitPrice,
  quantity,
  available: true,
  ...more,
});

type PromotionOverrides = Partial<Omit<Promotion, 'conditions'>> & { conditions?: Partial<PromotionConditions> };

/** A stackable automatic promotion titled after its id, priority 0, no conditions. */
export const promo = (id: string, action: PromotionAction, more: PromotionOverrides = {}): Promotion => ({
  id,
  title: `Title ${id}`,
  code: null,
  priority: 0,
  combinability: 'STACKABLE',
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  usageLimitPerCustomer: null,
  ...more,
  conditions: { minimumSubtotal: null, minimumQuantity: null, target: null, signedInOnly: false, firstOrderOnly: false, ...more.conditions },
  action,
});

export const pct = (percent: number): PromotionAction => ({ type: 'ORDER_PERCENTAGE', basisPoints: percent * 100 });
export const off = (amount: number): PromotionAction => ({ type: 'ORDER_FIXED', amount });
export const linePct = (percent: number): PromotionAction => ({ type: 'LINE_PERCENTAGE', basisPoints: percent * 100 });
export const perUnit = (amount: number): PromotionAction => ({ type: 'LINE_FIXED_PER_UNIT', amount });
export const freeDelivery: PromotionAction = { type: 'FREE_DELIVERY' };
export const bxgy = (buyQuantity: number, getQuantity: number, percent = 100, maxApplications: number | null = null): PromotionAction => ({
  type: 'BUY_X_GET_Y',
  buyQuantity,
  getQuantity,
  basisPoints: percent * 100,
  maxApplications,
});

export const target = (t: { variantIds?: string[]; productIds?: string[]; categoryIds?: string[] }) => ({
  target: { variantIds: t.variantIds ?? [], productIds: t.productIds ?? [], categoryIds: t.categoryIds ?? [] },
});

export const evaluate = (input: Partial<PromotionInput>): PromotionResult =>
  evaluatePromotions({ lines: [], codes: [], customer: GUEST, now: NOW, deliveryCost: null, promotions: [], ...input });

/** lineId → Σ its line allocations (only lines that got something). */
export const lineAmounts = (result: PromotionResult): Record<string, number> => {
  const amounts: Record<string, number> = {};
  for (const a of result.lineAllocations) amounts[a.lineId] = (amounts[a.lineId] ?? 0) + a.amount;
  return amounts;
};

/** promotion id → its total amount, in the order applied. */
export const appliedAmounts = (result: PromotionResult): [string, number][] => result.applied.map((a) => [a.promotionId, a.amount]);
