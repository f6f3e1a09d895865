import type { EntityManager } from '@mikro-orm/postgresql';
import { FOR_UPDATE, FRESH, isUuid } from '@shop/platform';
import { CustomerAddressSchema, CustomerSchema, type Customer, type CustomerAddress } from './customer.entity.ts';

export type NewCustomer = Omit<Customer, 'createdAt' | 'updatedAt' | 'defaultAddressId'>;
export type AddressFields = Omit<CustomerAddress, 'id' | 'customerId' | 'createdAt'>;

/**
 * Customers and their addresses. Ids come from token subjects, which any issuer may make non-UUIDs
 * (dev tokens, other identity providers): such an id has no account here, never a database error.
 */
export class CustomerRepository {
  private readonly em: EntityManager;
  constructor(em: EntityManager) {
    this.em = em;
  }

  byIds(ids: readonly string[]): Promise<Customer[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.em.find(CustomerSchema, { id: { $in: valid } }) : Promise.resolve([]);
  }

  async byId(id: string, em: EntityManager = this.em): Promise<Customer | null> {
    return isUuid(id) ? em.findOne(CustomerSchema, { id }, FRESH) : null;
  }

  /** Row-locked for a change (password, email, default address). */
  async forUpdate(tx: EntityManager, id: string): Promise<Customer | null> {
    return isUuid(id) ? tx.findOne(CustomerSchema, { id }, { ...FOR_UPDATE, populate: ['passwordHash'] }) : null;
  }

  /** With the password hash (lazy elsewhere): sign-in only. Emails are unique case-insensitively. */
  async withPasswordByEmail(email: string): Promise<Customer | null> {
    // lower(email) matches the unique index; the ORM cannot say a function of a column.
    const rows = await this.em.execute<Array<{ id: string }>>('select id from customer where lower(email) = lower(?)', [email]);
    return rows[0] ? this.em.findOne(CustomerSchema, { id: rows[0].id }, { ...FRESH, populate: ['passwordHash'] }) : null;
  }

  async withPasswordById(id: string): Promise<Customer | null> {
    return isUuid(id) ? this.em.findOne(CustomerSchema, { id }, { ...FRESH, populate: ['passwordHash'] }) : null;
  }

  async insert(tx: EntityManager, customer: NewCustomer): Promise<void> {
    const now = new Date();
    await tx.insert(CustomerSchema, { ...customer, defaultAddressId: null, createdAt: now, updatedAt: now });
  }

  async update(tx: EntityManager, id: string, changes: Partial<Omit<Customer, 'id' | 'createdAt'>>): Promise<void> {
    await tx.nativeUpdate(CustomerSchema, { id }, { ...changes, updatedAt: new Date() });
  }

  addressesOf(customerIds: readonly string[]): Promise<CustomerAddress[]> {
    const valid = customerIds.filter(isUuid);
    return valid.length
      ? this.em.find(CustomerAddressSchema, { customerId: { $in: valid } }, { orderBy: { createdAt: 'asc', id: 'asc' } })
      : Promise.resolve([]);
  }

  /** The address if it is this customer's (row-locked in `tx`). */
  async address(tx: EntityManager, customerId: string, id: string): Promise<CustomerAddress | null> {
    return isUuid(customerId) && isUuid(id) ? tx.findOne(CustomerAddressSchema, { id, customerId }, FOR_UPDATE) : null;
  }

  async countAddresses(tx: EntityManager, customerId: string): Promise<number> {
    return tx.count(CustomerAddressSchema, { customerId });
  }

  async insertAddress(tx: EntityManager, address: CustomerAddress): Promise<void> {
    await tx.insert(CustomerAddressSchema, address);
  }

  async updateAddress(tx: EntityManager, id: string, fields: AddressFields): Promise<void> {
    await tx.nativeUpdate(CustomerAddressSchema, { id }, fields);
  }

  /** The customer's default falls back to null by the foreign key (on delete set null). */
  async deleteAddress(tx: EntityManager, id: string): Promise<void> {
    await tx.nativeDelete(CustomerAddressSchema, { id });
  }
}
