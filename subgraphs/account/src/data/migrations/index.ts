import { CreateOutboxAndInbox, InboxProcessedAtIndex, OutboxTraceparent } from '@shop/platform';
import { Initial } from './20261202000001-initial.ts';
import { Notifications } from './20261202000003-notifications.ts';

/** Applied in this order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  { name: '20261202000000-outbox-inbox', class: CreateOutboxAndInbox },
  { name: '20261202000001-initial', class: Initial },
  { name: '20261202000003-notifications', class: Notifications },
  { name: '20261220000000-outbox-traceparent', class: OutboxTraceparent },
  { name: '20261228000020-inbox-processed-at-brin', class: InboxProcessedAtIndex },
];
