import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingFlush } from './context.ts';
import { traceRootFields } from './resolvers.ts';

const schema = () => {
  const Cart = new GraphQLObjectType({
    name: 'Cart',
    fields: { id: { type: GraphQLString }, note: { type: GraphQLString, resolve: async () => 'n' } },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: { cart: { type: Cart, resolve: async () => ({ id: 'c1' }) }, plain: { type: GraphQLString } },
    }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: { cartCheckout: { type: GraphQLString, resolve: () => 'ok' } } }),
  });
};

describe('root field spans', () => {
  it('leave the schema untouched with tracing off', () => {
    const s = schema();
    const resolve = s.getQueryType()!.getFields().cart!.resolve;
    expect(traceRootFields(s).getQueryType()!.getFields().cart!.resolve).toBe(resolve);
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    beforeAll(() => {
      provider.register();
      setTracingFlush(() => provider.forceFlush());
    });
    afterAll(() => provider.shutdown());

    it('one span per query or mutation root field, none for nested fields; answers unchanged', async () => {
      const s = traceRootFields(schema());
      expect(await graphql({ schema: s, source: '{ cart { id note } plain }', rootValue: { plain: 'p' } })).toEqual({
        data: { cart: { id: 'c1', note: 'n' }, plain: 'p' },
      });
      expect(await graphql({ schema: s, source: 'mutation { cartCheckout }' })).toEqual({ data: { cartCheckout: 'ok' } });
      expect(
        exporter
          .getFinishedSpans()
          .map((span) => span.name)
          .sort(),
      ).toEqual(['graphql.resolve cart', 'graphql.resolve cartCheckout', 'graphql.resolve plain']);
    });
  });
});
