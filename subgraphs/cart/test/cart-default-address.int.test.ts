import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import {
  ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED,
  ensureStreams,
  STREAMS,
  type CustomerDefaultAddressChanged,
  type EventConsumer,
  type Identity,
  type MailingAddressData,
} from '@shop/platform';
import { startDefaultAddresses } from '../src/events/default-addresses.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { customer, log, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
let consumer: EventConsumer;
const MUG = randomUUID();
const refreshed: string[] = [];

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 2500 }));
  await ensureStreams(
    h.nc,
    STREAMS.map((s) => ({ ...s })),
  );
  // Its own durable: the ACCOUNT stream is shared by the test files of this run.
  consumer = await startDefaultAddresses(
    { em: h.orm.em, nc: h.nc, log },
    `test-default-addresses-${randomBytes(4).toString('hex')}`,
    { defaultCountry: 'US', pricesIncludeTax: false },
    async (cartId) => void refreshed.push(cartId),
  );
});
afterAll(async () => {
  await consumer?.stop();
  await h?.close();
});

const address = (city: string, province: string | null, countryCode = 'US'): MailingAddressData => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: null,
  address1: '1 Main St',
  address2: null,
  city,
  province,
  postalCode: '10001',
  countryCode,
  phone: null,
});

/** What the account subgraph's outbox sends when the default changes. */
async function publish(data: CustomerDefaultAddressChanged) {
  const envelope = { id: randomUUID(), subject: ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED, occurredAt: new Date().toISOString(), data };
  await jetstream(h.nc).publish(ACCOUNT_CUSTOMER_DEFAULT_ADDRESS_CHANGED, JSON.stringify(envelope), { msgID: randomUUID() });
}

async function cartOf(me: Identity) {
  const res = await h.run(
    `mutation { cartCreate(input: {}) { cart { id version buyerIdentity { countryCode deliveryAddress { city } } cost { isEstimate } } } }`,
    me,
  );
  return res.data.cartCreate.cart as {
    id: string;
    version: number;
    buyerIdentity: { countryCode: string; deliveryAddress: { city: string } | null } | null;
    cost: { isEstimate: boolean };
  };
}

/** The projection's address city (undefined: no row yet). */
const projected = async (customerId: string) => {
  const [row] = await h.orm.em
    .fork()
    .execute<Array<{ address: { city: string } | null }>>('select address from customer_default_address where customer_id = ?', [customerId]);
  return row === undefined ? undefined : (row.address?.city ?? null);
};

describe('account.customer.default_address_changed', () => {
  it('fills the active cart that has no address, follows later defaults, and ignores an older message', async () => {
    const me = customer(randomUUID());
    const empty = await cartOf(me);
    expect(empty.buyerIdentity).toBeNull();
    const t = Date.now();
    await publish({ customerId: me.sub!, address: address('New York', 'NY'), changedAt: new Date(t).toISOString() });
    const filled = await waitFor('the cart takes the default address', async () => {
      const cart = await cartOf(me);
      return cart.buyerIdentity?.deliveryAddress ? cart : undefined;
    });
    expect(filled).toMatchObject({
      id: empty.id,
      buyerIdentity: { countryCode: 'US', deliveryAddress: { city: 'New York' } },
      cost: { isEstimate: false },
    });
    expect(filled.version).toBeGreaterThan(empty.version);
    expect(refreshed).toContain(empty.id);

    // An older message arriving late, then a newer one: only the newer counts.
    await publish({ customerId: me.sub!, address: address('Albany', 'NY'), changedAt: new Date(t - 60_000).toISOString() });
    await publish({ customerId: me.sub!, address: address('Austin', 'TX'), changedAt: new Date(t + 1).toISOString() });
    await waitFor('the newer default reaches the cart', async () =>
      (await cartOf(me)).buyerIdentity?.deliveryAddress?.city === 'Austin' ? true : undefined,
    );
    expect(await projected(me.sub!)).toBe('Austin');

    // No default any more: the address it gave goes, the country stays as an estimate.
    await publish({ customerId: me.sub!, address: null, changedAt: new Date(t + 2).toISOString() });
    const cleared = await waitFor('the default-given address is removed', async () => {
      const cart = await cartOf(me);
      return cart.buyerIdentity?.deliveryAddress === null ? cart : undefined;
    });
    expect(cleared.buyerIdentity).toMatchObject({ countryCode: 'US', deliveryAddress: null });
  });

  it("never replaces an address the shopper set, and starts a new customer's cart with the default", async () => {
    const me = customer(randomUUID());
    const cart = await cartOf(me);
    const own = { firstName: 'Ada', address1: '9 Own Rd', city: 'Seattle', province: 'WA', postalCode: '98101', countryCode: 'US' };
    const set = await h.run(
      `mutation ($id: ID!, $a: MailingAddressInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: { deliveryAddress: $a }) { userErrors { code } } }`,
      me,
      {
        id: cart.id,
        a: own,
      },
    );
    expect(set.data.cartBuyerIdentityUpdate.userErrors).toEqual([]);
    await publish({ customerId: me.sub!, address: address('Boston', 'MA'), changedAt: new Date().toISOString() });
    await waitFor('the projection has the default', async () => ((await projected(me.sub!)) === 'Boston' ? true : undefined));
    expect((await cartOf(me)).buyerIdentity?.deliveryAddress?.city).toBe('Seattle');

    // Checked out (the active cart is gone): the next cart starts with the default address.
    await h.orm.em.fork().execute(`update cart set status = 'CHECKED_OUT' where id = ?`, [cart.id]);
    const next = await cartOf(me);
    expect(next.id).not.toBe(cart.id);
    expect(next.buyerIdentity).toMatchObject({ countryCode: 'US', deliveryAddress: { city: 'Boston' } });

    // A default in a country nobody delivers to is remembered but fills nothing.
    const other = customer(randomUUID());
    await publish({ customerId: other.sub!, address: address('Reykjavik', null, 'IS'), changedAt: new Date().toISOString() });
    await waitFor('the projection has it', async () => ((await projected(other.sub!)) === 'Reykjavik' ? true : undefined));
    expect((await cartOf(other)).buyerIdentity).toBeNull();
  });
});
