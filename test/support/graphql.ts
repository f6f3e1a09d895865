import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Identity } from '@shop/platform';

// GraphQL results are checked field by field in the tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunGraphQL = (query: string, identity: Identity, variables?: Record<string, unknown>) => Promise<ExecutionResult<any>>;

/**
 * Runs operations in-process against a subgraph's schema (as startSubgraph builds it), each with
 * a fresh context for the caller, like one HTTP request. `before` runs first (e.g. to clear a log
 * of the SQL statements, so a test sees what one operation sent).
 */
export function graphqlRunner(schema: GraphQLSchema, contextFor: (identity: Identity) => unknown, before?: () => void): RunGraphQL {
  return async (query, identity, variableValues) => {
    before?.();
    return execute({ schema, document: parse(query), variableValues, contextValue: contextFor(identity) });
  };
}
