import type { EntityManager } from '@mikro-orm/postgresql';
import {
  BadUserInputError,
  decodeCursor,
  encodeCursor,
  isUuid,
  toConnection,
  transaction,
  userError,
  type Connection,
  type CurrencyCode,
  type UserError,
} from '@shop/platform';
import type { DiscountCode } from '../data/discount-code.entity.ts';
import {
  findCodePromotions,
  findPromotionByCode,
  findPromotionPage,
  insertPromotion,
  isUniqueViolation,
  setPromotionArchived,
  updatePromotion,
  type PromotionCursor,
  type PromotionRecord,
} from '../data/promotion.repository.ts';
import { parsePromotionInput, type PromotionDefinition } from './promotions/index.ts';
import { normalizeCode } from './cart-rules.ts';
import { parseDiscountCodeInput, redefinedPromotion, toDiscountCode, type DiscountCodeInput } from './discount-code-compat.ts';

export type PromotionResult = { promotion: PromotionRecord; userErrors: [] } | { promotion: null; userErrors: UserError[] };
const failed = (...userErrors: UserError[]): PromotionResult => ({ promotion: null, userErrors });
const notFound = () => failed(userError('NOT_FOUND', 'No such promotion', ['id']));

/** Which action fields each kind uses, and which of those it needs. */
const ACTION_FIELDS: Record<string, { uses: string[]; needs: string[] }> = {
  ORDER_PERCENTAGE: { uses: ['percentage'], needs: ['percentage'] },
  LINE_PERCENTAGE: { uses: ['percentage'], needs: ['percentage'] },
  ORDER_FIXED: { uses: ['amount'], needs: ['amount'] },
  LINE_FIXED_PER_UNIT: { uses: ['amount'], needs: ['amount'] },
  FREE_DELIVERY: { uses: [], needs: [] },
  BUY_X_GET_Y: { uses: ['percentage', 'buyQuantity', 'getQuantity', 'maxApplications'], needs: ['buyQuantity', 'getQuantity'] },
};
const LABELS: Record<string, string> = {
  percentage: 'Percentage',
  amount: 'Amount',
  buyQuantity: 'Buy quantity',
  getQuantity: 'Get quantity',
  maxApplications: 'Maximum applications',
};

/**
 * The action's fields against its kind: one it needs and lacks is REQUIRED (instead of the model's
 * "expected string"), one it does not use is INVALID, so a mistyped kind is not silently something else.
 */
function actionFieldProblems(action: unknown): UserError[] {
  if (!action || typeof action !== 'object') return [];
  const given = action as Record<string, unknown>;
  const rule = ACTION_FIELDS[String(given.type)];
  if (!rule) return [];
  const problems: UserError[] = [];
  for (const [field, label] of Object.entries(LABELS)) {
    const present = given[field] !== undefined && given[field] !== null;
    if (!present && rule.needs.includes(field))
      problems.push(userError('REQUIRED', `${label} is required for ${given.type} promotions`, ['input', 'action', field]));
    if (present && !rule.uses.includes(field))
      problems.push(userError('INVALID', `${label} is not used by ${given.type} promotions`, ['input', 'action', field]));
  }
  return problems;
}

const samePath = (a: UserError, b: UserError) => (a.field ?? []).join('.') === (b.field ?? []).join('.');

/** The keyset a cursor carries: a priority and a uuid, anything else is refused. */
function readCursor(after: string): PromotionCursor {
  const [priority, id] = decodeCursor<[number, string]>(after, 2);
  if (!Number.isInteger(priority) || !isUuid(id)) throw new BadUserInputError('Invalid cursor', ['after']);
  return { priority, id };
}

/**
 * Admin use-cases on promotions. Input comes in the engine's admin shape (promotion-input.ts);
 * every problem is reported at once (the model's, the action's fields, a taken code), fields under `input`.
 */
export class PromotionAdminService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
  }

  async create(input: unknown): Promise<PromotionResult> {
    const checked = await this.check(input, null);
    if (!checked.ok) return failed(...checked.userErrors);
    const promotion = await insertPromotion(this.em, checked.promotion);
    return promotion ? { promotion, userErrors: [] } : failed(this.taken(checked.promotion.code ?? ''));
  }

  async update(id: string, input: unknown): Promise<PromotionResult> {
    if (!isUuid(id)) return notFound();
    const checked = await this.check(input, id);
    if (!checked.ok) return failed(...checked.userErrors);
    try {
      const promotion = await updatePromotion(this.em, id, checked.promotion);
      return promotion ? { promotion, userErrors: [] } : notFound();
    } catch (error) {
      if (isUniqueViolation(error)) return failed(this.taken(checked.promotion.code ?? ''));
      throw error;
    }
  }

  /** Archiving an archived promotion changes nothing (not even its archiving time). */
  async archive(id: string): Promise<PromotionResult> {
    const promotion = await setPromotionArchived(this.em, id, true);
    return promotion ? { promotion, userErrors: [] } : notFound();
  }

  async list(options: { first: number; after?: string | null; includeArchived: boolean }): Promise<Connection<PromotionRecord>> {
    const after = options.after ? readCursor(options.after) : null;
    const { rows, totalCount } = await findPromotionPage(this.em, { first: options.first, after, includeArchived: options.includeArchived });
    return toConnection(rows, options.first, totalCount, (p) => encodeCursor([p.priority, p.id]), Boolean(options.after));
  }

  /** Deprecated: the promotions that are discount codes. */
  async discountCodes(): Promise<DiscountCode[]> {
    const now = new Date();
    return (await findCodePromotions(this.em)).flatMap((p) => toDiscountCode(p, now) ?? []);
  }

  /** Deprecated: create or redefine a code's promotion (discount-code-compat.ts); `active: false` archives it. */
  async upsertDiscountCode(input: DiscountCodeInput): Promise<{ discountCode: DiscountCode | null; userErrors: UserError[] }> {
    const parsed = parseDiscountCodeInput(input, this.currency);
    if (!parsed.ok) return { discountCode: null, userErrors: parsed.userErrors };
    const saved = await this.redefineCode(parsed.promotion.code, (existing) => redefinedPromotion(existing, parsed.promotion), !parsed.active);
    return { discountCode: toDiscountCode(saved), userErrors: [] };
  }

  /** A code's promotion (re)defined and archived or not, in one transaction. */
  private async redefineCode(
    code: string,
    redefine: (existing: PromotionRecord | null) => PromotionDefinition,
    archived: boolean,
  ): Promise<PromotionRecord> {
    // A second round when another request created the code between our read and our insert: it updates that one.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const saved = await transaction(this.em, async ({ em: tx }) => {
        const existing = await findPromotionByCode(tx, code, { forUpdate: true });
        const definition = redefine(existing);
        const written = existing ? await updatePromotion(tx, existing.id, definition) : await insertPromotion(tx, definition);
        return written && (await setPromotionArchived(tx, written.id, archived));
      });
      if (saved) return saved;
    }
    throw new Error(`Discount code ${code} could not be saved`);
  }

  /** The input checked: the model's problems, the action's fields and a code another promotion has, together. */
  private async check(
    input: unknown,
    self: string | null,
  ): Promise<{ ok: true; promotion: PromotionDefinition } | { ok: false; userErrors: UserError[] }> {
    const parsed = parsePromotionInput(input, this.currency);
    const own = actionFieldProblems((input as { action?: unknown } | null)?.action);
    const rawCode = (input as { code?: unknown } | null)?.code;
    const holder = typeof rawCode === 'string' && normalizeCode(rawCode) !== '' ? await findPromotionByCode(this.em, rawCode) : null;
    const taken = holder && holder.id !== self ? [this.taken(holder.code!, holder)] : [];
    const modelErrors = parsed.ok ? [] : parsed.userErrors.filter((e) => !own.some((o) => samePath(o, e)));
    const userErrors = [...modelErrors, ...own, ...taken];
    return parsed.ok && userErrors.length === 0 ? parsed : { ok: false, userErrors };
  }

  private taken(code: string, holder?: PromotionRecord): UserError {
    const by = holder ? ` by "${holder.title}"${holder.archivedAt ? ' (archived)' : ''}` : '';
    return userError('TAKEN', `Code ${code} is already used${by}`, ['input', 'code']);
  }
}
