import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { userError, type Transaction, type UnitOfWork, type UserError } from '@shop/platform';
import { CustomerRepository } from '../data/customer.repository.ts';
import type { Customer } from '../data/customer.entity.ts';
import { TokenRepository } from '../data/token.repository.ts';
import type { OneTimePurpose } from '../data/token.entity.ts';
import { emailField, parseInput, registerInput, updateInput } from './account-input.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { passwordProblems, type PasswordHasher } from './passwords.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';
import type { IssuedTokens, Sessions } from './sessions.ts';

export interface AuthResult {
  customer: Customer | null;
  tokens: IssuedTokens | null;
  userErrors: UserError[];
}
export interface CustomerResult {
  customer: Customer | null;
  userErrors: UserError[];
}

export interface AccountParts {
  em: EntityManager;
  transaction: Transaction;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  sessions: Sessions;
  minPasswordLength: number;
}

const LINK_TTL_MS: Record<OneTimePurpose, number> = { VERIFY_EMAIL: 24 * 3_600_000, RESET_PASSWORD: 3_600_000 };
const INVALID_CREDENTIALS = userError('INVALID_CREDENTIALS', 'The email or password is incorrect.');
const WRONG_CURRENT_PASSWORD: CustomerResult = {
  customer: null,
  userErrors: [userError('INVALID_CREDENTIALS', 'The current password is incorrect.', ['currentPassword'])],
};
const authFailed = (...userErrors: UserError[]): AuthResult => ({ customer: null, tokens: null, userErrors });
const throttled = (seconds: number, field?: string[]) => userError('THROTTLED', `Too many failed sign-ins. Try again in ${seconds} seconds.`, field);
const invalidToken = (field: string) => userError('INVALID_TOKEN', 'This link or token is invalid or has expired.', [field]);

/** Sign-up, sign-in, sessions and the emailed links. No GraphQL here: the resolvers map inputs and payloads. */
export class AccountService {
  private readonly parts: AccountParts;
  private readonly customers: CustomerRepository;

  constructor(parts: AccountParts) {
    this.parts = parts;
    this.customers = new CustomerRepository(parts.em);
  }

  async register(input: unknown): Promise<AuthResult> {
    const parsed = parseInput(registerInput, input, ['input']);
    if (!parsed.ok) return authFailed(...parsed.userErrors);
    const { password, ...profile } = parsed.value;
    const weak = passwordProblems(password, this.parts.minPasswordLength, ['input', 'password']);
    if (weak.length) return authFailed(...weak);
    const passwordHash = await this.parts.hasher.hash(password);
    const taken = authFailed(userError('TAKEN', 'An account with this email exists; sign in instead.', ['input', 'email']));
    // The unique index on lower(email) decides (also between two sign-ups at once): a violation is TAKEN.
    return this.parts
      .transaction(async (uow) => {
        const id = randomUUID();
        // The role is always customer: admins are made only by the admin:create command.
        await this.customers.insert(uow.em, { id, ...profile, passwordHash, roles: ['customer'], phone: null, emailVerified: false });
        const customer = (await this.customers.byId(id, uow.em))!;
        await this.sendLink(uow, customer, 'VERIFY_EMAIL');
        return { customer, tokens: await this.parts.sessions.issue(uow.em, customer), userErrors: [] };
      })
      .catch((error: unknown) => {
        if (error instanceof UniqueConstraintViolationException) return taken;
        throw error;
      });
  }

  /** Same answer, after the same argon2 work, for an unknown email and a wrong password. */
  async login(email: string, password: string, clientAddress: string, guestCartId: string | null): Promise<AuthResult> {
    const key = email.trim().toLowerCase();
    const verdict = await this.parts.throttle.attempt(key, clientAddress);
    if (!verdict.allowed) return authFailed(throttled(verdict.retryAfterSeconds));
    const customer = await this.customers.withPasswordByEmail(key);
    if (!(await this.parts.hasher.verify(customer?.passwordHash ?? null, password)) || !customer) return authFailed(INVALID_CREDENTIALS);
    await this.parts.throttle.succeeded(key, clientAddress);
    return this.parts.transaction(async (uow) => {
      if (guestCartId) await uow.emit('account.cart.merge_requested', { customerId: customer.id, guestCartId });
      return { customer, tokens: await this.parts.sessions.issue(uow.em, customer), userErrors: [] };
    });
  }

  refresh(refreshToken: string): Promise<AuthResult> {
    return this.parts.transaction(async ({ em }) => {
      const outcome = await this.parts.sessions.refresh(em, refreshToken, (id) => this.customers.byId(id, em));
      if (!outcome.ok) return authFailed(invalidToken('refreshToken'));
      return { customer: await this.customers.byId(outcome.customerId, em), tokens: outcome.tokens, userErrors: [] };
    });
  }

  logout(refreshToken: string): Promise<boolean> {
    return this.parts.transaction(({ em }) => this.parts.sessions.logout(em, refreshToken));
  }

  /**
   * Keeps the current sign-in (`sessionId`, the token's sid) and ends every other one. The current
   * password is checked under the sign-in throttle: a stolen access token is no way to guess it.
   */
  async changePassword(customerId: string, sessionId: string | null, clientAddress: string, current: string, next: string): Promise<CustomerResult> {
    const weak = passwordProblems(next, this.parts.minPasswordLength, ['newPassword']);
    const customer = await this.customers.withPasswordById(customerId);
    if (!customer) return WRONG_CURRENT_PASSWORD;
    const key = customer.email.toLowerCase();
    const verdict = await this.parts.throttle.attempt(key, clientAddress);
    if (!verdict.allowed) return { customer: null, userErrors: [throttled(verdict.retryAfterSeconds, ['currentPassword'])] };
    if (!(await this.parts.hasher.verify(customer.passwordHash, current))) return WRONG_CURRENT_PASSWORD;
    await this.parts.throttle.succeeded(key, clientAddress);
    if (weak.length) return { customer: null, userErrors: weak };
    const passwordHash = await this.parts.hasher.hash(next);
    return this.parts.transaction(async ({ em }) => {
      await this.customers.update(em, customerId, { passwordHash });
      await new TokenRepository(em).revokeAllOf(em, customerId, sessionId);
      return { customer: await this.customers.byId(customerId, em), userErrors: [] };
    });
  }

  /** The same (empty) answer whether the email belongs to a customer or not. */
  async requestPasswordReset(email: string): Promise<void> {
    const parsed = emailField.safeParse(email);
    if (!parsed.success) return;
    const customer = await this.customers.withPasswordByEmail(parsed.data);
    if (!customer) return;
    await this.parts.transaction((uow) => this.sendLink(uow, customer, 'RESET_PASSWORD'));
  }

  async resetPassword(token: string, password: string): Promise<AuthResult> {
    const weak = passwordProblems(password, this.parts.minPasswordLength, ['password']);
    if (weak.length) return authFailed(...weak);
    const passwordHash = await this.parts.hasher.hash(password);
    return this.parts.transaction(async ({ em }) => {
      const customer = await this.useLink(em, token, 'RESET_PASSWORD');
      if (!customer) return authFailed(invalidToken('token'));
      // The link proved the address: it is verified too. Every existing sign-in ends.
      await this.customers.update(em, customer.id, { passwordHash, emailVerified: true });
      await new TokenRepository(em).revokeAllOf(em, customer.id);
      const updated = (await this.customers.byId(customer.id, em))!;
      return { customer: updated, tokens: await this.parts.sessions.issue(em, updated), userErrors: [] };
    });
  }

  verifyEmail(token: string): Promise<CustomerResult> {
    return this.parts.transaction(async ({ em }) => {
      const customer = await this.useLink(em, token, 'VERIFY_EMAIL');
      if (!customer) return { customer: null, userErrors: [invalidToken('token')] };
      await this.customers.update(em, customer.id, { emailVerified: true });
      return { customer: await this.customers.byId(customer.id, em), userErrors: [] };
    });
  }

  resendVerification(customerId: string): Promise<CustomerResult> {
    return this.parts.transaction(async (uow) => {
      const customer = await this.customers.byId(customerId, uow.em);
      if (!customer) return { customer: null, userErrors: [userError('NOT_FOUND', 'No account for this sign-in.')] };
      if (customer.emailVerified) return { customer, userErrors: [userError('INVALID', 'This email is already verified.')] };
      await this.sendLink(uow, customer, 'VERIFY_EMAIL');
      return { customer, userErrors: [] };
    });
  }

  update(customerId: string, input: unknown): Promise<CustomerResult> {
    const parsed = parseInput(updateInput, input, ['input']);
    if (!parsed.ok) return Promise.resolve({ customer: null, userErrors: parsed.userErrors });
    const changes = Object.fromEntries(Object.entries(parsed.value).filter(([, v]) => v !== undefined));
    return this.parts
      .transaction(async (uow) => {
        const current = await this.customers.forUpdate(uow.em, customerId);
        if (!current) return { customer: null, userErrors: [userError('NOT_FOUND', 'No account for this sign-in.')] };
        const newEmail = typeof changes.email === 'string' && changes.email.toLowerCase() !== current.email.toLowerCase() ? changes.email : null;
        await this.customers.update(uow.em, customerId, { ...changes, ...(newEmail ? { emailVerified: false } : {}) });
        const customer = (await this.customers.byId(customerId, uow.em))!;
        if (newEmail) await this.sendLink(uow, customer, 'VERIFY_EMAIL');
        return { customer, userErrors: [] };
      })
      .catch((error: unknown) => {
        // The unique index on lower(email) decides whether the new email is free.
        if (error instanceof UniqueConstraintViolationException)
          return { customer: null, userErrors: [userError('TAKEN', 'An account with this email exists.', ['input', 'email'])] };
        throw error;
      });
  }

  /** Guest orders with the verified email become the customer's (the order subgraph does it from the event). */
  claimOrders(customerId: string): Promise<CustomerResult> {
    return this.parts.transaction(async (uow) => {
      const customer = await this.customers.byId(customerId, uow.em);
      if (!customer) return { customer: null, userErrors: [userError('NOT_FOUND', 'No account for this sign-in.')] };
      if (!customer.emailVerified)
        return { customer, userErrors: [userError('INVALID', 'Verify your email first: orders are claimed by a verified email.')] };
      await uow.emit('account.orders.claim_requested', { customerId, email: customer.email });
      return { customer, userErrors: [] };
    });
  }

  /** A new single-use link (earlier ones of the purpose void) and the event that emails it. */
  private async sendLink(uow: UnitOfWork, customer: Customer, purpose: OneTimePurpose): Promise<void> {
    const tokens = new TokenRepository(uow.em);
    const token = newOpaqueToken();
    const expiresAt = new Date(Date.now() + LINK_TTL_MS[purpose]);
    await tokens.voidOneTime(uow.em, customer.id, purpose);
    await tokens.insertOneTime(uow.em, {
      id: randomUUID(),
      customerId: customer.id,
      purpose,
      tokenHash: tokenHash(token),
      email: customer.email,
      expiresAt,
      createdAt: new Date(),
    });
    const data = { customerId: customer.id, email: customer.email, firstName: customer.firstName ?? null, token, expiresAt: expiresAt.toISOString() };
    await uow.emit(purpose === 'VERIFY_EMAIL' ? 'account.email.verification_requested' : 'account.password.reset_requested', data);
  }

  /** The link's customer if the token is live and (for verification) still for the current email; spent either way. */
  private async useLink(tx: EntityManager, token: string, purpose: OneTimePurpose): Promise<Customer | null> {
    const tokens = new TokenRepository(tx);
    const row = await tokens.oneTimeForUpdate(tx, tokenHash(token), purpose);
    if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) return null;
    await tokens.markOneTimeUsed(tx, row.id);
    const customer = await this.customers.byId(row.customerId, tx);
    return customer && customer.email.toLowerCase() === row.email.toLowerCase() ? customer : null;
  }
}
