import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { isUuid, sql } from '@shop/platform';
import { normalizeCode } from '../domain/cart-rules.ts';
import { promotionActionModel, promotionConditionsModel, type Promotion, type PromotionDefinition } from '../domain/promotions/index.ts';

/** A stored promotion: the engine's `Promotion` with what the admin sees besides. */
export interface PromotionRecord extends Promotion {
  /** Claimed by checkouts and not released. */
  usageCount: number;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Columns aliased to PromotionRecord's names (raw: the cart view reads promotions on every read). */
const COLUMNS = `id, title, code, priority, combinability, starts_at as "startsAt", ends_at as "endsAt", usage_limit as "usageLimit",
  usage_limit_per_customer as "usageLimitPerCustomer", usage_count as "usageCount", conditions, action, archived_at as "archivedAt",
  created_at as "createdAt", updated_at as "updatedAt"`;

type Row = Omit<PromotionRecord, 'startsAt' | 'endsAt' | 'archivedAt' | 'createdAt' | 'updatedAt' | 'conditions' | 'action'> & {
  startsAt: Date | string | null;
  endsAt: Date | string | null;
  archivedAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  conditions: unknown;
  action: unknown;
};

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const dateOrNull = (value: Date | string | null) => (value === null ? null : date(value));

/** A row as the engine's model; a stored shape the model refuses is a bug to hear about, not a discount to guess. */
function toRecord(row: Row): PromotionRecord {
  const conditions = promotionConditionsModel.safeParse(row.conditions);
  const action = promotionActionModel.safeParse(row.action);
  if (!conditions.success || !action.success) throw new Error(`Promotion ${row.id} holds conditions or an action the engine does not know`);
  return {
    ...row,
    startsAt: dateOrNull(row.startsAt),
    endsAt: dateOrNull(row.endsAt),
    archivedAt: dateOrNull(row.archivedAt),
    createdAt: date(row.createdAt),
    updatedAt: date(row.updatedAt),
    conditions: conditions.data,
    action: action.data,
  };
}

/** The jsonb columns, checked by the same model that checks them on read. */
const stored = (p: PromotionDefinition) => [
  JSON.stringify(promotionConditionsModel.parse(p.conditions)),
  JSON.stringify(promotionActionModel.parse(p.action)),
];

export const isUniqueViolation = (error: unknown) => error instanceof UniqueConstraintViolationException;

/** Insert; null when the code (or the id) is taken. */
export async function insertPromotion(em: EntityManager, p: PromotionDefinition, id: string = randomUUID()): Promise<PromotionRecord | null> {
  const [row] = await em.execute<Row[]>(
    `insert into promotion (id, title, code, priority, combinability, starts_at, ends_at, usage_limit, usage_limit_per_customer, conditions, action)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
     on conflict do nothing
     returning ${COLUMNS}`,
    [id, p.title, p.code, p.priority, p.combinability, p.startsAt, p.endsAt, p.usageLimit, p.usageLimitPerCustomer, ...stored(p)],
  );
  return row ? toRecord(row) : null;
}

/** Replace the definition (the usage count and archived state stay); null when there is no such promotion. Throws on a taken code. */
export async function updatePromotion(em: EntityManager, id: string, p: PromotionDefinition): Promise<PromotionRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await em.execute<Row[]>(
    `update promotion set title = ?, code = ?, priority = ?, combinability = ?, starts_at = ?, ends_at = ?, usage_limit = ?,
            usage_limit_per_customer = ?, conditions = ?::jsonb, action = ?::jsonb, updated_at = now()
      where id = ?
      returning ${COLUMNS}`,
    [p.title, p.code, p.priority, p.combinability, p.startsAt, p.endsAt, p.usageLimit, p.usageLimitPerCustomer, ...stored(p), id],
  );
  return row ? toRecord(row) : null;
}

/** Archive (the first archiving time stays; `archived: false` takes it back); null when there is no such promotion. */
export async function setPromotionArchived(em: EntityManager, id: string, archived: boolean): Promise<PromotionRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await em.execute<Row[]>(
    `update promotion set archived_at = case when ? then coalesce(archived_at, now()) end,
            updated_at = case when (archived_at is null) = ? then now() else updated_at end
      where id = ?
      returning ${COLUMNS}`,
    [archived, archived, id],
  );
  return row ? toRecord(row) : null;
}

export async function findPromotionByCode(em: EntityManager, code: string, options: { forUpdate?: boolean } = {}): Promise<PromotionRecord | null> {
  const [row] = await em.execute<Row[]>(`select ${COLUMNS} from promotion where code = ?${options.forUpdate ? ' for update' : ''}`, [
    normalizeCode(code),
  ]);
  return row ? toRecord(row) : null;
}

/** Every promotion with a code, by code (the discount code list). */
export async function findCodePromotions(em: EntityManager): Promise<PromotionRecord[]> {
  const rows = await em.execute<Row[]>(`select ${COLUMNS} from promotion where code is not null order by code`);
  return rows.map(toRecord);
}

/** Where a page starts: after this promotion in (priority, id) order. */
export interface PromotionCursor {
  priority: number;
  id: string;
}

/** A page in the order the engine considers promotions (priority, then id), with the total. */
export async function findPromotionPage(
  em: EntityManager,
  options: { first: number; after: PromotionCursor | null; includeArchived: boolean },
): Promise<{ rows: PromotionRecord[]; totalCount: number }> {
  const live = options.includeArchived ? 'true' : 'archived_at is null';
  const after = options.after ? 'and (priority, id) > (?, ?)' : '';
  const [rows, [count]] = await Promise.all([
    em.execute<Row[]>(`select ${COLUMNS} from promotion where ${live} ${after} order by priority, id limit ?`, [
      ...(options.after ? [options.after.priority, options.after.id] : []),
      options.first + 1,
    ]),
    em.execute<Array<{ n: number }>>(`select count(*)::int as n from promotion where ${live}`),
  ]);
  return { rows: rows.map(toRecord), totalCount: count!.n };
}

export interface ActivePromotions {
  /** Automatic promotions live at `now`, and the unarchived promotions of the given codes (whatever their window). */
  promotions: PromotionRecord[];
  /** Of those, the ones whose total limit is used up, or the customer's own (PromotionInput.usageLimitReached). */
  usageLimitReached: string[];
}

/**
 * What the engine evaluates a cart with, in one query: the live automatic promotions, and the
 * promotions of the codes entered (outside their window too, so the engine can say "expired" or
 * "not started"; archived ones are unknown codes). Limits as committed: the checkout's claim decides.
 * One text whatever the codes and customer (sql(): prepared once per connection, not planned per read).
 */
export async function activePromotions(
  em: EntityManager,
  options: { now: Date; codes?: readonly string[]; customerId?: string | null },
): Promise<ActivePromotions> {
  const codes = [...new Set((options.codes ?? []).map(normalizeCode).filter((c) => c !== ''))];
  const customerId = options.customerId ?? null;
  // A guest ($1 null) has no per-customer uses to count.
  const { rows } = await sql<Row & { limitReached: boolean }>(
    em,
    `select ${COLUMNS},
            (usage_limit is not null and usage_count >= usage_limit)
            or ($1::varchar is not null and usage_limit_per_customer is not null
                and (select count(*) from promotion_usage u
                      where u.promotion_id = promotion.id and u.customer_id = $1 and u.released_at is null) >= usage_limit_per_customer) as "limitReached"
       from promotion
      where archived_at is null
        and ((code is null and (starts_at is null or starts_at <= $2) and (ends_at is null or ends_at > $2))
             or code = any($3::varchar[]))
      order by priority, id`,
    [customerId, options.now, codes],
  );
  return {
    promotions: rows.map(({ limitReached: _, ...row }) => toRecord(row)),
    usageLimitReached: rows.filter((r) => r.limitReached).map((r) => r.id),
  };
}
