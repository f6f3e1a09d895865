/**
 * The promotions engine: which promotions apply to a cart, and how much each takes off where.
 *
 * Rules (each is tested in this folder):
 * - Candidates are the automatic promotions and the code promotions whose code was entered
 *   (case-insensitive), taken in priority order, then by id: the same input always gives the same
 *   output. A candidate applies only if all its conditions hold (eligibility.ts).
 * - Combination: the eligible STACKABLE promotions form one set that applies together; each
 *   eligible EXCLUSIVE promotion is an alternative that applies alone. The shopper gets the
 *   alternative that leaves the least to pay: its total discount (line + order + delivery) less
 *   the delivery its goods cost (a free-over threshold is judged on the goods after its discounts,
 *   so an order discount can cost free delivery; with a fixed delivery cost this is simply the
 *   largest discount). Applying nothing is an alternative too. On a tie, the one whose first
 *   promotion comes first in priority order. So entering a code never makes a cart dearer.
 * - Within a set, in three phases, each in priority order:
 *   1. line actions (off targeted lines, buy X get Y): a line takes line discounts from one
 *      promotion only — the first that discounts it; later line promotions skip it (and do not
 *      count its units). This keeps "10 % off" and "buy 2 get 1" from both discounting one unit.
 *   2. order actions: each on what is left of the subtotal after the line discounts and the
 *      order discounts before it (so two 10 % are 19 %, never more than the subtotal).
 *   3. free delivery: the delivery cost. It applies even when delivery costs nothing yet (no
 *      option selected, or a free one), so its code stays accepted; it then has no allocation.
 * - No allocation is ever 0 and no amount is negative: a line's discount is at most its unit
 *   price × quantity, the order discount at most the subtotal left after line discounts.
 * - The order discount is also split across the lines (`LineTotals.orderDiscountShare`) in
 *   proportion to what each line costs after its line discount, by largest remainder (totals.ts).
 * - Usage limits are not counted here: the caller passes `usageLimitReached`, and claims uses at
 *   checkout from `applied`.
 */
import { normalizeCode } from '../cart-rules.ts';
import { allocateLargestRemainder } from '../totals.ts';
import { isLineAction, isOrderAction, lineActionAmounts, orderActionAmount } from './actions.ts';
import { ineligibility, matchingLines, type EligibilityContext } from './eligibility.ts';
import type {
  AppliedPromotion,
  CartAllocation,
  CodeRejection,
  CodeRejectionReason,
  DeliveryCost,
  LineAllocation,
  Promotion,
  PromotionInput,
  PromotionLine,
  PromotionRef,
  PromotionResult,
} from './promotion.ts';

interface Candidate {
  promotion: Promotion;
  /** Its available matching lines. */
  matching: PromotionLine[];
}

/** One alternative (the stackable set, or one exclusive promotion) worked out on the cart. */
interface Outcome {
  applied: AppliedPromotion[];
  lineAllocations: LineAllocation[];
  cartAllocations: CartAllocation[];
  lineDiscount: number;
  orderDiscount: number;
  deliveryDiscount: number;
  /** What delivery costs this alternative before free delivery (null: no option selected). */
  deliveryCost: number | null;
  total: number;
  /** The first applied promotion in priority order: what a losing code was "not combinable with". */
  lead: Promotion | null;
  /** Why members of this alternative that were eligible did not apply. */
  skipped: Map<string, CodeRejectionReason>;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byPriority = (a: Promotion, b: Promotion) => a.priority - b.priority || compareIds(a.id, b.id);
const refOf = (p: Promotion): PromotionRef => ({ promotionId: p.id, title: p.title, code: p.code });

export function evaluatePromotions(input: PromotionInput): PromotionResult {
  const entered = [...new Set(input.codes.map(normalizeCode).filter((c) => c !== ''))];
  const enteredSet = new Set(entered);
  const ctx: EligibilityContext = { customer: input.customer, now: input.now, usageLimitReached: new Set(input.usageLimitReached ?? []) };
  const available = input.lines.filter((l) => l.available);

  const eligible: Candidate[] = [];
  const ineligibleCodes = new Map<string, CodeRejectionReason>();
  for (const promotion of [...input.promotions].sort(byPriority)) {
    if (promotion.code !== null && !enteredSet.has(promotion.code)) continue;
    const matching = matchingLines(promotion, available);
    const reason = ineligibility(promotion, matching, ctx);
    if (!reason) eligible.push({ promotion, matching });
    // Two promotions under one code: the first one's reason speaks for the code.
    else if (promotion.code !== null && !ineligibleCodes.has(promotion.code)) ineligibleCodes.set(promotion.code, reason);
  }

  const stackable = eligible.filter((c) => c.promotion.combinability === 'STACKABLE');
  const alternatives = eligible.filter((c) => c.promotion.combinability === 'EXCLUSIVE').map((c) => [c]);
  if (stackable.length > 0) alternatives.unshift(stackable);
  const outcomes = alternatives.map((members) => applyTogether(members, available, input.deliveryCost));
  const subtotal = available.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const best = outcomes.reduce<Outcome>((a, b) => (isBetter(b, a) ? b : a), emptyOutcome(costFor(input.deliveryCost, subtotal)));

  const appliedCodes = new Set(best.applied.map((a) => a.code));
  const rejectedCodes: CodeRejection[] = [];
  for (const code of entered) {
    if (appliedCodes.has(code)) continue;
    const candidate = eligible.find((c) => c.promotion.code === code);
    let reason: CodeRejectionReason | undefined;
    if (!candidate) reason = ineligibleCodes.get(code) ?? { reason: 'UNKNOWN_CODE' };
    else if (best.skipped.has(candidate.promotion.id)) reason = best.skipped.get(candidate.promotion.id);
    else if (best.lead) reason = { reason: 'NOT_COMBINABLE', with: refOf(best.lead) };
    else reason = outcomes.find((o) => o.skipped.has(candidate.promotion.id))?.skipped.get(candidate.promotion.id);
    rejectedCodes.push({ code, ...(reason ?? { reason: 'NO_DISCOUNT' }) });
  }

  return {
    subtotal,
    applied: best.applied,
    lineAllocations: best.lineAllocations,
    cartAllocations: best.cartAllocations,
    lines: lineTotals(input.lines, best),
    lineDiscount: best.lineDiscount,
    orderDiscount: best.orderDiscount,
    deliveryDiscount: best.deliveryDiscount,
    totalDiscount: best.total,
    deliveryAmount: best.deliveryCost === null ? null : best.deliveryCost - best.deliveryDiscount,
    rejectedCodes,
  };
}

/** The delivery cost for these goods. */
const costFor = (cost: DeliveryCost, goods: number): number | null => (typeof cost === 'function' ? cost(goods) : cost);

function emptyOutcome(deliveryCost: number | null = null): Outcome {
  return {
    deliveryCost,
    applied: [],
    lineAllocations: [],
    cartAllocations: [],
    lineDiscount: 0,
    orderDiscount: 0,
    deliveryDiscount: 0,
    total: 0,
    lead: null,
    skipped: new Map(),
  };
}

/** Less to pay first (discount less delivery); on a tie, an alternative that applies something, then the earlier lead. */
function isBetter(a: Outcome, b: Outcome): boolean {
  const [payA, payB] = [(a.deliveryCost ?? 0) - a.total, (b.deliveryCost ?? 0) - b.total];
  if (payA !== payB) return payA < payB;
  if (!a.lead || !b.lead) return a.lead !== null && b.lead === null;
  return byPriority(a.lead, b.lead) < 0;
}

/** The members (already in priority order) applied together in the three phases described above. */
function applyTogether(members: readonly Candidate[], lines: readonly PromotionLine[], delivery: DeliveryCost): Outcome {
  const out = emptyOutcome();
  const appliedAmounts = new Map<Promotion, number>();
  const credit = (p: Promotion, amount: number) => appliedAmounts.set(p, (appliedAmounts.get(p) ?? 0) + amount);

  const takenBy = new Map<string, Promotion>();
  for (const { promotion, matching } of members) {
    const { action } = promotion;
    if (!isLineAction(action)) continue;
    const open = matching.filter((l) => !takenBy.has(l.lineId));
    const amounts = lineActionAmounts(action, open);
    let sum = 0;
    open.forEach((line, i) => {
      const amount = Math.min(amounts[i]!, line.unitPrice * line.quantity);
      if (amount <= 0) return;
      takenBy.set(line.lineId, promotion);
      out.lineAllocations.push({ lineId: line.lineId, ...refOf(promotion), amount });
      sum += amount;
    });
    if (sum > 0) credit(promotion, sum);
    else {
      const taker = matching.map((l) => takenBy.get(l.lineId)).find((p) => p !== undefined);
      out.skipped.set(promotion.id, taker ? { reason: 'NOT_COMBINABLE', with: refOf(taker) } : { reason: 'NO_DISCOUNT' });
    }
    out.lineDiscount += sum;
  }

  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  let orderBase = subtotal - out.lineDiscount;
  for (const { promotion } of members) {
    const { action } = promotion;
    if (!isOrderAction(action)) continue;
    const amount = orderActionAmount(action, orderBase);
    if (amount <= 0) {
      const earlier = orderBase === 0 ? firstApplied(members, appliedAmounts) : null;
      out.skipped.set(promotion.id, earlier ? { reason: 'NOT_COMBINABLE', with: refOf(earlier) } : { reason: 'NO_DISCOUNT' });
      continue;
    }
    orderBase -= amount;
    out.orderDiscount += amount;
    out.cartAllocations.push({ target: 'ORDER', ...refOf(promotion), amount });
    credit(promotion, amount);
  }

  // Delivery as this alternative's goods make it cost (a free-over threshold judged on them).
  out.deliveryCost = costFor(delivery, orderBase);
  let deliveryLeft = out.deliveryCost ?? 0;
  let freedBy: Promotion | null = null;
  for (const { promotion } of members) {
    if (promotion.action.type !== 'FREE_DELIVERY') continue;
    if (freedBy) {
      out.skipped.set(promotion.id, { reason: 'NOT_COMBINABLE', with: refOf(freedBy) });
      continue;
    }
    freedBy = promotion;
    credit(promotion, deliveryLeft);
    if (deliveryLeft > 0) out.cartAllocations.push({ target: 'DELIVERY', ...refOf(promotion), amount: deliveryLeft });
    out.deliveryDiscount = deliveryLeft;
    deliveryLeft = 0;
  }

  // Application order: the phases, each in priority order (members are sorted, phases filter them).
  const phase = (p: Promotion) => (isLineAction(p.action) ? 0 : isOrderAction(p.action) ? 1 : 2);
  const appliedInOrder = members.map((m) => m.promotion).filter((p) => appliedAmounts.has(p));
  appliedInOrder.sort((a, b) => phase(a) - phase(b) || byPriority(a, b));
  out.applied = appliedInOrder.map((p) => ({ ...refOf(p), amount: appliedAmounts.get(p)! }));
  out.lead = firstApplied(members, appliedAmounts);
  out.total = out.lineDiscount + out.orderDiscount + out.deliveryDiscount;
  return out;
}

function firstApplied(members: readonly Candidate[], applied: ReadonlyMap<Promotion, number>): Promotion | null {
  return members.find((m) => applied.has(m.promotion))?.promotion ?? null;
}

/** Each input line with its line discount and its largest-remainder share of the order discount. */
function lineTotals(lines: readonly PromotionLine[], outcome: Outcome): PromotionResult['lines'] {
  const lineDiscounts = new Map<string, number>();
  for (const a of outcome.lineAllocations) lineDiscounts.set(a.lineId, (lineDiscounts.get(a.lineId) ?? 0) + a.amount);
  const rows = lines.map((line) => {
    const subtotal = line.available ? line.unitPrice * line.quantity : 0;
    return { lineId: line.lineId, subtotal, lineDiscount: lineDiscounts.get(line.lineId) ?? 0 };
  });
  const shares = allocateLargestRemainder(
    outcome.orderDiscount,
    rows.map((r) => r.subtotal - r.lineDiscount),
  );
  return rows.map((r, i) => {
    const orderDiscountShare = shares[i]!;
    return { ...r, orderDiscountShare, total: r.subtotal - r.lineDiscount - orderDiscountShare };
  });
}
