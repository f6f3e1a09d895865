import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger } from '@shop/platform';
import { repoRoot } from '../../../scripts/schema/subgraphs.ts';
import type { GatewayContext } from '../context.ts';
import { EntityCache } from './entity-cache.ts';
import { readCacheHints } from './hints.ts';
import type { EntityEntry, EntityStore } from './store.ts';

const hints = readCacheHints(readFileSync(join(repoRoot, 'schema/supergraph.graphql'), 'utf8'), 'catalog');
const QUERY =
  'query CartPage__catalog__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{__typename id name price{amount currencyCode}}}}';

/** A store in memory that records what it is asked; `down` makes every call fail as Redis would. */
function fakeStore() {
  const data = new Map<string, string>();
  const writes: EntityEntry[] = [];
  const store: EntityStore & { down: boolean } = {
    down: false,
    async lookup(keys) {
      if (store.down) throw new Error('Connection is closed.');
      return { values: keys.map((k) => data.get(k) ?? null), stamp: '1' };
    },
    async write(entries) {
      if (store.down) throw new Error('Connection is closed.');
      for (const entry of entries) data.set(entry.key, entry.value);
      writes.push(...entries);
    },
    async invalidate() {
      return 0;
    },
  };
  return { store, data, writes };
}

function setup() {
  const { store, data, writes } = fakeStore();
  const counts = { hit: 0, miss: 0, error: 0 };
  const cache = new EntityCache({
    subgraph: 'catalog',
    prefix: 'gw:entity:',
    store,
    hints: () => hints,
    usable: () => true,
    metrics: { hit: () => counts.hit++, miss: () => counts.miss++, error: () => counts.error++ },
    log: createLogger('test', 'silent'),
  });
  const sent: unknown[][] = [];
  /** The catalog: answers each representation with a product named after its id; `answer` overrides one id. */
  const fetchFrom =
    (answer: Record<string, unknown> = {}, errors?: unknown[]) =>
    async (options: GraphQLDataSourceProcessOptions<GatewayContext>) => {
      const reps = options.request.variables!.representations as Array<{ id: string }>;
      sent.push(reps.map((r) => r.id));
      const _entities = reps.map((r) =>
        r.id in answer ? answer[r.id] : { __typename: 'Product', id: r.id, name: `P ${r.id}`, price: { amount: '1.00', currencyCode: 'USD' } },
      );
      return { data: { _entities }, ...(errors ? { errors } : {}) } as never;
    };
  return { cache, store, data, writes, counts, sent, fetchFrom };
}

const fetchOf = (ids: string[], query = QUERY) =>
  ({
    kind: 'incoming operation',
    request: { query, variables: { representations: ids.map((id) => ({ __typename: 'Product', id })) } },
    context: { identity: { sub: null, roles: [], token: null }, requestId: 'r' },
    incomingRequestContext: {},
  }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

const names = (response: { data?: Record<string, unknown> | null }) =>
  (response.data!._entities as Array<{ name: string } | null>).map((e) => e?.name ?? null);

describe('entity cache', () => {
  it('keys an entry by subgraph, type, key fields and selection, kept for the maxAge of the hints', async () => {
    const { cache, writes, fetchFrom } = setup();
    await cache.process(fetchOf(['p1']), fetchFrom());
    expect(writes).toHaveLength(1);
    expect(writes[0]!.key).toMatch(/^gw:entity:catalog:Product:\{"id":"p1"\}:[\w-]{22}$/);
    expect(writes[0]).toMatchObject({ ttl: 300, entities: ['Product:p1'] });
    expect(JSON.parse(writes[0]!.value)).toEqual({ __typename: 'Product', id: 'p1', name: 'P p1', price: { amount: '1.00', currencyCode: 'USD' } });
  });

  it('files an entry under the entities nested in it by id, found from the schema without __typename (a product under its category)', async () => {
    const { cache, writes, fetchFrom } = setup();
    const query =
      'query CartPage__catalog__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{__typename id category{id name ancestors{id name}}}}}';
    const nested = { __typename: 'Product', id: 'p1', category: { id: 'c2', name: 'Shirts', ancestors: [{ id: 'c1', name: 'Apparel' }] } };
    await cache.process(fetchOf(['p1'], query), fetchFrom({ p1: nested }));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.entities).toEqual(['Product:p1', 'Category:c2', 'Category:c1']);
  });

  it('sends only the misses and merges hits and fetched entities back in order', async () => {
    const { cache, counts, sent, fetchFrom } = setup();
    await cache.process(fetchOf(['p2', 'p4']), fetchFrom());
    const response = await cache.process(fetchOf(['p1', 'p2', 'p3', 'p4', 'p5']), fetchFrom());
    expect(sent).toEqual([
      ['p2', 'p4'],
      ['p1', 'p3', 'p5'],
    ]);
    expect(names(response)).toEqual(['P p1', 'P p2', 'P p3', 'P p4', 'P p5']);
    expect(counts).toEqual({ hit: 2, miss: 5, error: 0 });
    const all = await cache.process(fetchOf(['p5', 'p1']), fetchFrom());
    expect(sent).toHaveLength(2);
    expect(names(all)).toEqual(['P p5', 'P p1']);
  });

  it('places an error of a fetched entity at its index in the request, and keeps neither it nor a null', async () => {
    const { cache, writes, fetchFrom } = setup();
    await cache.process(fetchOf(['p1']), fetchFrom());
    // Sent: p2, p3, p4, p5; the error is about the second sent (p3), the third asked for.
    const error = { message: 'boom', path: ['_entities', 1, 'name'] };
    const response = await cache.process(fetchOf(['p1', 'p2', 'p3', 'p4', 'p5']), fetchFrom({ p2: null, p4: null }, [error]));
    expect(response.errors).toEqual([{ message: 'boom', path: ['_entities', 2, 'name'] }]);
    expect(names(response)).toEqual(['P p1', null, 'P p3', null, 'P p5']);
    expect(writes.map((w) => JSON.parse(w.value).id)).toEqual(['p1', 'p5']);
  });

  it('keeps nothing from a fetch with an error that names no entity', async () => {
    const { cache, writes, fetchFrom } = setup();
    await cache.process(fetchOf(['p1', 'p2']), fetchFrom({}, [{ message: 'partial' }]));
    expect(writes).toHaveLength(0);
  });

  it('does not touch a selection with a field that may not be cached', async () => {
    const { cache, writes, counts, fetchFrom } = setup();
    const query = QUERY.replace('name price', 'name category{products{totalCount}} price');
    await cache.process(fetchOf(['p1'], query), fetchFrom());
    await cache.process(fetchOf(['p1'], query), fetchFrom());
    expect({ writes: writes.length, ...counts }).toEqual({ writes: 0, hit: 0, miss: 0, error: 0 });
  });

  it('fetches as without a cache while the store is down, counting the failure', async () => {
    const { cache, store, sent, counts, fetchFrom } = setup();
    await cache.process(fetchOf(['p1']), fetchFrom());
    store.down = true;
    const response = await cache.process(fetchOf(['p1', 'p2']), fetchFrom());
    expect(names(response)).toEqual(['P p1', 'P p2']);
    expect(sent.at(-1)).toEqual(['p1', 'p2']);
    expect(counts.error).toBe(1);
  });
});
