import { createHash } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '@shop/platform';
import type { GatewayContext } from '../context.ts';
import { isQueryFetch, stableJson } from '../subgraph-dedup.ts';
import { entityFetchPlan, type EntityFetchPlan, type SubgraphHints } from './hints.ts';
import type { EntityEntry, EntityStore } from './store.ts';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;
interface Response {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}
type Representation = Record<string, unknown> & { __typename: string };

export interface EntityCacheMetrics {
  hit(type: string): void;
  miss(type: string): void;
  error(operation: 'lookup' | 'write'): void;
}

export interface EntityCacheOptions {
  subgraph: string;
  prefix: string;
  store: EntityStore;
  /** The subgraph's hints from the current supergraph (undefined until one is loaded). */
  hints: () => SubgraphHints | undefined;
  /** False while invalidations cannot arrive (NATS down): nothing is read from or written to the cache then. */
  usable: () => boolean;
  metrics: EntityCacheMetrics;
  log: Logger;
}

/**
 * The entity cache of one subgraph: an `_entities` fetch asks Redis for each representation first
 * and sends the subgraph only the misses, then keeps what it fetched for the smallest maxAge of the
 * selection's `@cacheControl` hints. Key: prefix, subgraph, type, the representation's key fields
 * and a hash of the selection (and its other variables). Never kept: a type whose selection has a
 * field without a PUBLIC hint with maxAge > 0, a null entity, an entity with an error, and anything
 * from a fetch with an error it cannot place. The store down: the fetch goes out as without a cache.
 */
export class EntityCache {
  private readonly options: EntityCacheOptions;
  private down = false;

  constructor(options: EntityCacheOptions) {
    this.options = options;
  }

  async process(options: Options, fetch: (options: Options) => Promise<Response>): Promise<Response> {
    const cacheable = this.cacheable(options);
    if (!cacheable) return fetch(options);
    const { plan, representations, keys } = cacheable;
    const lookupKeys = keys.filter((k): k is string => k !== undefined);
    let looked: Awaited<ReturnType<EntityStore['lookup']>>;
    try {
      looked = await this.options.store.lookup(lookupKeys);
      this.up();
    } catch (error) {
      this.failed('lookup', error);
      return fetch(options);
    }
    const hits = new Map<number, unknown>();
    let next = 0;
    keys.forEach((key, i) => {
      if (key === undefined) return;
      const value = looked.values[next++];
      const type = representations[i]!.__typename;
      if (value == null) return this.options.metrics.miss(type);
      hits.set(i, JSON.parse(value));
      this.options.metrics.hit(type);
    });
    const misses = representations.flatMap((_, i) => (hits.has(i) ? [] : [i]));
    if (misses.length === 0) return { data: { _entities: representations.map((_, i) => hits.get(i)) } };
    const response = await fetch(
      hits.size === 0
        ? options
        : withRepresentations(
            options,
            misses.map((i) => representations[i]!),
          ),
    );
    const received = response.data?._entities;
    const fetched = Array.isArray(received) && received.length === misses.length ? (received as unknown[]) : undefined;
    // Serialized now: the gateway's executor writes into these objects once they are returned.
    if (fetched) this.keep(plan, misses, fetched, keys, representations, response.errors, looked.stamp);
    if (hits.size === 0) return response;
    const entities = representations.map((_, i) => (hits.has(i) ? hits.get(i) : (fetched?.[misses.indexOf(i)] ?? null)));
    const errors = response.errors?.map((error) => atOriginalIndex(error, misses));
    return { ...response, data: { ...(response.data ?? {}), _entities: entities }, ...(errors ? { errors } : {}) };
  }

  /** The fetch's plan and each representation's key (undefined: not cached), or undefined when nothing of it may be. */
  private cacheable(options: Options) {
    const hints = this.options.hints();
    const query = options.request.query;
    const representations = options.request.variables?.representations;
    if (!hints || !query || !Array.isArray(representations) || !isQueryFetch(options) || !this.options.usable()) return undefined;
    const plan = entityFetchPlan(hints, query);
    if (!plan || plan.maxAge.size === 0) return undefined;
    const { representations: _, ...others } = options.request.variables ?? {};
    // Other variables (arguments of selected fields) change the answer as the selection does.
    const selection = Object.keys(others).length ? hashOf(plan.selection + stableJson(others)) : plan.selectionHash;
    const keys = (representations as Representation[]).map((rep) => this.keyOf(plan, rep, selection));
    return keys.some((k) => k !== undefined) ? { plan, representations: representations as Representation[], keys } : undefined;
  }

  private keyOf(plan: EntityFetchPlan, representation: Representation, selection: string): string | undefined {
    const { __typename: type, ...keyFields } = representation;
    // Invalidation finds entries by id: a representation by another key (sku) is fetched every time.
    if (!plan.maxAge.has(type) || typeof keyFields.id !== 'string') return undefined;
    return `${this.options.prefix}${this.options.subgraph}:${type}:${stableJson(keyFields)}:${selection}`;
  }

  private keep(
    plan: EntityFetchPlan,
    misses: number[],
    fetched: unknown[],
    keys: Array<string | undefined>,
    representations: Representation[],
    errors: readonly GraphQLFormattedError[] | undefined,
    stamp: string,
  ): void {
    const failed = new Set<number>();
    for (const error of errors ?? []) {
      const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
      // An error that names no entity may concern any of them: keep none.
      if (typeof index !== 'number') return;
      failed.add(index);
    }
    const entries: EntityEntry[] = [];
    misses.forEach((i, j) => {
      const key = keys[i];
      const entity = fetched[j];
      const representation = representations[i]!;
      if (!key || !entity || typeof entity !== 'object' || failed.has(j)) return;
      const entities = new Set([`${representation.__typename}:${String(representation.id)}`]);
      this.nestedEntities(entity, entities, representation.__typename);
      entries.push({ key, value: JSON.stringify(entity), ttl: plan.maxAge.get(representation.__typename)!, entities: [...entities] });
    });
    if (entries.length) this.options.store.write(entries, stamp).catch((error: unknown) => this.failed('write', error));
  }

  /**
   * Entities of this subgraph inside an entry (a variant's product, a product's category, with their
   * id selected): their changes remove it too. Nested objects seldom carry `__typename` (the planner
   * asks for it only where the type is abstract), so each one's type is read from the schema by
   * field name; a field under an alias is not followed (the planner aliases only on argument clashes).
   */
  private nestedEntities(value: unknown, into: Set<string>, typeName?: string): void {
    if (Array.isArray(value)) return value.forEach((v) => this.nestedEntities(v, into, typeName));
    if (!value || typeof value !== 'object') return;
    const hints = this.options.hints();
    const record = value as Record<string, unknown>;
    const type = typeof record.__typename === 'string' ? record.__typename : typeName;
    if (type && typeof record.id === 'string' && hints?.entities.has(type)) into.add(`${type}:${record.id}`);
    const fields = type ? hints?.types.get(type)?.fields : undefined;
    for (const [name, child] of Object.entries(record)) {
      if (child && typeof child === 'object') this.nestedEntities(child, into, fields?.get(name)?.type);
    }
  }

  private failed(operation: 'lookup' | 'write', error: unknown): void {
    this.options.metrics.error(operation);
    if (this.down) return;
    this.down = true;
    this.options.log.warn({ err: error, subgraph: this.options.subgraph }, 'entity cache unavailable; fetching without it');
  }

  private up(): void {
    if (!this.down) return;
    this.down = false;
    this.options.log.info({ subgraph: this.options.subgraph }, 'entity cache available again');
  }
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

function withRepresentations(options: Options, representations: Representation[]): Options {
  return { ...options, request: { ...options.request, variables: { ...options.request.variables, representations } } } as Options;
}

/** An error about the j-th entity sent is about the misses[j]-th one asked for. */
function atOriginalIndex(error: GraphQLFormattedError, misses: number[]): GraphQLFormattedError {
  const [root, index, ...rest] = error.path ?? [];
  if (root !== '_entities' || typeof index !== 'number' || misses[index] === undefined) return error;
  return { ...error, path: [root, misses[index], ...rest] };
}
