import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrencyCode, Identity, Logger, ProductLookupItem } from '@shop/platform';
import { CartService, type CartPolicy, type CartViewCache } from './domain/cart.service.ts';
import type { ProductLookup } from './domain/catalog-snapshot.ts';
import { StoreSettingsService } from './domain/store-settings.service.ts';

export interface Context {
  identity: Identity;
  log: Logger;
  currency: CurrencyCode;
  carts: CartService;
  settings: StoreSettingsService;
}

export interface CartContextDeps {
  policy: CartPolicy;
  cache: CartViewCache;
  publishChanged: (change: { cartId: string; version: number }) => Promise<void>;
  /** One catalog request for a whole batch of product ids. */
  lookupProducts: (ids: readonly string[]) => Promise<Map<string, ProductLookupItem>>;
  notifyOutbox: () => void;
}

/**
 * Per request (`em` is the request's own fork): a DataLoader in front of the catalog lookup, so every
 * product lookup of one request travels in one NATS request.
 */
export function createContext(em: EntityManager, identity: Identity, log: Logger, deps: CartContextDeps): Context {
  const products = new DataLoader<string, ProductLookupItem | null>(async (ids) => {
    const found = await deps.lookupProducts(ids);
    return ids.map((id) => found.get(id) ?? null);
  });
  const lookup: ProductLookup = async (ids) => {
    const items = await products.loadMany(ids);
    const map = new Map<string, ProductLookupItem>();
    for (const item of items) {
      if (item instanceof Error) throw item;
      if (item) map.set(item.id, item);
    }
    return map;
  };
  const currency = deps.policy.currency as CurrencyCode;
  return {
    identity,
    log,
    currency,
    carts: new CartService({
      em,
      policy: deps.policy,
      cache: deps.cache,
      publishChanged: deps.publishChanged,
      lookup,
      notifyOutbox: deps.notifyOutbox,
      log,
    }),
    settings: new StoreSettingsService(em, currency),
  };
}
