import { CreateOutboxAndInbox, InboxProcessedAtIndex, OutboxTraceparent } from '@shop/platform';
import { Initial } from './20261123000000-initial.ts';
import { Search } from './20261123000002-search.ts';
import { Inventory } from './20261123000003-inventory.ts';
import { InventoryAdjustment } from './20261123000004-inventory-adjustment.ts';
import { StockReturn } from './20261123000005-stock-return.ts';
import { Variants } from './20261202000000-variants.ts';
import { UnitsSold } from './20261202000001-units-sold.ts';
import { CategoryTree } from './20261202000002-category-tree.ts';
import { CategoryPriceIndex } from './20261202000003-category-price-index.ts';
import { LiveProductCounts } from './20261202000004-live-product-counts.ts';

/** Applied in this order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  { name: '20261123000000-outbox-inbox', class: CreateOutboxAndInbox },
  { name: '20261123000001-initial', class: Initial },
  { name: '20261123000002-search', class: Search },
  { name: '20261123000003-inventory', class: Inventory },
  { name: '20261123000004-inventory-adjustment', class: InventoryAdjustment },
  { name: '20261123000005-stock-return', class: StockReturn },
  { name: '20261202000000-variants', class: Variants },
  { name: '20261202000001-units-sold', class: UnitsSold },
  { name: '20261202000002-category-tree', class: CategoryTree },
  { name: '20261202000003-category-price-index', class: CategoryPriceIndex },
  { name: '20261202000004-live-product-counts', class: LiveProductCounts },
  { name: '20261220000000-outbox-traceparent', class: OutboxTraceparent },
  { name: '20261228000020-inbox-processed-at-brin', class: InboxProcessedAtIndex },
];
