import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_SIGNATURE_HEADER,
  currentRequestStop,
  isOutage,
  withRequestId,
  ORDER_ACCESS_TOKEN_HEADER,
  ServiceUnavailableError,
  REQUEST_ID_HEADER,
  signClientAddress,
  type Logger,
} from '@shop/platform';
import type { GatewayContext } from './context.ts';
import type { LastWrites } from './subgraph-dedup.ts';
import { callerOf, dedupKey, InFlightFetches, isQueryFetch } from './subgraph-dedup.ts';
import type { EntityCache } from './entity-cache/entity-cache.ts';

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** A subgraph answered with an HTTP error status; its body is kept to pass its GraphQL errors on. */
class SubgraphHttpError extends GraphQLError {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`subgraph answered HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** A subgraph answered 2xx with something that is not a GraphQL response (an HTML page, JSON `null`, a cut-off body). */
class SubgraphBodyError extends Error {
  override readonly name = 'SubgraphBodyError';
}

const safeParse = (query: string | undefined): DocumentNode | undefined => {
  try {
    return query ? parse(query) : undefined;
  } catch {
    return undefined;
  }
};

const isGraphQLBody = (body: unknown): body is { data?: Record<string, unknown> | null; errors: GraphQLFormattedError[] } =>
  !!body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors);

/** A GraphQL response: a JSON object with `data` (an object or null) or an `errors` list. */
const isGraphQLResponse = (body: unknown): boolean =>
  !!body && typeof body === 'object' && !Array.isArray(body) && (isGraphQLBody(body) || typeof (body as { data?: unknown }).data === 'object');

/**
 * Where a failed fetch's errors belong in the client's response, relative to the fetch: its first
 * root field, or the first entity of an entity fetch (the gateway maps `_entities` paths back).
 */
function fetchErrorPath(document: DocumentNode | undefined): Array<string | number> | undefined {
  const operation = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const first = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  if (!first) return undefined;
  const key = (first.alias ?? first.name).value;
  return key === '_entities' ? ['_entities', 0] : [key];
}

/** The client address's signature, made once per request however many subgraph calls it makes. */
const addressSignatures = new WeakMap<object, string>();
function addressSignatureOf(context: object, address: string, secret: string): string {
  let signature = addressSignatures.get(context);
  if (signature === undefined) addressSignatures.set(context, (signature = signClientAddress(secret, address)));
  return signature;
}

/**
 * Calls one subgraph. Only two things travel from the client: the verified bearer token (the
 * subgraph verifies it again) and the request id. Client headers are never copied wholesale.
 *
 * What a client gets back is the subgraph's GraphQL errors (codes and paths kept) and never the
 * subgraph's raw response: Apollo's data source turns a 4xx into "401: Unauthorized" carrying the
 * subgraph URL and body. A subgraph that cannot be reached, or answers without GraphQL, is an
 * outage: SERVICE_UNAVAILABLE with `retryAfter`.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly log: Logger;
  private readonly name: string;
  /** Identical query fetches in flight share one call (see subgraph-dedup.ts); absent: every fetch calls. */
  private readonly inFlight: InFlightFetches<SubgraphResponse> | undefined;
  private readonly lastWrites: LastWrites | undefined;
  private readonly entityCache: EntityCache | undefined;
  private readonly clientAddressSecret: string | undefined;

  constructor(
    options: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0] & {
      log: Logger;
      name: string;
      /** Called for every fetch answered by another identical one in flight; absent: no sharing. */
      dedup?: { onShared: () => void; lastWrites: LastWrites };
      /** Answers `_entities` fetches from Redis where the hints allow (entity-cache/); absent: every fetch calls. */
      entityCache?: EntityCache;
      /** Signs the client's address for the subgraphs (CLIENT_ADDRESS_SECRET); absent: the address is not sent. */
      clientAddressSecret?: string;
    },
  ) {
    const { log, name, dedup, entityCache, clientAddressSecret, ...config } = options;
    super(config);
    this.name = name;
    this.log = log.child({ subgraph: name });
    this.inFlight = dedup ? new InFlightFetches<SubgraphResponse>(dedup.onShared) : undefined;
    this.lastWrites = dedup?.lastWrites;
    this.entityCache = entityCache;
    this.clientAddressSecret = clientAddressSecret;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('identity' in context) || !context.identity) return;
    if (context.identity.token) request.http?.headers.set('authorization', `Bearer ${context.identity.token}`);
    request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    // Set by the gateway, never copied from the client (a client's own header is not forwarded), and
    // signed: a subgraph believes an address only with the gateway's signature.
    if (context.clientAddress && this.clientAddressSecret) {
      request.http?.headers.set(CLIENT_ADDRESS_HEADER, context.clientAddress);
      request.http?.headers.set(CLIENT_ADDRESS_SIGNATURE_HEADER, addressSignatureOf(context, context.clientAddress, this.clientAddressSecret));
    }
    // The one client header passed on: the order and cart subgraphs verify it for the order it names.
    if (context.orderAccessToken) request.http?.headers.set(ORDER_ACCESS_TOKEN_HEADER, context.orderAccessToken);
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    if (this.lastWrites && !isQueryFetch(options)) {
      const caller = callerOf(options);
      return this.answer(options).finally(() => this.lastWrites!.wrote(caller));
    }
    const key = this.inFlight && dedupKey(this.name, options);
    // Errors and outages are shared too: the followers asked the same thing at the same moment.
    if (!key) return this.answer(options);
    const context = options.context as Partial<GatewayContext>;
    // The shared call runs under its own stop signal: one caller leaving must not fail the others.
    const fetch = (stop: AbortController) => withRequestId(context.requestId ?? '', () => this.answer(options), stop);
    return this.inFlight!.run(key, fetch, currentRequestStop()?.signal, this.lastWrites?.of(callerOf(options)));
  }

  /** The entity cache's hits and a call for the rest, or (without a cache, or for anything else) one call. */
  private answer(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    if (!this.entityCache) return this.fetchOnce(options);
    return this.entityCache.process(options, (misses) => this.fetchOnce(misses)) as Promise<SubgraphResponse>;
  }

  /** One call to the subgraph, its errors given paths and its failures turned into GraphQL errors. */
  private async fetchOnce(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    // Only on the error path: the fetch's document (parsed from its query unless the planner kept it).
    const errorPath = () => fetchErrorPath(('document' in options && options.document) || safeParse(options.request.query));
    const withPaths = (errors: readonly GraphQLFormattedError[]) => {
      if (errors.every((error) => error.path)) return errors;
      const path = errorPath();
      return errors.map((error) => (error.path || !path ? error : { ...error, path }));
    };
    try {
      const response = await super.process(options);
      return response.errors ? { ...response, errors: withPaths(response.errors) } : response;
    } catch (error) {
      if (error instanceof SubgraphHttpError && isGraphQLBody(error.body)) {
        // The subgraph's own answer (a 400 for a bad variable, a 401 from its auth rules): pass it on.
        return { ...(error.body.data !== undefined ? { data: error.body.data } : {}), errors: withPaths(error.body.errors ?? []) };
      }
      const outage = error instanceof SubgraphHttpError || error instanceof SubgraphBodyError || isOutage(error);
      if (!outage && (error as Error).name !== 'AbortError') throw error;
      this.log.warn({ err: error }, 'subgraph unavailable; answered SERVICE_UNAVAILABLE');
      return { errors: [new ServiceUnavailableError(undefined, { path: errorPath() }).toJSON()] };
    }
  }

  /**
   * Apollo's own parsing throws a plain Error or SyntaxError for a body that is not GraphQL JSON
   * (a bug to the gateway); here it is the subgraph's failure, so `fetchOnce` answers an outage.
   */
  override async parseBody(...args: Parameters<RemoteGraphQLDataSource<GatewayContext>['parseBody']>): Promise<object | string> {
    const [response] = args;
    const what = `HTTP ${response.status} (${response.headers.get('content-type') ?? 'no content-type'})`;
    let body: unknown;
    try {
      body = await super.parseBody(...args);
    } catch (error) {
      throw new SubgraphBodyError(`subgraph answered ${what} with a body that is not JSON`, { cause: error });
    }
    if (!isGraphQLResponse(body)) throw new SubgraphBodyError(`subgraph answered ${what} without a GraphQL response`);
    return body as object;
  }

  /** Keeps the subgraph's answer to an HTTP error status, for `process` to pass its GraphQL errors on. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const body: unknown = await this.parseBody(response).catch(() => undefined);
    return new SubgraphHttpError(response.status, body);
  }
}
