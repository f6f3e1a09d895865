import type { EntityManager } from '@mikro-orm/postgresql';
import { DEFAULT_VARIANT_TITLE, sql, type OrderDetails } from '@shop/platform';
import { displayNumber } from '../domain/order.service.ts';
import type { OrderStatus, ShippingAddress } from './order.entity.ts';

interface DetailsRow {
  number: string;
  email: string;
  customer_id: string | null;
  currency: string;
  subtotal_amount: number;
  discount_amount: number;
  shipping_amount: number;
  tax_amount: number;
  total_amount: number;
  taxes_included: boolean;
  shipping_address: ShippingAddress;
  tracking_number: string | null;
  lines: Array<{ title: string; variantTitle: string | null; quantity: number; unitPriceAmount: number }>;
}

/**
 * What a status change writes with the details' read, in the same statement (data-modifying CTEs):
 * the history entry (clock_timestamp() keeps one transaction's entries in order) and, with `move`,
 * the new status and step deadline (the payment token erased: only PENDING may hold it). The
 * select reads the snapshot from before the update, which changes nothing the details show.
 */
export interface StatusChange {
  status: OrderStatus;
  reason: string | null;
  move?: { deadline: Date | null };
}

const ENTRY = (at: number) =>
  `entry as (insert into order_status_change (id, order_id, status, reason, at) values ($${at}, $${at + 1}, $${at + 2}, $${at + 3}, clock_timestamp()))`;

/** Two texts, each prepared once (sql()): the history entry alone, or with the move ($1–$3). */
const changeSql = (change: StatusChange) =>
  change.move
    ? `with moved as (update customer_order set status = $1, step_deadline = $2, payment_token = null, updated_at = now() where id = $3), ${ENTRY(4)}`
    : `with ${ENTRY(1)}`;

const changeParams = (orderId: string, change: StatusChange) => [
  ...(change.move ? [change.status, change.move.deadline, orderId] : []),
  crypto.randomUUID(),
  orderId,
  change.status,
  change.reason,
];

/** A status change written without reading the details: a status the step passes through unannounced (see moveOrder). */
export async function recordStatusChange(tx: EntityManager, orderId: string, change: StatusChange): Promise<void> {
  await sql(tx, `${changeSql(change)} select 1`, changeParams(orderId, change));
}

/**
 * The order as its buyer reads it in an email, for the `details` of its status events: one
 * statement (lines aggregated in position order), read inside the transaction that moves the order,
 * so it includes what that transaction changed (the tracking number of a shipment). With `change`,
 * the same statement records the status change too (one round trip per saga step instead of three).
 * Through sql(): a saga step's hot path, prepared and planned once per connection.
 */
export async function loadOrderDetails(tx: EntityManager, orderId: string, change?: StatusChange): Promise<OrderDetails | undefined> {
  const params = [...(change ? changeParams(orderId, change) : []), orderId];
  const {
    rows: [row],
  } = await sql<DetailsRow>(
    tx,
    `${change ? changeSql(change) : ''}
     select o.number, o.email, o.customer_id, o.currency, o.subtotal_amount, o.discount_amount, o.shipping_amount, o.tax_amount,
            o.total_amount, o.taxes_included, o.shipping_address, o.tracking_number,
            coalesce((select json_agg(json_build_object('title', l.name, 'variantTitle', l.variant_title, 'quantity', l.quantity,
                                                        'unitPriceAmount', l.unit_price_amount) order by l.position)
                      from order_line l where l.order_id = o.id), '[]'::json) as lines
       from customer_order o where o.id = $${params.length}`,
    params,
  );
  if (!row) return undefined;
  const address = row.shipping_address;
  return {
    number: displayNumber(row.number),
    email: row.email,
    customerId: row.customer_id,
    currency: row.currency,
    // A one-variant product's "Default Title" means nothing to the buyer.
    lines: row.lines.map((l) => ({ ...l, variantTitle: l.variantTitle && l.variantTitle !== DEFAULT_VARIANT_TITLE ? l.variantTitle : null })),
    totals: {
      subtotal: row.subtotal_amount,
      discount: row.discount_amount,
      shipping: row.shipping_amount,
      tax: row.tax_amount,
      total: row.total_amount,
      taxesIncluded: row.taxes_included,
    },
    shippingAddress: {
      name: address.name,
      line1: address.line1,
      line2: address.line2 ?? null,
      city: address.city,
      postalCode: address.postalCode,
      countryCode: address.countryCode,
    },
    trackingNumber: row.tracking_number,
  };
}
