import type { EntityManager } from '@mikro-orm/postgresql';
import { ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED, startConsumer, type EventConsumer, type Logger, type NatsConnection } from '@shop/platform';
import { applyDefaultAddress } from '../domain/default-address.ts';
import type { CartPricing } from '../domain/cart-view.ts';

/**
 * Accounts → cart: a customer's default address changed. The projection and the customer's cart
 * are written in the inbox transaction (a redelivery is skipped, an older message loses to a
 * newer one); the cart's cache and live views are refreshed after the commit.
 */
export function startDefaultAddresses(
  base: { em: EntityManager; nc: NatsConnection; log: Logger },
  durable: string,
  pricing: CartPricing,
  refresh: (cartId: string) => Promise<unknown>,
): Promise<EventConsumer> {
  return startConsumer({
    ...base,
    stream: 'ACCOUNT',
    durable,
    filterSubject: ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED,
    handlers: {
      [ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED]: async ({ data }, { em, afterCommit }) => {
        const cartId = await applyDefaultAddress(em, pricing, data);
        if (cartId) afterCommit(() => refresh(cartId));
      },
    },
  });
}
