/**
 * What each action takes off, in minor units. Rounding follows totals.ts: a percentage is computed
 * once on the amount it applies to (half up, `applyBasisPoints`) and split across lines by
 * largest remainder (`allocateLargestRemainder`), so the lines sum exactly to the promotion's amount.
 */
import { allocateLargestRemainder, applyBasisPoints } from '../totals.ts';
import type { PromotionAction, PromotionLine } from './promotion.ts';

export type LineAction = Extract<PromotionAction, { type: 'LINE_PERCENTAGE' | 'LINE_FIXED_PER_UNIT' | 'BUY_X_GET_Y' }>;
export type OrderAction = Extract<PromotionAction, { type: 'ORDER_PERCENTAGE' | 'ORDER_FIXED' }>;

export const isLineAction = (action: PromotionAction): action is LineAction =>
  action.type === 'LINE_PERCENTAGE' || action.type === 'LINE_FIXED_PER_UNIT' || action.type === 'BUY_X_GET_Y';

export const isOrderAction = (action: PromotionAction): action is OrderAction => action.type === 'ORDER_PERCENTAGE' || action.type === 'ORDER_FIXED';

const lineSubtotal = (line: PromotionLine) => line.unitPrice * line.quantity;

/**
 * The discount on each of `lines` (same order), never more than the line's unit price × quantity:
 * - LINE_PERCENTAGE: round(Σ line subtotals × bp) once, split in proportion to the line subtotals.
 * - LINE_FIXED_PER_UNIT: min(amount, unit price) × quantity — exact, nothing to round.
 * - BUY_X_GET_Y: see `buyXGetYUnits`; the discounted units' value × bp rounded once, split in
 *   proportion to each line's discounted units × unit price.
 */
export function lineActionAmounts(action: LineAction, lines: readonly PromotionLine[]): number[] {
  switch (action.type) {
    case 'LINE_PERCENTAGE': {
      const subtotals = lines.map(lineSubtotal);
      const total = applyBasisPoints(
        subtotals.reduce((sum, s) => sum + s, 0),
        action.basisPoints,
      );
      return allocateLargestRemainder(total, subtotals);
    }
    case 'LINE_FIXED_PER_UNIT':
      return lines.map((line) => Math.min(action.amount, line.unitPrice) * line.quantity);
    case 'BUY_X_GET_Y': {
      const units = buyXGetYUnits(action, lines);
      const values = lines.map((line, i) => line.unitPrice * units[i]!);
      const total = applyBasisPoints(
        values.reduce((sum, v) => sum + v, 0),
        action.basisPoints,
      );
      return allocateLargestRemainder(total, values);
    }
  }
}

/**
 * How many units of each line buy X get Y discounts: the matching units are counted together, every
 * full group of X + Y units earns Y discounted units (at most `maxApplications` groups), and the
 * discounted units are the cheapest ones — lines by unit price, then line id, so the shopper pays
 * for the dearer units and the answer does not depend on the order of the lines.
 */
export function buyXGetYUnits(action: Extract<PromotionAction, { type: 'BUY_X_GET_Y' }>, lines: readonly PromotionLine[]): number[] {
  const totalUnits = lines.reduce((sum, line) => sum + line.quantity, 0);
  const groups = Math.floor(totalUnits / (action.buyQuantity + action.getQuantity));
  const applications = action.maxApplications === null ? groups : Math.min(groups, action.maxApplications);
  let left = applications * action.getQuantity;
  const units = lines.map(() => 0);
  const cheapestFirst = lines
    .map((line, i) => ({ line, i }))
    .sort((a, b) => a.line.unitPrice - b.line.unitPrice || (a.line.lineId < b.line.lineId ? -1 : a.line.lineId > b.line.lineId ? 1 : 0));
  for (const { line, i } of cheapestFirst) {
    if (left === 0) break;
    const taken = Math.min(left, line.quantity);
    units[i] = taken;
    left -= taken;
  }
  return units;
}

/** Off the order: a percentage of what is left of the subtotal (rounded once), or a fixed amount capped at it. */
export function orderActionAmount(action: OrderAction, orderBase: number): number {
  return action.type === 'ORDER_PERCENTAGE' ? applyBasisPoints(orderBase, action.basisPoints) : Math.min(action.amount, orderBase);
}
