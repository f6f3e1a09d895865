import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, GraphQLError, isObjectType, type GraphQLFieldResolver } from 'graphql';
import { withRequestId } from './request-context.ts';
import { stopWorkOfLostRequests } from './request-stop.ts';

/** SDL plus resolvers (the few this test needs), without another library. */
function makeExecutableSchemaFromSdl(sdl: string, resolvers: Record<string, Record<string, GraphQLFieldResolver<unknown, unknown>>>) {
  const schema = buildSchema(sdl);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(typeName);
    for (const [name, resolve] of Object.entries(fields)) type.getFields()[name]!.resolve = resolve;
  }
  return schema;
}

/** A schema whose list resolver counts its calls, and a root field that always fails. */
function counting(
  broken: GraphQLFieldResolver<unknown, unknown> = () => {
    throw new GraphQLError('bad input', { extensions: { code: 'BAD_USER_INPUT' } });
  },
) {
  const calls = { items: 0, details: 0 };
  // Settles once the last `items` call has returned its list (and its details could be resolved).
  let itemsReturned: Promise<unknown> = Promise.resolve();
  const schema = stopWorkOfLostRequests(
    makeExecutableSchemaFromSdl('type Item { id: ID!, detail: String } type Query { broken: String!, items: [Item!]! }', {
      Query: {
        broken,
        items: () => {
          calls.items++;
          const list = new Promise((r) => setTimeout(r, 5)).then(() => [{ id: '1' }, { id: '2' }]);
          itemsReturned = list;
          return list;
        },
      },
      Item: {
        detail: () => {
          calls.details++;
          return 'd';
        },
      },
    }),
  );
  return { schema, calls, itemsReturned: () => itemsReturned };
}

describe('stopWorkOfLostRequests', () => {
  it('skips the rest of a request once a non-null root field has failed (its data is null anyway)', async () => {
    const { schema, calls } = counting();
    const result = await withRequestId('r1', () => graphql({ schema, source: '{ broken items { id detail } }' }), new AbortController());
    expect(result.data).toBeNull();
    expect(calls).toEqual({ items: 0, details: 0 });
    expect(result.errors?.[0]?.message).toBe('bad input');
  });

  it('also stops when the failure comes back as a value (graphql-shield returns resolver errors)', async () => {
    const { schema, calls, itemsReturned } = counting(async () => new GraphQLError('bad input', { extensions: { code: 'BAD_USER_INPUT' } }));
    const result = await withRequestId('r4', () => graphql({ schema, source: '{ broken items { id detail } }' }), new AbortController());
    expect(result.data).toBeNull();
    // The result comes back before the sibling `items` has returned: once it has, and the details
    // it would lead to had their turn (a macrotask later), none may have run.
    await itemsReturned();
    await new Promise((r) => setImmediate(r));
    expect(calls.details).toBe(0);
  });

  it('stops resolving for a caller that hung up', async () => {
    const { schema, calls } = counting();
    const stop = new AbortController();
    const running = withRequestId('r2', () => graphql({ schema, source: '{ items { id detail } }' }), stop);
    stop.abort();
    await running;
    expect(calls.details).toBe(0);
  });

  it('changes nothing for a request that goes well', async () => {
    const { schema, calls } = counting();
    const result = await withRequestId('r3', () => graphql({ schema, source: '{ items { id detail } }' }), new AbortController());
    expect(result).toEqual({
      data: {
        items: [
          { id: '1', detail: 'd' },
          { id: '2', detail: 'd' },
        ],
      },
    });
    expect(calls).toEqual({ items: 1, details: 2 });
  });
});
