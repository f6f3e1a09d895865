import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, sql } from '@shop/platform';

/**
 * Usage limits, claimed in the checkout's transaction (READ COMMITTED, as every transaction here).
 *
 * Lock order: promotion rows in id order, then their usage rows — for claims and releases alike,
 * so two checkouts (or a checkout and a failed order's release) never wait on each other in a
 * circle. A claim holds its promotions' rows until the checkout commits: claim last, just before
 * the commit, so a popular promotion's checkouts queue for as short a time as possible.
 */

export type ClaimRefusalReason =
  /** The promotion's total usage limit is used up. */
  | 'USAGE_LIMIT_REACHED'
  /** This customer used it as often as it allows one customer. */
  | 'CUSTOMER_USAGE_LIMIT_REACHED'
  /** Archived, outside its window, or gone since the cart was priced. */
  | 'NOT_ACTIVE';

export interface ClaimRefusal {
  promotionId: string;
  reason: ClaimRefusalReason;
}

/** All or nothing: either every promotion is claimed, or nothing was written and `refused` says why. */
export type ClaimResult = { ok: true; claimed: string[] } | { ok: false; refused: ClaimRefusal[] };

export interface ClaimRequest {
  /** The promotions the checkout applies (PromotionResult.applied). */
  promotionIds: readonly string[];
  /** Who per-customer limits count; null: a guest, to whom only total limits apply. */
  customerId: string | null;
  /** The checkout (= order) id the uses are released by. */
  checkoutId: string;
  /** The window is checked at this time (the checkout's). */
  now?: Date;
}

interface LockedPromotion {
  id: string;
  usageLimit: number | null;
  usageLimitPerCustomer: number | null;
  usageCount: number;
  live: boolean;
  customerUses: number;
  held: boolean;
}

/**
 * Claim one use of each promotion for the checkout. Every promotion row is locked first (id order);
 * the counts are read after the locks, in a statement of their own, so they include what a checkout
 * that held a lock before us committed. A promotion this checkout already holds is not counted twice.
 */
export async function claimPromotionUsages(tx: EntityManager, request: ClaimRequest): Promise<ClaimResult> {
  const ids = [...new Set(request.promotionIds)].filter(isUuid).sort();
  const unknown = request.promotionIds.filter((id) => !isUuid(id));
  if (unknown.length) return { ok: false, refused: unknown.map((promotionId) => ({ promotionId, reason: 'NOT_ACTIVE' })) };
  if (ids.length === 0) return { ok: true, claimed: [] };
  if (!isUuid(request.checkoutId)) throw new Error('A promotion claim needs the checkout id (a uuid)');
  const now = request.now ?? new Date();
  // sql(): arrays go as one uuid[] value, so each text is the same whatever the number of promotions.
  await sql(tx, 'select id from promotion where id = any($1::uuid[]) order by id for update', [ids]);
  const { rows } = await sql<LockedPromotion>(
    tx,
    `select p.id, p.usage_limit as "usageLimit", p.usage_limit_per_customer as "usageLimitPerCustomer", p.usage_count as "usageCount",
            p.archived_at is null and (p.starts_at is null or p.starts_at <= $1) and (p.ends_at is null or p.ends_at > $1) as live,
            (select count(*)::int from promotion_usage u
              where u.promotion_id = p.id and u.customer_id = $2 and u.released_at is null) as "customerUses",
            exists (select 1 from promotion_usage u where u.promotion_id = p.id and u.checkout_id = $3 and u.released_at is null) as held
       from promotion p where p.id = any($4::uuid[])`,
    [now, request.customerId, request.checkoutId, ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const refused: ClaimRefusal[] = [];
  const toClaim: string[] = [];
  for (const id of ids) {
    const p = byId.get(id);
    if (!p || !p.live) refused.push({ promotionId: id, reason: 'NOT_ACTIVE' });
    else if (p.held) continue;
    else if (p.usageLimit !== null && p.usageCount >= p.usageLimit) refused.push({ promotionId: id, reason: 'USAGE_LIMIT_REACHED' });
    else if (request.customerId !== null && p.usageLimitPerCustomer !== null && p.customerUses >= p.usageLimitPerCustomer)
      refused.push({ promotionId: id, reason: 'CUSTOMER_USAGE_LIMIT_REACHED' });
    else toClaim.push(id);
  }
  if (refused.length) return { ok: false, refused };
  if (toClaim.length === 0) return { ok: true, claimed: [] };
  await sql(tx, 'update promotion set usage_count = usage_count + 1 where id = any($1::uuid[])', [toClaim]);
  await sql(
    tx,
    `insert into promotion_usage (id, promotion_id, customer_id, checkout_id)
     select u.id, u.promotion_id, $3::varchar, $4::uuid from unnest($1::uuid[], $2::uuid[]) as u(id, promotion_id)`,
    [toClaim.map(() => randomUUID()), toClaim, request.customerId, request.checkoutId],
  );
  return { ok: true, claimed: toClaim };
}

/**
 * Give back the uses a checkout claimed (its order failed). Idempotent: a second call, or one racing
 * the first, finds nothing left to release. Returns the promotions released.
 */
export async function releasePromotionUsages(tx: EntityManager, checkoutId: string): Promise<string[]> {
  if (!isUuid(checkoutId)) return [];
  const { rows: held } = await sql<{ id: string }>(
    tx,
    `select id from promotion
      where id in (select promotion_id from promotion_usage where checkout_id = $1 and released_at is null)
      order by id for update`,
    [checkoutId],
  );
  if (held.length === 0) return [];
  // A fresh statement after the locks: a release that committed meanwhile left nothing here.
  const { rows: released } = await sql<{ promotionId: string }>(
    tx,
    `update promotion_usage set released_at = now() where checkout_id = $1 and released_at is null returning promotion_id as "promotionId"`,
    [checkoutId],
  );
  if (released.length === 0) return [];
  const ids = released.map((r) => r.promotionId);
  await sql(tx, 'update promotion set usage_count = greatest(usage_count - 1, 0) where id = any($1::uuid[])', [ids]);
  return ids;
}
