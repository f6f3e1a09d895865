import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor, toConnection, type Connection, type Identity } from '@shop/platform';
import { CartLineSchema, CartSchema, type Cart, type CartLine } from '../data/cart.entity.ts';
import { canAccessCart } from './cart-access.ts';

export interface CartPolicy {
  currency: string;
  guestTtlHours: number;
  customerTtlHours: number;
}

/** 144 random bits, URL-safe: unguessable, so a guest cart's id can act as its access key. */
export const newCartId = () => randomBytes(18).toString('base64url');

export class CartService {
  private readonly em: EntityManager;
  private readonly policy: CartPolicy;
  constructor(em: EntityManager, policy: CartPolicy) {
    this.em = em;
    this.policy = policy;
  }

  private expiresAt(customerId: string | null): Date {
    const hours = customerId ? this.policy.customerTtlHours : this.policy.guestTtlHours;
    return new Date(Date.now() + hours * 3_600_000);
  }

  /** A cart the caller may see; null both when it does not exist and when it is someone else's. */
  async findVisible(id: string, identity: Identity): Promise<Cart | null> {
    const cart = await this.em.findOne(CartSchema, { id });
    return cart && canAccessCart(cart, identity) ? cart : null;
  }

  /** Guests get a new cart; a customer gets their active cart (created if there is none). */
  async create(identity: Identity): Promise<Cart> {
    if (identity.sub) return this.activeCartOf(identity.sub);
    const cart = this.em.create(CartSchema, {
      id: newCartId(),
      customerId: null,
      currency: this.policy.currency,
      expiresAt: this.expiresAt(null),
    });
    await this.em.flush();
    return cart;
  }

  /** The customer's active cart, created on first use. Race-free: an upsert on a partial unique index. */
  async activeCartOf(customerId: string): Promise<Cart> {
    const now = new Date();
    await this.em.execute(
      `insert into cart (id, customer_id, status, version, currency, created_at, updated_at, expires_at)
       values (?, ?, 'ACTIVE', 1, ?, ?, ?, ?)
       on conflict (customer_id) where status = 'ACTIVE' and customer_id is not null do nothing`,
      [newCartId(), customerId, this.policy.currency, now, now, this.expiresAt(customerId)],
    );
    return this.em.findOneOrFail(CartSchema, { customerId, status: 'ACTIVE' });
  }

  async lines(cart: Cart, first: number, after?: string | null): Promise<Connection<CartLine>> {
    const where: Record<string, unknown> = { cart: cart.id };
    const totalCount = await this.em.count(CartLineSchema, where);
    if (after) {
      const [createdAt, id] = decodeCursor<[string, string]>(after, 2);
      where.$or = [{ createdAt: { $gt: new Date(createdAt) } }, { createdAt: new Date(createdAt), id: { $gt: id } }];
    }
    const rows = await this.em.find(CartLineSchema, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    return toConnection(rows, first, totalCount, (l) => encodeCursor([l.createdAt.toISOString(), l.id]), Boolean(after));
  }

  async totalQuantity(cartIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.em.execute<Array<{ cart_id: string; total: number }>>(
      'select cart_id, coalesce(sum(quantity), 0)::int as total from cart_line where cart_id in (?) group by cart_id',
      [[...cartIds]],
    );
    return new Map(rows.map((r) => [r.cart_id, r.total]));
  }
}

