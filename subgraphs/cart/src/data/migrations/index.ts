import { CreateOutboxAndInbox, InboxProcessedAtIndex, OutboxTraceparent } from '@shop/platform';
import { Initial } from './20261123000001-initial.ts';
import { CartDomain } from './20261123000002-cart-domain.ts';
import { LinePricedAt } from './20261202000003-line-priced-at.ts';
import { LineVariants } from './20261202000004-line-variants.ts';
import { CartNoteAttributes } from './20261216000010-cart-note-attributes.ts';
import { DeliveryZones } from './20261216000020-delivery-zones.ts';
import { Promotions } from './20261216000030-promotions.ts';
import { CheckoutCustomerIndex } from './20261216000040-checkout-customer-index.ts';
import { LineCategories } from './20261217000010-line-categories.ts';
import { ActiveCartLines } from './20261221000010-active-cart-lines.ts';
import { ActiveVariantIndex } from './20261228000010-active-variant-index.ts';
import { DeliverySettingsVersion } from './20261229000010-delivery-settings-version.ts';

/** Applied in this order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  { name: '20261123000000-outbox-inbox', class: CreateOutboxAndInbox },
  { name: '20261123000001-initial', class: Initial },
  { name: '20261123000002-cart-domain', class: CartDomain },
  { name: '20261202000003-line-priced-at', class: LinePricedAt },
  { name: '20261202000004-line-variants', class: LineVariants },
  { name: '20261216000010-cart-note-attributes', class: CartNoteAttributes },
  { name: '20261216000020-delivery-zones', class: DeliveryZones },
  { name: '20261216000030-promotions', class: Promotions },
  { name: '20261216000040-checkout-customer-index', class: CheckoutCustomerIndex },
  { name: '20261217000010-line-categories', class: LineCategories },
  { name: '20261220000000-outbox-traceparent', class: OutboxTraceparent },
  { name: '20261221000010-active-cart-lines', class: ActiveCartLines },
  { name: '20261228000010-active-variant-index', class: ActiveVariantIndex },
  { name: '20261228000020-inbox-processed-at-brin', class: InboxProcessedAtIndex },
  { name: '20261229000010-delivery-settings-version', class: DeliverySettingsVersion },
];
