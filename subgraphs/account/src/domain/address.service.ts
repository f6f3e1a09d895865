import { randomUUID } from 'node:crypto';
import { isUuid, userError, type Transaction, type UnitOfWork, type UserError } from '@shop/platform';
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
/**
 * Tell the cart the customer's default address changed (it fills in carts that have none), in the
 * change's own transaction. The customer row is locked by then, so changes of one customer are
 * stamped in the order they commit.
 */
function announceDefault(uow: UnitOfWork, customerId: string, address: CustomerAddress | null) {
  const data = address && {
    firstName: address.firstName ?? null,
    lastName: address.lastName ?? null,
    company: address.company ?? null,
    address1: address.address1,
    address2: address.address2 ?? null,
    city: address.city,
    province: address.province ?? null,
    postalCode: address.postalCode,
    countryCode: address.countryCode,
    phone: address.phone ?? null,
  };
  return uow.emit('account.customer.default_address_changed', { customerId, address: data, changedAt: new Date().toISOString() });
}

/** The customer (row-locked: default-address changes are decided one at a time) and their address `id`, if it is theirs. */
async function ownAddress(uow: UnitOfWork, customerId: string, id: string) {
  const customers = new CustomerRepository(uow.em);
  const customer = await customers.forUpdate(uow.em, customerId);
  const existing = customer && (await customers.address(uow.em, customerId, id));
  return customer && existing ? { customers, customer, existing } : null;
}

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
    return this.transaction(async (uow) => {
      const { em } = uow;
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
      if (setAsDefault || !customer.defaultAddressId) {
        await customers.update(em, customerId, { defaultAddressId: address.id });
        await announceDefault(uow, customerId, address);
      }
      return { address, customerId, userErrors: [] };
    });
  }

  update(customerId: string, id: string, input: unknown): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('id'));
    const parsed = parseInput(addressInput, input, ['address']);
    if (!parsed.ok) return Promise.resolve({ address: null, customerId: null, userErrors: parsed.userErrors });
    return this.transaction(async (uow) => {
      const own = await ownAddress(uow, customerId, id);
      if (!own) return notFound('id');
      const { customers, customer, existing } = own;
      await customers.updateAddress(uow.em, id, parsed.value);
      const address = { ...existing, ...parsed.value };
      if (customer.defaultAddressId === id) await announceDefault(uow, customerId, address);
      return { address, customerId, userErrors: [] };
    });
  }

  delete(customerId: string, id: string): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('id'));
    return this.transaction(async (uow) => {
      const own = await ownAddress(uow, customerId, id);
      if (!own) return notFound('id');
      const { customers, customer, existing } = own;
      await customers.deleteAddress(uow.em, id);
      // The default's foreign key is set null with it: the customer has no default address now.
      if (customer.defaultAddressId === id) await announceDefault(uow, customerId, null);
      return { address: existing, customerId, userErrors: [] };
    });
  }

  setDefault(customerId: string, id: string): Promise<AddressResult> {
    if (!isUuid(id)) return Promise.resolve(notFound('addressId'));
    return this.transaction(async (uow) => {
      const own = await ownAddress(uow, customerId, id);
      if (!own) return notFound('addressId');
      const { customers, customer, existing } = own;
      await customers.update(uow.em, customerId, { defaultAddressId: id });
      if (customer.defaultAddressId !== id) await announceDefault(uow, customerId, existing);
      return { address: existing, customerId, userErrors: [] };
    });
  }
}
