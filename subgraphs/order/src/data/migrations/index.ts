import { CreateOutboxAndInbox, InboxProcessedAtIndex, OutboxTraceparent } from '@shop/platform';
import { Initial } from './20261123000001-initial.ts';
import { Saga } from './20261123000002-saga.ts';
import { ErasePaymentTokens } from './20261202000003-erase-payment-tokens.ts';
import { LineVariants } from './20261202000004-line-variants.ts';
import { GuestOrdersByEmail } from './20261215000005-guest-orders-by-email.ts';
import { OrderNoteAttributes } from './20261216000011-order-note-attributes.ts';
import { DeliveryMethod } from './20261216000021-delivery-method.ts';
import { DiscountAllocations } from './20261216000031-discount-allocations.ts';

/** Applied in this order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  { name: '20261123000000-outbox-inbox', class: CreateOutboxAndInbox },
  { name: '20261123000001-initial', class: Initial },
  { name: '20261123000002-saga', class: Saga },
  { name: '20261202000003-erase-payment-tokens', class: ErasePaymentTokens },
  { name: '20261202000004-line-variants', class: LineVariants },
  { name: '20261215000005-guest-orders-by-email', class: GuestOrdersByEmail },
  { name: '20261216000011-order-note-attributes', class: OrderNoteAttributes },
  { name: '20261216000021-delivery-method', class: DeliveryMethod },
  { name: '20261216000031-discount-allocations', class: DiscountAllocations },
  { name: '20261220000000-outbox-traceparent', class: OutboxTraceparent },
  { name: '20261228000020-inbox-processed-at-brin', class: InboxProcessedAtIndex },
];
