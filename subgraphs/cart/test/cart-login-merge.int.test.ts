import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import {
  ACCOUNT_CART_MERGE_REQUESTED,
  createLogger,
  ensureStreams,
  GUEST,
  STREAMS,
  type EventConsumer,
  type GuestCartMergeRequested,
  type Identity,
} from '@shop/platform';
import { startLoginMerges } from '../src/events/cart-workers.ts';
import { cartsInUnitOfWork } from '../src/context.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { customer, product, startCartHarness, type CartHarness } from './cart-harness.ts';

/** The consumer's log lines, to see that a no-op says so at info level. */
const lines: Array<{ level: number; msg: string; customerId?: string }> = [];
const log = createLogger('cart-login-merge-test', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
const INFO = 30;

let h: CartHarness;
let consumer: EventConsumer;
const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];

beforeAll(async () => {
  h = await startCartHarness();
  for (const id of [A, B]) h.catalog.set(id, product(id));
  h.catalog.set(C, product(C, { availableQuantity: 4 }));
  await ensureStreams(
    h.nc,
    STREAMS.map((s) => ({ ...s })),
  );
  // Its own durable: the ACCOUNT stream is shared by the test files of this run.
  consumer = await startLoginMerges({ em: h.orm.em, nc: h.nc, log }, `test-login-merges-${randomBytes(4).toString('hex')}`, (uow) =>
    cartsInUnitOfWork(uow, h.orm.em, log, h.deps),
  );
});
afterAll(async () => {
  await consumer?.stop();
  await h?.close();
});

async function cartWith(identity: Identity, lineItems: Array<[string, number]>): Promise<string> {
  const res = await h.run(
    `mutation ($lines: [CartLineInput!]) { cartCreate(input: { lines: $lines }) { cart { id } userErrors { code } } }`,
    identity,
    { lines: lineItems.map(([merchandiseId, quantity]) => ({ merchandiseId, quantity })) },
  );
  expect(res.data.cartCreate.userErrors).toEqual([]);
  return res.data.cartCreate.cart.id;
}

/** A cart as its owner reads it: status, version and quantity per variant. */
async function read(id: string, identity: Identity) {
  const res = await h.run(
    `query ($id: ID!) { cart(id: $id) { status version lines(first: 100) { edges { node { quantity merchandise { id } } } } } }`,
    identity,
    { id },
  );
  const cart = res.data.cart;
  const quantities = Object.fromEntries(
    cart.lines.edges.map((e: { node: { quantity: number; merchandise: { id: string } } }) => [e.node.merchandise.id, e.node.quantity]),
  );
  return { status: cart.status as string, version: cart.version as number, quantities };
}

/** What the account subgraph's outbox sends at sign-in. */
async function publishMerge(data: GuestCartMergeRequested, id: string = randomUUID()) {
  const envelope = { id, subject: ACCOUNT_CART_MERGE_REQUESTED, occurredAt: new Date().toISOString(), data };
  // A new message id each time: JetStream's own dedupe must not hide a redelivery from the inbox.
  await jetstream(h.nc).publish(ACCOUNT_CART_MERGE_REQUESTED, JSON.stringify(envelope), { msgID: randomUUID() });
  return envelope;
}

describe('account.cart.merge_requested', () => {
  it("folds the guest cart into the customer's with the MERGE rules and tells live views about the change", async () => {
    const me = customer(`login-${randomUUID()}`);
    const mine = await cartWith(me, [
      [A, 2],
      [C, 3],
    ]);
    const guest = await cartWith(GUEST, [
      [A, 1],
      [B, 5],
      [C, 3],
    ]);
    const before = await read(mine, me);

    await publishMerge({ customerId: me.sub!, guestCartId: guest });
    await waitFor('the guest cart merged', async () => (await read(guest, GUEST)).status === 'EXPIRED');

    const after = await read(mine, me);
    // Quantities add up; C is clamped to the 4 in stock.
    expect(after.quantities).toEqual({ [A]: 3, [B]: 5, [C]: 4 });
    expect(after.version).toBeGreaterThan(before.version);
    // After the commit: the fresh copy went out for the customer's cart and the guest cart.
    await waitFor(
      'cart-changed published',
      () => h.changes.some((c) => c.cartId === mine && c.version === after.version) && h.changes.some((c) => c.cartId === guest),
    );
    // Nothing failed after the commit (the refresh reads outside the consumer's finished transaction).
    expect(lines.filter((l) => l.level > INFO)).toEqual([]);
  });

  it('gives a customer without a cart one with the guest lines', async () => {
    const me = customer(`fresh-${randomUUID()}`);
    const guest = await cartWith(GUEST, [[B, 2]]);
    await publishMerge({ customerId: me.sub!, guestCartId: guest });
    await waitFor('the guest cart merged', async () => (await read(guest, GUEST)).status === 'EXPIRED');
    const mine = await h.run(`query { me { cart { id lines(first: 10) { edges { node { quantity merchandise { id } } } } } } }`, me);
    expect(mine.data.me.cart.lines.edges).toEqual([{ node: { quantity: 2, merchandise: { id: B } } }]);
  });

  it("changes nothing for a redelivery, a merged guest cart, an unknown cart or someone else's, and logs it at info", async () => {
    const me = customer(`again-${randomUUID()}`);
    const mine = await cartWith(me, [[A, 1]]);
    const guest = await cartWith(GUEST, [[B, 1]]);
    const first = await publishMerge({ customerId: me.sub!, guestCartId: guest });
    await waitFor('the first merge', async () => (await read(guest, GUEST)).status === 'EXPIRED');
    const merged = await read(mine, me);

    const someoneElse = customer(`other-${randomUUID()}`);
    const theirs = await cartWith(someoneElse, [[C, 1]]);
    const skippedLines = () => lines.filter((l) => l.customerId === me.sub && l.msg.startsWith('guest cart not merged'));
    const skippedBefore = skippedLines().length;
    await publishMerge(first.data, first.id); // redelivery: same event id
    await publishMerge({ customerId: me.sub!, guestCartId: guest }); // a second sign-in with the merged cart
    await publishMerge({ customerId: me.sub!, guestCartId: `unknown-${randomUUID()}` });
    await publishMerge({ customerId: me.sub!, guestCartId: theirs });
    // One customer's messages are handled one at a time in order: once the last three said so at
    // info, the redelivery before them was taken too (the inbox skipped it: no handler, no line).
    await waitFor('three no-ops logged', () => skippedLines().length - skippedBefore >= 3);

    expect(await read(mine, me)).toEqual(merged);
    expect(await read(theirs, someoneElse)).toMatchObject({ status: 'ACTIVE', quantities: { [C]: 1 } });
    const skipped = skippedLines();
    expect(skipped.length - skippedBefore).toBe(3);
    expect(skipped.every((l) => l.level === INFO)).toBe(true);
  });
});
