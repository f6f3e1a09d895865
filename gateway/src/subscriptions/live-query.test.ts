import { describe, expect, it } from 'vitest';
import { GraphQLError, parse, print } from 'graphql';
import { LIVE_FIELDS, planLiveQuery, VERSION_ALIAS, type LivePlan } from './live-query.ts';

const plan = (source: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  planLiveQuery(parse(source), operationName, variables);
const ok = (result: LivePlan | GraphQLError): LivePlan => {
  if (result instanceof GraphQLError) throw result;
  return result;
};

describe('planLiveQuery', () => {
  it('turns cartUpdated into cart(id:) with the same selection, variables and fragments, plus the version', () => {
    const result = ok(
      plan(
        `subscription Live($id: ID!, $n: Int) { cartUpdated(cartId: $id) { id lines(first: $n) { edges { node { ...Line } } } } }
         fragment Line on CartLine { quantity product { name } }`,
        { id: 'cart-1', n: 5 },
      ),
    );
    expect(result.id).toBe('cart-1');
    expect(result.responseKey).toBe('cartUpdated');
    expect(result.field).toBe(LIVE_FIELDS.cartUpdated);
    const printed = print(result.query);
    expect(printed).toContain('query Live($id: ID!, $n: Int)');
    expect(printed).toContain('cartUpdated: cart(id: $id)');
    expect(printed).toContain('lines(first: $n)');
    expect(printed).toContain(`${VERSION_ALIAS}: version`);
    expect(printed).toContain('fragment Line on CartLine');
    expect(printed).not.toContain('subscription');
  });

  it('keeps the client alias as the response key and reads the order version from updatedAt', () => {
    const result = ok(plan('subscription { mine: orderUpdated(orderId: "o-1") { status } }'));
    expect(result.responseKey).toBe('mine');
    expect(result.id).toBe('o-1');
    expect(result.field.channel(result.id)).toBe('order.changed.o-1');
    expect(print(result.query)).toContain(`mine: order(id: "o-1") {\n    status\n    ${VERSION_ALIAS}: updatedAt`);
  });

  it('answers from the change message only a selection of the fields it carries, id and __typename', () => {
    const covered = ok(plan('subscription { orderUpdated(orderId: "o-1") { __typename id state: status updatedAt } }'));
    expect(covered.fromMessage).toEqual([
      ['__typename', '__typename'],
      ['id', 'id'],
      ['state', 'status'],
      ['updatedAt', 'updatedAt'],
    ]);
    // Anything else needs the read: another field, a fragment, a directive; and carts carry no state.
    expect(ok(plan('subscription { orderUpdated(orderId: "o-1") { status total { amount } } }')).fromMessage).toBeUndefined();
    expect(ok(plan('subscription { orderUpdated(orderId: "o-1") { ... on Order { status } } }')).fromMessage).toBeUndefined();
    expect(
      ok(plan('subscription ($s: Boolean!) { orderUpdated(orderId: "o-1") { status @include(if: $s) } }', { s: true })).fromMessage,
    ).toBeUndefined();
    expect(ok(plan('subscription { cartUpdated(cartId: "c-1") { id } }')).fromMessage).toBeUndefined();
  });

  it('picks the named operation when the document has several', () => {
    const document = 'subscription A { cartUpdated(cartId: "a") { id } } subscription B { orderUpdated(orderId: "b") { id } }';
    expect(ok(plan(document, {}, 'B')).id).toBe('b');
    expect(plan(document)).toBeInstanceOf(GraphQLError);
  });

  it('refuses queries, mutations and roots it cannot serve, with a message saying what to do', () => {
    const query = plan('{ cart(id: "x") { id } }');
    expect(query).toBeInstanceOf(GraphQLError);
    expect((query as GraphQLError).message).toMatch(/subscriptions only.*HTTP POST/);
    expect((plan('subscription { ...F } fragment F on Subscription { cartUpdated(cartId: "x") { id } }') as GraphQLError).message).toMatch(
      /exactly one of cartUpdated, orderUpdated/,
    );
    expect((plan('subscription ($id: ID!) { cartUpdated(cartId: $id) { id } }', {}) as GraphQLError).message).toBe('cartUpdated needs cartId');
  });
});
