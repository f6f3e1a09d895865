import { Migration } from '@mikro-orm/migrations';

/** The discount_code table of 20261123000002, for `down`. */
const DISCOUNT_CODE_TABLE = `create table discount_code (
  code varchar(64) primary key check (code = upper(code)),
  kind text not null check (kind in ('PERCENTAGE', 'FIXED_AMOUNT')),
  value integer not null check (value > 0),
  minimum_subtotal integer null check (minimum_subtotal >= 0),
  expires_at timestamptz null,
  usage_limit integer null check (usage_limit > 0),
  usage_count integer not null default 0 check (usage_count >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (kind <> 'PERCENTAGE' or value <= 10000)
)`;

/**
 * Promotions (the engine's model: domain/promotions/promotion.ts) and their usage claims.
 *
 * - `promotion`: conditions and action as jsonb in the engine's shapes (checked by
 *   promotion-model.ts on write and read). `code` is upper case, so `unique` is case-insensitive;
 *   an archived promotion keeps its code. `usage_count` counts the claimed, unreleased uses: a
 *   checkout claims under the row's lock (promotion-usage.repository.ts).
 * - `promotion_usage`: one row per promotion a checkout claimed (the checkout's id is its order's),
 *   with the customer for per-customer limits; a failed order releases its rows. No foreign key
 *   to `checkout`: the claims are written in the checkout's transaction, before or after its row.
 * - Discount codes become promotions (PERCENTAGE → ORDER_PERCENTAGE, FIXED_AMOUNT → ORDER_FIXED,
 *   expiry → end, switched off → archived, usage kept), and `discount_code` becomes a view over
 *   the promotions a discount code can express. Until the cart prices with the engine, the cart
 *   view and checkout still read (and claim through) `discount_code`: its `usage_count` is the
 *   promotion's own column, so both paths count the same uses.
 */
export class Promotions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table promotion (
      id uuid primary key,
      title varchar(200) not null,
      -- null: automatic.
      code varchar(64) null unique check (code = upper(code)),
      priority integer not null default 0 check (priority >= 0),
      combinability text not null check (combinability in ('EXCLUSIVE', 'STACKABLE')),
      starts_at timestamptz null,
      ends_at timestamptz null check (starts_at is null or ends_at is null or ends_at > starts_at),
      usage_limit integer null check (usage_limit > 0),
      usage_limit_per_customer integer null check (usage_limit_per_customer > 0),
      usage_count integer not null default 0 check (usage_count >= 0),
      conditions jsonb not null check (jsonb_typeof(conditions) = 'object'),
      action jsonb not null check (jsonb_typeof(action) = 'object' and action ? 'type'),
      archived_at timestamptz null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    // What every cart read asks for: the live automatic promotions.
    this.addSql('create index promotion_automatic_idx on promotion (priority, id) where code is null and archived_at is null');
    this.addSql(`create table promotion_usage (
      id uuid primary key,
      promotion_id uuid not null references promotion (id) on delete cascade,
      -- null: a guest (per-customer limits count only known customers).
      customer_id varchar(320) null,
      checkout_id uuid not null,
      claimed_at timestamptz not null default now(),
      released_at timestamptz null
    )`);
    // A checkout holds one claim per promotion; release finds them by checkout.
    this.addSql('create unique index promotion_usage_checkout_key on promotion_usage (checkout_id, promotion_id) where released_at is null');
    this.addSql(
      'create index promotion_usage_customer_idx on promotion_usage (promotion_id, customer_id) where released_at is null and customer_id is not null',
    );

    this.addSql(`insert into promotion (id, title, code, priority, combinability, ends_at, usage_limit, usage_count, conditions, action,
                                        archived_at, created_at, updated_at)
      select gen_random_uuid(), d.code, d.code, 0, 'STACKABLE', d.expires_at, d.usage_limit, d.usage_count,
             jsonb_build_object('minimumSubtotal', nullif(d.minimum_subtotal, 0), 'minimumQuantity', null, 'target', null,
                                'signedInOnly', false, 'firstOrderOnly', false),
             case d.kind when 'PERCENTAGE' then jsonb_build_object('type', 'ORDER_PERCENTAGE', 'basisPoints', d.value)
                         else jsonb_build_object('type', 'ORDER_FIXED', 'amount', d.value) end,
             case when d.active then null else d.updated_at end, d.created_at, d.updated_at
        from discount_code d`);
    this.addSql('drop table discount_code');
    // Simple enough to be updatable: the legacy claim and release change usage_count and updated_at through it.
    this.addSql(`create view discount_code as
      select code,
             case action->>'type' when 'ORDER_PERCENTAGE' then 'PERCENTAGE' else 'FIXED_AMOUNT' end as kind,
             coalesce((action->>'basisPoints')::integer, (action->>'amount')::integer) as value,
             (conditions->>'minimumSubtotal')::integer as minimum_subtotal,
             ends_at as expires_at,
             usage_limit,
             usage_count,
             archived_at is null and (starts_at is null or starts_at <= now()) as active,
             created_at,
             updated_at
        from promotion
       where code is not null and action->>'type' in ('ORDER_PERCENTAGE', 'ORDER_FIXED')
         and conditions->>'target' is null and conditions->>'minimumQuantity' is null`);
  }

  override async down(): Promise<void> {
    this.addSql('drop view if exists discount_code');
    this.addSql(DISCOUNT_CODE_TABLE);
    this.addSql(`insert into discount_code (code, kind, value, minimum_subtotal, expires_at, usage_limit, usage_count, active, created_at, updated_at)
      select code, case action->>'type' when 'ORDER_PERCENTAGE' then 'PERCENTAGE' else 'FIXED_AMOUNT' end,
             coalesce((action->>'basisPoints')::integer, (action->>'amount')::integer), (conditions->>'minimumSubtotal')::integer,
             ends_at, usage_limit, usage_count, archived_at is null, created_at, updated_at
        from promotion
       where code is not null and action->>'type' in ('ORDER_PERCENTAGE', 'ORDER_FIXED')`);
    this.addSql('drop table if exists promotion_usage');
    this.addSql('drop table if exists promotion');
  }
}
