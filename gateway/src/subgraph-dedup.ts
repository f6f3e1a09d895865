import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Kind } from 'graphql';
import type { GatewayContext } from './context.ts';

/** JSON with object keys sorted, so two equal values always give the same text. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`).join(',')}}`;
}

/** A fetch is a query when its document (or, without one, its text) says so; anything unsure is not. */
export function isQueryFetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean {
  // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is a type-only export of the package).
  if (options.kind !== ('incoming operation' as GraphQLDataSourceProcessOptions['kind'])) return false;
  const operations = ('document' in options ? options.document : undefined)?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations) return operations.length === 1 && operations[0]!.operation === 'query';
  // The planner prints fetches as `query Name__catalog__0(...){...}`, or `{...}` when anonymous.
  return /^\s*(query\b|\{)/.test(options.request.query ?? '');
}

/**
 * What makes two fetches the same: subgraph, query text, variables, and everything of the caller's
 * that the subgraph reads — the verified bearer token and the Order-Access-Token header. The request
 * id is not part of it (it changes nothing in the answer); nor is the client address, which only
 * the account subgraph's sign-in throttle reads, and sign-ins are mutations. Undefined: never shared.
 */
export function dedupKey(subgraph: string, options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined {
  const context = options.context as Partial<GatewayContext>;
  // A subscription's read follows a change it was told of: a flight begun before that change would hide it.
  if (!isQueryFetch(options) || context.liveRead) return undefined;
  return stableJson([
    subgraph,
    options.request.query ?? '',
    options.request.variables ?? {},
    context.identity?.token ?? null,
    context.orderAccessToken ?? null,
  ]);
}

interface Follower<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface Flight<T> {
  followers: Array<Follower<T>>;
  /** Stops the shared call once every caller waiting for it has left. */
  stop: AbortController;
  waiting: number;
  startedAt: number;
}

/**
 * Identical fetches in flight at the same time share one call: the first (the leader) makes it,
 * the others wait for its answer. Nothing outlives the flight: the next identical fetch calls again.
 * The gateway's executor writes into what a fetch returns (it merges later fetches into it), so
 * every follower gets its own deep copy, made before the leader's caller sees the original.
 * The call stops when all its callers have left (each caller's own stop signal), not when the leader alone has.
 */
export class InFlightFetches<T extends { data?: unknown; errors?: unknown; extensions?: unknown }> {
  private readonly flights = new Map<string, Flight<T>>();

  private readonly onShared: () => void;

  constructor(onShared: () => void = () => undefined) {
    this.onShared = onShared;
  }

  /** `notBefore`: a flight that started earlier is not joined (it may not see the caller's own write). */
  run(key: string, fetch: (stop: AbortController) => Promise<T>, callerStop?: AbortSignal, notBefore = 0): Promise<T> {
    const current = this.flights.get(key);
    if (current && current.startedAt >= notBefore) {
      this.onShared();
      this.watch(current, callerStop);
      return new Promise<T>((resolve, reject) => current.followers.push({ resolve, reject }));
    }
    const flight: Flight<T> = { followers: [], stop: new AbortController(), waiting: 0, startedAt: performance.now() };
    this.flights.set(key, flight);
    this.watch(flight, callerStop);
    // An older flight this one replaced finishes on its own; only the newest is joinable.
    const done = () => this.flights.get(key) === flight && this.flights.delete(key);
    return fetch(flight.stop).then(
      (response) => {
        done();
        for (const follower of flight.followers) follower.resolve(copyOf(response));
        return response;
      },
      (error: unknown) => {
        done();
        for (const follower of flight.followers) follower.reject(error);
        throw error;
      },
    );
  }

  /** Flights under way (tests). */
  get size(): number {
    return this.flights.size;
  }

  private watch(flight: Flight<T>, callerStop: AbortSignal | undefined): void {
    flight.waiting++;
    if (!callerStop) return;
    const leave = () => {
      if (--flight.waiting === 0) flight.stop.abort();
    };
    if (callerStop.aborted) leave();
    else callerStop.addEventListener('abort', leave, { once: true });
  }
}

/**
 * Read-your-writes for dedup: when each caller's last mutation through this gateway process ended,
 * so a query of theirs does not join a flight that started before it (that flight may have read
 * the data as it was). Keyed like the callers in dedup keys; entries older than any flight dropped.
 */
export class LastWrites {
  private readonly ended = new Map<string, number>();
  private readonly forgetAfterMs: number;

  constructor(forgetAfterMs: number) {
    this.forgetAfterMs = forgetAfterMs;
  }

  wrote(caller: string): void {
    const now = performance.now();
    if (this.ended.size > 10_000) for (const [key, at] of this.ended) if (now - at > this.forgetAfterMs) this.ended.delete(key);
    this.ended.delete(caller); // re-inserted last: the map stays ordered by time
    this.ended.set(caller, now);
  }

  of(caller: string): number {
    return this.ended.get(caller) ?? 0;
  }
}

/** Whose fetch it is, as far as a subgraph can tell: the bearer token and the order access token. */
export function callerOf(options: GraphQLDataSourceProcessOptions<GatewayContext>): string {
  const context = options.context as Partial<GatewayContext>;
  return stableJson([context.identity?.token ?? null, context.orderAccessToken ?? null]);
}

/** A copy whose GraphQL parts share nothing with the original; anything else (the HTTP response) is read-only and shared. */
function copyOf<T extends { data?: unknown; errors?: unknown; extensions?: unknown }>(response: T): T {
  const { data, errors, extensions } = response;
  return { ...response, ...structuredClone({ data, errors, extensions }) };
}
