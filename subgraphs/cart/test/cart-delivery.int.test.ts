import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, customer, NEW_YORK, product, startCartHarness, type CartHarness } from './cart-harness.ts';

let h: CartHarness;
const MUG = randomUUID();

beforeAll(async () => {
  h = await startCartHarness();
  h.catalog.set(MUG, product(MUG, { priceAmount: 2500, name: 'Mug' }));
});
afterAll(async () => h?.close());

const COST = `cost { subtotalAmount { amount } shippingAmount { amount } taxAmount { amount } totalAmount { amount } isEstimate taxesIncluded }`;
const DELIVERY = `deliveryOptions { handle title cost { amount } minDeliveryDays maxDeliveryDays pickup } selectedDeliveryOption { handle }`;
const PAYLOAD = `cart { version ${COST} ${DELIVERY} buyerIdentity { countryCode deliveryAddress { city province countryCode } billingAddress { city } } }
  userErrors { code field message } warnings { code message }`;

async function mugCart(quantity = 1): Promise<string> {
  const res = await h.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { id } userErrors { code } } }`, GUEST, {
    l: [{ merchandiseId: MUG, quantity }],
  });
  expect(res.data.cartCreate.userErrors).toEqual([]);
  return res.data.cartCreate.cart.id;
}

const address = (over: Record<string, string | null> = {}) => ({ ...NEW_YORK, ...over });

async function setBuyer(id: string, buyerIdentity: Record<string, unknown>) {
  const res = await h.run(
    `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { ${PAYLOAD} } }`,
    GUEST,
    {
      id,
      b: buyerIdentity,
    },
  );
  expect(res.errors).toBeUndefined();
  return res.data.cartBuyerIdentityUpdate;
}

async function select(id: string, handle: string) {
  const res = await h.run(`mutation ($id: ID!, $h: String!) { cartDeliveryOptionSelect(cartId: $id, handle: $h) { ${PAYLOAD} } }`, GUEST, {
    id,
    h: handle,
  });
  return res.data.cartDeliveryOptionSelect;
}

const amounts = (cost: Record<string, { amount: string } | boolean>) =>
  ['subtotalAmount', 'shippingAmount', 'taxAmount', 'totalAmount'].map((k) => (cost[k] as { amount: string }).amount);

describe('a cart before any address', () => {
  it("shows a complete estimate for the store's default country: the cheapest shipped option preselected, tax included in the total", async () => {
    const res = await h.run(`query ($id: ID!) { cart(id: $id) { ${COST} ${DELIVERY} } }`, GUEST, { id: await mugCart() });
    const cart = res.data.cart;
    // US: Standard 4.99 (free over 50.00), Express 14.99, Pickup last; 7.25 % of 25.00 = 1.8125 → 1.81.
    expect(amounts(cart.cost)).toEqual(['25.00', '4.99', '1.81', '31.80']);
    expect(cart.cost).toMatchObject({ isEstimate: true, taxesIncluded: false });
    expect(cart.deliveryOptions).toEqual([
      { handle: 'standard', title: 'Standard', cost: { amount: '4.99' }, minDeliveryDays: 3, maxDeliveryDays: 5, pickup: false },
      { handle: 'express', title: 'Express', cost: { amount: '14.99' }, minDeliveryDays: 1, maxDeliveryDays: 2, pickup: false },
      { handle: 'pickup', title: 'Pickup in store', cost: { amount: '0.00' }, minDeliveryDays: 0, maxDeliveryDays: 1, pickup: true },
    ]);
    expect(cart.selectedDeliveryOption).toEqual({ handle: 'standard' });
  });

  it('prices options after their free-over threshold (on the discounted subtotal)', async () => {
    const res = await h.run(`query ($id: ID!) { cart(id: $id) { ${COST} ${DELIVERY} } }`, GUEST, { id: await mugCart(2) });
    // Standard is free from 50.00 on; Express is never free; pickup stays last however cheap.
    expect(res.data.cart.deliveryOptions.map((o: { cost: { amount: string } }) => o.cost.amount)).toEqual(['0.00', '14.99', '0.00']);
    expect(amounts(res.data.cart.cost)).toEqual(['50.00', '0.00', '3.63', '53.63']);
  });
});

describe('buyer identity and delivery options', () => {
  it('an address with a region: its own tax rate, no longer an estimate; billing defaults to delivery', async () => {
    const id = await mugCart();
    const res = await setBuyer(id, { email: 'ada@example.com', deliveryAddress: address() });
    expect(res.userErrors).toEqual([]);
    // New York's 4 % of 25.00 = 1.00; US delivery is untaxed.
    expect(amounts(res.cart.cost)).toEqual(['25.00', '4.99', '1.00', '30.99']);
    expect(res.cart.cost.isEstimate).toBe(false);
    expect(res.cart.buyerIdentity).toEqual({
      countryCode: 'US',
      deliveryAddress: { city: 'New York', province: 'NY', countryCode: 'US' },
      billingAddress: { city: 'New York' },
    });
    // A country alone where regions differ stays an estimate (at the country's rate).
    const countryOnly = await setBuyer(await mugCart(), { countryCode: 'US' });
    expect(countryOnly.cart.cost).toMatchObject({ isEstimate: true, taxAmount: { amount: '1.81' } });
  });

  it('a region with a zone of its own (Alaska) gets that zone’s methods', async () => {
    const res = await setBuyer(await mugCart(), { deliveryAddress: address({ city: 'Juneau', province: 'ak', postalCode: '99801' }) });
    expect(res.cart.deliveryOptions.map((o: { handle: string; cost: { amount: string } }) => [o.handle, o.cost.amount])).toEqual([
      ['standard', '12.99'],
      ['express', '29.99'],
    ]);
  });

  it('taxes delivery at the goods’ rate in a zone that says so (EU VAT), rounding the sum once', async () => {
    const res = await setBuyer(await mugCart(), {
      deliveryAddress: address({ city: 'Brussels', province: null, postalCode: '1000', countryCode: 'BE' }),
    });
    // 21 % of 25.00 + 21 % of 8.99 = 5.25 + 1.8879 = 7.1379 → 7.14.
    expect(amounts(res.cart.cost)).toEqual(['25.00', '8.99', '7.14', '41.13']);
  });

  it('cartDeliveryOptionSelect picks an option; an unknown one is refused naming those offered', async () => {
    const id = await mugCart();
    const express = await select(id, 'EXPRESS');
    expect(express.userErrors).toEqual([]);
    expect(express.cart.selectedDeliveryOption).toEqual({ handle: 'express' });
    expect(amounts(express.cart.cost)).toEqual(['25.00', '14.99', '1.81', '41.80']);
    const unknown = await select(id, 'drone');
    expect(unknown.userErrors).toEqual([
      {
        code: 'NOT_FOUND',
        field: ['handle'],
        message:
          'There is no delivery option "drone" for this address; choose one of Standard (standard), Express (express), Pickup in store (pickup)',
      },
    ]);
    expect(unknown.cart.version).toBe(express.cart.version);
  });

  it('a new address keeps a choice it offers, and reselects the cheapest with a warning when it does not', async () => {
    const id = await mugCart();
    expect((await select(id, 'pickup')).cart.cost.shippingAmount.amount).toBe('0.00');
    const ny = await setBuyer(id, { deliveryAddress: address() });
    expect([ny.cart.selectedDeliveryOption, ny.warnings]).toEqual([{ handle: 'pickup' }, []]);
    const paris = await setBuyer(id, { deliveryAddress: address({ city: 'Paris', province: null, postalCode: '75001', countryCode: 'FR' }) });
    expect(paris.userErrors).toEqual([]);
    expect(paris.cart.selectedDeliveryOption).toEqual({ handle: 'standard' });
    expect(paris.warnings).toEqual([
      { code: 'DELIVERY_OPTION_CHANGED', message: 'Pickup in store does not deliver to this address; Standard (5.99 USD) is selected instead' },
    ]);
    // Another country alone drops the address that no longer matches it.
    const de = await setBuyer(id, { countryCode: 'DE' });
    expect(de.cart.buyerIdentity).toMatchObject({ countryCode: 'DE', deliveryAddress: null });
  });

  it('reports every problem of the input at once, and changes nothing', async () => {
    const id = await mugCart();
    const res = await setBuyer(id, {
      email: 'not-an-email',
      phone: 'call me',
      deliveryAddress: address({ city: ' ', countryCode: 'ZZ' }),
      billingAddress: address({ postalCode: '' }),
    });
    expect(res.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID', 'buyerIdentity.email'],
      ['INVALID', 'buyerIdentity.phone'],
      ['REQUIRED', 'buyerIdentity.billingAddress.postalCode'],
      ['REQUIRED', 'buyerIdentity.deliveryAddress.city'],
    ]);
    // An unknown country is judged even when another field is wrong.
    const both = await setBuyer(id, { countryCode: 'ZZ', phone: 'x' });
    expect(both.userErrors.map((e: { code: string }) => e.code).sort()).toEqual(['INVALID', 'UNSUPPORTED_COUNTRY']);
    const mismatch = await setBuyer(id, { deliveryAddress: address({ province: 'ON', countryCode: 'CA' }), countryCode: 'US' });
    expect(mismatch.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field.join('.')])).toEqual([
      ['INVALID', 'buyerIdentity.countryCode'],
    ]);
    expect(res.cart.version).toBe(both.cart.version);
  });
});

describe('regions where they decide tax and delivery', () => {
  const codes = (errors: Array<{ code: string; field: string[] }>) => errors.map(({ code, field }) => ({ code, field }));

  it('are named by their code: a name would be taxed and delivered as the rest of the country', async () => {
    const id = await mugCart();
    const named = await setBuyer(id, { deliveryAddress: address({ province: 'California' }) });
    expect(codes(named.userErrors)).toEqual([{ code: 'INVALID', field: ['buyerIdentity', 'deliveryAddress', 'province'] }]);
    // The code, in any case, is taken.
    expect((await setBuyer(id, { deliveryAddress: address({ province: 'ca' }) })).userErrors).toEqual([]);

    const input = { email: 'ada@example.com', paymentToken: 'tok_visa', idempotencyKey: `region-${id}` };
    const shippingAddress = { name: 'Ada', line1: '1 Main St', city: 'Anchorage', province: 'Alaska', postalCode: '99501', countryCode: 'US' };
    const refused = await h.run(
      `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code field } } }`,
      GUEST,
      { id, input: { ...input, shippingAddress } },
    );
    expect(refused.data.cartCheckout.checkout).toBeNull();
    expect(refused.data.cartCheckout.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'shippingAddress', 'province'] }]);
  });

  it('stay free text where the country has no regional rates or zones', async () => {
    const id = await mugCart();
    expect((await setBuyer(id, { deliveryAddress: address({ province: 'Bayern', countryCode: 'DE' }) })).userErrors).toEqual([]);
  });
});

describe('admin: zones, methods and tax rates', () => {
  const ZONE = `mutation ($i: ShippingZoneInput!) { shippingZoneUpsert(input: $i) {
    shippingZone { handle name shippingTaxRate countries { countryCode regionCodes } deliveryMethods { handle title price { amount } freeOver { amount } pickup position } }
    userErrors { code field message } } }`;
  const METHOD = `mutation ($i: DeliveryMethodInput!) { deliveryMethodUpsert(input: $i) { deliveryMethod { handle price { amount } } userErrors { code field } } }`;

  it('creates a zone with methods that price carts there; a country already in another zone is refused', async () => {
    const zone = await h.run(ZONE, ADMIN, {
      i: { handle: 'Nordics', name: 'Nordics', countries: [{ countryCode: 'se' }, { countryCode: 'NO' }], shippingTaxRate: '25' },
    });
    expect(zone.data.shippingZoneUpsert).toMatchObject({
      userErrors: [],
      shippingZone: { handle: 'nordics', shippingTaxRate: '25.00', deliveryMethods: [] },
    });
    for (const [handle, price, position] of [
      ['standard', '7.00', 0],
      ['express', '19.00', 1],
    ] as const) {
      const m = await h.run(METHOD, ADMIN, {
        i: { zoneHandle: 'nordics', handle, title: handle, price, position, minDeliveryDays: 1, maxDeliveryDays: 4 },
      });
      expect(m.data.deliveryMethodUpsert.userErrors).toEqual([]);
    }
    await h.run(`mutation { taxRateUpsert(input: { countryCode: "SE", rate: "25" }) { userErrors { code } } }`, ADMIN);
    const cart = await setBuyer(await mugCart(), { countryCode: 'SE' });
    // 25 % of 25.00 + 25 % of 7.00 = 8.00.
    expect(amounts(cart.cart.cost)).toEqual(['25.00', '7.00', '8.00', '40.00']);

    const taken = await h.run(ZONE, ADMIN, {
      i: { handle: 'north', name: 'North', countries: [{ countryCode: 'SE' }, { countryCode: 'US', regionCodes: ['AK'] }] },
    });
    expect(taken.data.shippingZoneUpsert.userErrors).toEqual([
      { code: 'TAKEN', field: ['input', 'countries', '0'], message: 'SE is already in the zone "nordics"; remove it there first' },
      { code: 'TAKEN', field: ['input', 'countries', '1'], message: 'US-AK is already in the zone "us-remote"; remove it there first' },
    ]);
    const zones = await h.run(`{ shippingZones { handle } }`, ADMIN);
    expect(zones.data.shippingZones.map((z: { handle: string }) => z.handle)).not.toContain('north');
  });

  it('validates every field at once, deletes methods and zones, sets region rates, and is admin-only', async () => {
    const bad = await h.run(METHOD, ADMIN, {
      i: { zoneHandle: 'us', handle: 'Bad Handle', title: '', price: '-1', minDeliveryDays: 5, maxDeliveryDays: 2 },
    });
    expect(bad.data.deliveryMethodUpsert.userErrors.map((e: { field: string[] }) => e.field.join('.')).sort()).toEqual([
      'input.handle',
      'input.maxDeliveryDays',
      'input.price',
      'input.title',
    ]);
    const missing = await h.run(METHOD, ADMIN, { i: { zoneHandle: 'atlantis', handle: 'boat', title: 'Boat', price: '1.00' } });
    expect(missing.data.deliveryMethodUpsert.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'zoneHandle'] }]);
    const zone = await h.run(
      `mutation { shippingZoneUpsert(input: { handle: "islands", name: "Islands", countries: [{ countryCode: "IS" }] }) { userErrors { code } } }`,
      ADMIN,
    );
    expect(zone.data.shippingZoneUpsert.userErrors).toEqual([]);
    await h.run(METHOD, ADMIN, { i: { zoneHandle: 'islands', handle: 'boat', title: 'Boat', price: '30.00' } });
    const del = await h.run(`mutation { deliveryMethodDelete(zoneHandle: "islands", handle: "boat") { deletedHandle userErrors { code } } }`, ADMIN);
    expect(del.data.deliveryMethodDelete).toEqual({ deletedHandle: 'boat', userErrors: [] });
    const delZone = await h.run(`mutation { shippingZoneDelete(handle: "islands") { deletedHandle userErrors { code } } }`, ADMIN);
    expect(delZone.data.shippingZoneDelete).toEqual({ deletedHandle: 'islands', userErrors: [] });
    const again = await h.run(`mutation { shippingZoneDelete(handle: "islands") { deletedHandle userErrors { code } } }`, ADMIN);
    expect(again.data.shippingZoneDelete).toEqual({ deletedHandle: null, userErrors: [{ code: 'NOT_FOUND' }] });

    const rate = await h.run(
      `mutation { taxRateUpsert(input: { countryCode: "us", regionCode: "fl", rate: "6" }) { taxRate { countryCode regionCode rate } } }`,
      ADMIN,
    );
    expect(rate.data.taxRateUpsert.taxRate).toEqual({ countryCode: 'US', regionCode: 'FL', rate: '6.00' });
    const fl = await setBuyer(await mugCart(), { deliveryAddress: address({ city: 'Miami', province: 'FL', postalCode: '33101' }) });
    expect(fl.cart.cost.taxAmount.amount).toBe('1.50');

    for (const query of [
      '{ shippingZones { handle } }',
      '{ taxRates { rate } }',
      'mutation { shippingZoneDelete(handle: "us") { deletedHandle } }',
    ]) {
      const res = await h.run(query, customer(`shopper-${randomUUID()}`));
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('tax-inclusive prices (STORE_PRICES_INCLUDE_TAX)', () => {
  it('says how much of the total is tax and does not add it', async () => {
    const incl = await startCartHarness({ policy: { ...h.deps.policy, pricesIncludeTax: true } });
    try {
      incl.catalog.set(MUG, product(MUG, { priceAmount: 2500 }));
      const created = await incl.run(`mutation ($l: [CartLineInput!]) { cartCreate(input: { lines: $l }) { cart { id } } }`, GUEST, {
        l: [{ merchandiseId: MUG }],
      });
      const id = created.data.cartCreate.cart.id;
      const res = await incl.run(
        `mutation ($id: ID!, $b: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $id, buyerIdentity: $b) { cart { ${COST} } } }`,
        GUEST,
        { id, b: { deliveryAddress: address({ city: 'Brussels', province: null, postalCode: '1000', countryCode: 'BE' }) } },
      );
      const cost = res.data.cartBuyerIdentityUpdate.cart.cost;
      // 25.00 + 8.99 with 21 % VAT included: 33.99 × 21 / 121 = 5.899… → 5.90; the total stays 33.99.
      expect(amounts(cost)).toEqual(['25.00', '8.99', '5.90', '33.99']);
      expect(cost.taxesIncluded).toBe(true);
    } finally {
      await incl.close();
    }
  });
});
