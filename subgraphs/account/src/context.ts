import type { IncomingHttpHeaders } from 'node:http';
import DataLoader from 'dataloader';
import { decodeJwt } from 'jose';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createUnitOfWork, hasAdminRole, verifiedClientAddress, type Identity, type Logger } from '@shop/platform';
import { CustomerRepository } from './data/customer.repository.ts';
import type { Customer, CustomerAddress } from './data/customer.entity.ts';
import { AccountService } from './domain/account.service.ts';
import { AddressService } from './domain/address.service.ts';
import type { LoginThrottle } from './domain/login-throttle.ts';
import type { PasswordHasher } from './domain/passwords.ts';
import type { Sessions } from './domain/sessions.ts';

/** What lives as long as the process: one hasher, throttle and key ring for every request. */
export interface AccountProcessParts {
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  sessions: Sessions;
  minPasswordLength: number;
  /** Verifies the gateway's signature on the client address (CLIENT_ADDRESS_SECRET). */
  clientAddressSecret: string;
  outbox?: { notify(): void };
}

export interface Context {
  identity: Identity;
  log: Logger;
  accounts: AccountService;
  addresses: AddressService;
  /** A customer's profile if the caller is that customer or an admin; null otherwise. */
  visibleCustomer: DataLoader<string, Customer | null>;
  addressesOf: DataLoader<string, CustomerAddress[]>;
  /** Where the request came from, for the per-address sign-in limit: as the gateway signed it, else `unknown`. */
  clientAddress: string;
  /** The sign-in the access token belongs to (its `sid`), kept by a password change. */
  sessionId: string | null;
}

export function createContext(
  em: EntityManager,
  identity: Identity,
  log: Logger,
  parts: AccountProcessParts,
  headers: IncomingHttpHeaders = {},
): Context {
  const transaction = createUnitOfWork({ em, log, ...(parts.outbox ? { outbox: parts.outbox } : {}) });
  const customers = new CustomerRepository(em);
  const sid = identity.token ? decodeJwt(identity.token).sid : null;
  return {
    identity,
    log,
    accounts: new AccountService({ em, transaction, ...parts }),
    addresses: new AddressService(transaction),
    visibleCustomer: new DataLoader(async (ids) => {
      const visible = ids.filter((id) => id === identity.sub || hasAdminRole(identity));
      const rows = new Map((await customers.byIds(visible)).map((c) => [c.id, c]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    addressesOf: new DataLoader(async (ids) => {
      const rows = await customers.addressesOf(ids);
      return ids.map((id) => rows.filter((row) => row.customerId === id));
    }),
    clientAddress: verifiedClientAddress(parts.clientAddressSecret, headers),
    sessionId: typeof sid === 'string' ? sid : null,
  };
}
