import { CreateOutboxAndInbox, InboxProcessedAtIndex, OutboxTraceparent } from '@shop/platform';
import { Initial } from './20261123000001-initial.ts';
import { Refunds } from './20261123000002-refunds.ts';
import { SettledWithoutToken } from './20261202000001-settled-without-token.ts';
import { OrderOwners } from './20261215000002-order-owners.ts';

/** Applied in this order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  { name: '20261123000000-outbox-inbox', class: CreateOutboxAndInbox },
  { name: '20261123000001-initial', class: Initial },
  { name: '20261123000002-refunds', class: Refunds },
  { name: '20261202000001-settled-without-token', class: SettledWithoutToken },
  { name: '20261215000002-order-owners', class: OrderOwners },
  { name: '20261220000000-outbox-traceparent', class: OutboxTraceparent },
  { name: '20261228000020-inbox-processed-at-brin', class: InboxProcessedAtIndex },
];
