import { GraphQLError, isNonNullType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { currentRequestStop } from './request-context.ts';

/** A resolver skipped because its request was already lost; never reaches a client (removed below). */
export const REQUEST_STOPPED = 'REQUEST_STOPPED';

class RequestStoppedError extends GraphQLError {
  constructor() {
    super('Request stopped: its caller left or it had already failed', { extensions: { code: REQUEST_STOPPED } });
  }
}

/**
 * graphql-js keeps resolving every other field of a request whose answer is already lost: a root
 * field that failed with a non-null type nulls the whole `data`, and a caller that hung up (the
 * gateway gave up, the client left) reads nothing. Here every resolver first checks the request's
 * stop signal, and a failing non-null root field stops the rest, so a refused request costs
 * nothing more than the work already in flight.
 */
export function stopWorkOfLostRequests(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const failureLosesAll = roots.has(type) && isNonNullType(field.type);
      const guarded: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        const stop = currentRequestStop();
        if (stop?.signal.aborted) throw new RequestStoppedError();
        if (!failureLosesAll || !stop) return resolve(source, args, context, info);
        const stopOnError = (error: unknown) => {
          stop.abort();
          throw error;
        };
        // graphql-shield hands a resolver's error back as its value (graphql-js then raises it).
        const stopOnErrorValue = (value: unknown) => (value instanceof Error ? stopOnError(value) : value);
        try {
          const result = resolve(source, args, context, info);
          return result instanceof Promise ? result.then(stopOnErrorValue, stopOnError) : stopOnErrorValue(result);
        } catch (error) {
          return stopOnError(error);
        }
      };
      field.resolve = guarded;
    }
  }
  return schema;
}

/** Drops the REQUEST_STOPPED errors from an answer: they are consequences, the cause is reported. */
export function requestStopPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const kept = response.body.singleResult.errors.filter((e) => e.extensions?.code !== REQUEST_STOPPED);
          response.body.singleResult.errors = kept.length ? kept : undefined;
        },
      };
    },
  };
}
