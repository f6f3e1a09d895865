import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { REQUEST_ID_HEADER } from '@shop/platform';
import type { GatewayContext } from './context.ts';

/**
 * Calls one subgraph. Only two things travel from the client: the verified bearer token (the
 * subgraph verifies it again) and the request id. Client headers are never copied wholesale.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('identity' in context) || !context.identity) return;
    if (context.identity.token) request.http?.headers.set('authorization', `Bearer ${context.identity.token}`);
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
  }
}
