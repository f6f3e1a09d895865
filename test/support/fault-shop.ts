import { checkoutInput, devToken, gql, type TestSupergraph } from './stack.ts';
import { oneVariantProducts } from './shop.ts';
import { Recorder, send } from './faults.ts';

/** What fault tests do as shoppers: guest carts, checkouts and cart edits, every call recorded. */

type Data = Record<string, unknown>;
const userErrorsAt = (field: string) => (data: Data) => (data[field] as { userErrors?: unknown } | undefined)?.userErrors;

const CREATE = `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`;
const CHECKOUT = `mutation ($id: ID!, $input: CheckoutInput!) { cartCheckout(cartId: $id, input: $input) { checkout { id } userErrors { code } } }`;
const ADD = `mutation ($id: ID!, $p: ID!) { cartLinesAdd(cartId: $id, lines: [{ productId: $p, quantity: 1 }]) { cart { version } userErrors { code } } }`;
const READ = `query ($id: ID!) { cart(id: $id) { version totalQuantity } }`;

/**
 * `count` products (from `offset` in price order) with `stock` units available each, set by an
 * admin: every scenario buys its own products, so its stock check sees only its own orders.
 */
export async function stockProducts(stack: TestSupergraph, count: number, offset: number, stock: number): Promise<string[]> {
  const admin = await devToken('faults-admin', ['admin']);
  const products = await oneVariantProducts(stack.gatewayUrl, count, { offset });
  for (const product of products) {
    const res = await gql<{ inventoryAdjust: { userErrors: unknown[] } }>(
      stack.gatewayUrl,
      'mutation ($id: ID!, $d: Int!) { inventoryAdjust(productId: $id, delta: $d, reason: "fault test stock") { userErrors { code } } }',
      { token: admin, variables: { id: product.id, d: stock - product.availableQuantity } },
    );
    if (res.body.data?.inventoryAdjust.userErrors.length !== 0) throw new Error(`inventoryAdjust failed: ${JSON.stringify(res.body)}`);
  }
  return products.map((p) => p.id);
}

/**
 * Guest purchases: a cart with one unit of each product, then its checkout (idempotency key per
 * cart). Keeps every cart made, every accepted checkout and the checkouts that failed.
 */
export class Purchases {
  readonly cartIds: string[] = [];
  readonly accepted = new Set<string>();
  /** When the client saw each checkout accepted. */
  readonly acceptedAt = new Map<string, number>();
  /** Carts whose checkout the client saw fail (not yet accepted). */
  readonly failed = new Set<string>();
  private readonly url: string;
  private readonly rec: Recorder;
  private readonly products: string[];
  private readonly tag: string;

  constructor(stack: TestSupergraph, rec: Recorder, products: string[], tag: string) {
    this.url = stack.gatewayUrl;
    this.rec = rec;
    this.products = products;
    this.tag = tag;
  }

  async createCart(): Promise<string | undefined> {
    const data = await send<{ cartCreate: { cart: { id: string } } }>(this.rec, 'cartCreate', this.url, CREATE, {
      variables: { lines: this.products.map((productId) => ({ productId, quantity: 1 })) },
      userErrors: userErrorsAt('cartCreate'),
    });
    if (data) this.cartIds.push(data.cartCreate.cart.id);
    return data?.cartCreate.cart.id;
  }

  async checkout(cartId: string, rec = this.rec): Promise<boolean> {
    const data = await send<{ cartCheckout: { checkout: { id: string } } }>(rec, 'cartCheckout', this.url, CHECKOUT, {
      variables: { id: cartId, input: checkoutInput(this.tag, cartId) },
      userErrors: userErrorsAt('cartCheckout'),
    });
    if (!data) {
      this.failed.add(cartId);
      return false;
    }
    this.accepted.add(data.cartCheckout.checkout.id);
    if (!this.acceptedAt.has(data.cartCheckout.checkout.id)) this.acceptedAt.set(data.cartCheckout.checkout.id, Date.now());
    this.failed.delete(cartId);
    return true;
  }

  /** Carts made ahead, so checkouts during a fault do not depend on making a cart then. */
  private readonly ready: string[] = [];

  async prepareCarts(count: number): Promise<string[]> {
    for (let i = 0; i < count; i++) {
      const cartId = await this.createCart();
      if (!cartId) throw new Error(`could not make a cart before the fault: ${this.rec.attempts.at(-1)?.code}`);
      this.ready.push(cartId);
    }
    return this.ready;
  }

  /** Checkouts accepted before `at` whose order reached its final status after it: sagas the fault held up. */
  acceptedBefore(at: number): string[] {
    return [...this.acceptedAt].filter(([, t]) => t < at).map(([id]) => id);
  }

  /** One load step: a cart (made ahead while any are left) and its checkout. */
  async purchase(): Promise<boolean> {
    const cartId = this.ready.shift() ?? (await this.createCart());
    return cartId !== undefined && this.checkout(cartId);
  }

  /** `count` checkouts of carts made ahead, sent at once. */
  burst(count: number): Array<Promise<boolean>> {
    return this.ready.splice(0, count).map((cartId) => this.checkout(cartId));
  }

  /**
   * After recovery a client retries each checkout it saw fail, with the same idempotency key
   * (bounded; recorded apart from the fault window). Answers the carts still failing.
   */
  async retryFailed(rounds = 5): Promise<string[]> {
    const retries = new Recorder();
    for (let round = 0; round < rounds && this.failed.size > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 1000));
      for (const cartId of [...this.failed]) await this.checkout(cartId, retries);
    }
    return [...this.failed].map((cartId) => `${cartId}: ${retries.attempts.filter((a) => a.code !== 'OK').at(-1)?.code}`);
  }
}

export interface CartCount {
  id: string;
  /** Adds the client saw succeed, and all it sent (some may have committed without an answer). */
  acked: number;
  attempted: number;
  /** The version the last acknowledged add answered: a later read must not show less. */
  ackedVersion: number;
}

/**
 * Cart edits and reads on carts of their own per worker (so versions are exact): each step adds
 * one unit, then reads the cart; a read older than an acknowledged write fails as STALE_READ.
 */
export class CartEdits {
  readonly carts: CartCount[] = [];
  private readonly url: string;
  private readonly rec: Recorder;
  private readonly productId: string;
  private readonly turns = new Map<number, number>();

  constructor(stack: TestSupergraph, rec: Recorder, productId: string) {
    this.url = stack.gatewayUrl;
    this.rec = rec;
    this.productId = productId;
  }

  async createCarts(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const res = await gql<{ cartCreate: { cart: { id: string; version: number } } }>(
        this.url,
        'mutation { cartCreate(input: {}) { cart { id version } } }',
      );
      const cart = res.body.data!.cartCreate.cart;
      this.carts.push({ id: cart.id, acked: 0, attempted: 0, ackedVersion: cart.version });
    }
  }

  async step(worker: number, workers: number): Promise<boolean> {
    const mine = this.carts.filter((_, i) => i % workers === worker);
    const turn = this.turns.get(worker) ?? 0;
    this.turns.set(worker, turn + 1);
    const cart = mine[turn % mine.length]!;
    cart.attempted++;
    const added = await send<{ cartLinesAdd: { cart: { version: number } } }>(this.rec, 'cartLinesAdd', this.url, ADD, {
      variables: { id: cart.id, p: this.productId },
      userErrors: userErrorsAt('cartLinesAdd'),
    });
    if (added) {
      cart.acked++;
      cart.ackedVersion = added.cartLinesAdd.cart.version;
    }
    const read = await send<{ cart: { version: number } | null }>(this.rec, 'cart', this.url, READ, { variables: { id: cart.id } });
    if (read && (read.cart?.version ?? 0) < cart.ackedVersion) {
      this.rec.attempts.at(-1)!.code = 'STALE_READ';
      return false;
    }
    return Boolean(added && read);
  }
}
