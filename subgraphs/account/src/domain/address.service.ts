import { randomUUID } from 'node:crypto';
import { isUuid, userError, type Transaction, type UserError } from '@shop/platform';
import { CustomerRepository } from '../data/customer.repository.ts';
import type { CustomerAddress } from '../data/customer.entity.ts';
import { addressInput, parseInput } from './account-input.ts';

export interface AddressResult {
  address: CustomerAddress | null;
  /** The customer whose addresses changed (for the payload's `customer`). */
  customerId: string | null;
  userErrors: UserError[];
}

/** A customer keeps at most this many addresses (an address book, not a log). */
export const MAX_ADDRESSES = 50;
const notFound = (field: string): AddressResult => ({
  address: null,
  customerId: null,
  userErrors: [userError('NOT_FOUND', 'No such address.', [field])],
});

/**
 * A customer's address book. Every operation is scoped by the signed-in customer's id: an address
 * of another customer is "not found", never changed (no ids to probe).
 */
export class AddressService {
  private readonly transaction: Transaction;

  constructor(transaction: Transaction) {
    this.transaction = transaction;
  }

  create(customerId: string, input: unknown, setAsDefault: boolean): Promise<AddressResult> {
    const parsed = parseInput(addressInput, input, ['address']);
    if (!parsed.ok) return Promise.resolve({ address: null, customerId: null, userErrors: parsed.userErrors });
    return this.transaction(async ({ em }) => {
      const customers = new CustomerRepository(em);
      const customer = await customers.forUpdate(em, customerId);
      if (!customer) return { address: null, customerId: null, userErrors: [userError('NOT_FOUND', 'No account for this sign-in.')] };
      if ((await customers.countAddresses(em, customerId)) >= MAX_ADDRESSES)
        return {
          address: null,
          customerId,
          userErrors: [userError('TOO_LARGE', `At most ${MAX_ADDRESSES} addresses; delete one first.`, ['address'])],
        };
      const address = { id: randomUUID(), customerId, ...parsed.value, createdAt: new Date() };
      await customers.insertAddress(em, address);
      // The first address becomes the default without being asked.
      if (setAsDefault || !customer.defaultAddressId) await customers.update(em, customerId, { defaultAddressId: address.id });
      return { address, customerId, userErrors: [] };
    });
  }

  update(customerId: string, id: string, input: unknown): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('id'));
    const parsed = parseInput(addressInput, input, ['address']);
    if (!parsed.ok) return Promise.resolve({ address: null, customerId: null, userErrors: parsed.userErrors });
    return this.transaction(async ({ em }) => {
      const customers = new CustomerRepository(em);
      const existing = await customers.address(em, customerId, id);
      if (!existing) return notFound('id');
      await customers.updateAddress(em, id, parsed.value);
      return { address: { ...existing, ...parsed.value }, customerId, userErrors: [] };
    });
  }

  delete(customerId: string, id: string): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('id'));
    return this.transaction(async ({ em }) => {
      const customers = new CustomerRepository(em);
      const existing = await customers.address(em, customerId, id);
      if (!existing) return notFound('id');
      await customers.deleteAddress(em, id);
      return { address: existing, customerId, userErrors: [] };
    });
  }

  setDefault(customerId: string, id: string): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('addressId'));
    return this.transaction(async ({ em }) => {
      const customers = new CustomerRepository(em);
      const existing = await customers.address(em, customerId, id);
      if (!existing) return notFound('addressId');
      await customers.update(em, customerId, { defaultAddressId: id });
      return { address: existing, customerId, userErrors: [] };
    });
  }
}
