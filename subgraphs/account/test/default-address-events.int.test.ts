import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '@shop/platform';
import { AddressService } from '../src/domain/address.service.ts';
import { insertCustomer, log, openAccountDb, type AccountDb } from './account-fixture.ts';

let db: AccountDb;
let addresses: AddressService;
beforeAll(async () => {
  db = await openAccountDb('account_default_address');
  addresses = new AddressService(createUnitOfWork({ em: db.orm.em, log }));
});
afterAll(async () => db?.close());

const input = (city: string) => ({ firstName: 'Ada', address1: '1 Main St', city, postalCode: '10001', countryCode: 'us', province: 'NY' });

/** The default-address announcements in the outbox for a customer, oldest first: the city (null: no default). */
async function announced(customerId: string): Promise<Array<string | null>> {
  const rows = await db
    .em()
    .execute<Array<{ payload: { data: { address: { city: string } | null; changedAt: string } } }>>(
      `select payload from outbox_event where subject = 'account.customer.default_address_changed' and payload->'data'->>'customerId' = ? order by seq`,
      [customerId],
    );
  return rows.map((r) => r.payload.data.address?.city ?? null);
}

describe('the default address is announced to the cart', () => {
  it('when it is created, replaced, edited and deleted; never for other addresses', async () => {
    const customer = await insertCustomer(db);
    const first = await addresses.create(customer.id, input('New York'), false); // the first becomes the default
    expect(first.userErrors).toEqual([]);
    const second = await addresses.create(customer.id, input('Albany'), false);
    await addresses.update(customer.id, second.address!.id, input('Buffalo')); // not the default: nothing
    expect(await announced(customer.id)).toEqual(['New York']);

    await addresses.setDefault(customer.id, second.address!.id);
    await addresses.setDefault(customer.id, second.address!.id); // already the default: nothing
    await addresses.update(customer.id, second.address!.id, input('Rochester'));
    await addresses.delete(customer.id, first.address!.id); // not the default any more: nothing
    await addresses.delete(customer.id, second.address!.id);
    expect(await announced(customer.id)).toEqual(['New York', 'Buffalo', 'Rochester', null]);

    const [event] = await db
      .em()
      .execute<Array<{ payload: { data: Record<string, unknown> } }>>(
        `select payload from outbox_event where subject = 'account.customer.default_address_changed' and payload->'data'->>'customerId' = ? order by seq limit 1`,
        [customer.id],
      );
    expect(event!.payload.data).toMatchObject({
      customerId: customer.id,
      address: {
        firstName: 'Ada',
        lastName: null,
        company: null,
        address1: '1 Main St',
        city: 'New York',
        province: 'NY',
        countryCode: 'US',
        phone: null,
      },
    });
  });
});
