import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrencyCode, Identity, Logger, ProductLookupItem, UnitOfWork } from '@shop/platform';
import { CartService, type CartPolicy, type CartViewCache } from './domain/cart.service.ts';
import type { ProductLookup } from './domain/catalog-snapshot.ts';
import { StoreSettingsService } from './domain/store-settings.service.ts';
import { DeliverySettingsService } from './domain/delivery-settings.service.ts';
import { PromotionAdminService } from './domain/promotion-admin.service.ts';

export interface Context {
  identity: Identity;
  /** The Order-Access-Token header's value, if any: opens the checkout it was signed for. */
  orderAccessToken: string | null;
  log: Logger;
  currency: CurrencyCode;
  carts: CartService;
  settings: StoreSettingsService;
  /** Admin: shipping zones, delivery methods, tax rates. */
  delivery: DeliverySettingsService;
  /** Admin: promotions (and the deprecated discount codes, which are promotions). */
  promotions: PromotionAdminService;
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
 * The cart use-cases inside an event consumer's unit of work: their changes are written in its
 * transaction (with the inbox row), and cache and live views are refreshed after its commit. Reads
 * outside that transaction (and the refresh after it) use a fork of `em`; the catalog is asked directly.
 */
export function cartsInUnitOfWork(uow: UnitOfWork, em: EntityManager, log: Logger, deps: CartContextDeps): CartService {
  return new CartService({ ...deps, em: em.fork(), lookup: deps.lookupProducts, log, transaction: (work) => work(uow) });
}

/**
 * Per request (`em` is the request's own fork): a DataLoader in front of the catalog lookup, so every
 * product lookup of one request travels in one NATS request.
 */
export function createContext(
  em: EntityManager,
  identity: Identity,
  log: Logger,
  deps: CartContextDeps,
  orderAccessToken: string | null = null,
): Context {
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
    orderAccessToken,
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
    delivery: new DeliverySettingsService(em, currency),
    promotions: new PromotionAdminService(em, currency),
  };
}
