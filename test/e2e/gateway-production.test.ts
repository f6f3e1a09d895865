import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';
import { gql, startExtraGateway, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

let stack: TestSupergraph;
let gateway: { url: string; stop: () => Promise<void> };
let url: string;
let supergraphPath: string;

beforeAll(async () => {
  stack = await startTestSupergraph();
  const dir = mkdtempSync(join(tmpdir(), 'shop-prod-gw-'));
  supergraphPath = join(dir, 'supergraph.graphql');
  copyFileSync(join(repoRoot, 'schema', 'supergraph.graphql'), supergraphPath);
  // Production refuses the dev secret; this gateway signs client addresses with a test one.
  gateway = await startExtraGateway(
    stack,
    { NODE_ENV: 'production', CLIENT_ADDRESS_SECRET: 'test-only-client-address-secret-0123456789' },
    supergraphPath,
  );
  url = gateway.url;
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

describe('gateway in production mode', () => {
  it('refuses introspection', async () => {
    const res = await gql(url, '{ __schema { types { name } } }');
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('serves no landing page', async () => {
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/sandbox/i);
  });

  it('gives no schema hints in validation errors', async () => {
    const res = await gql(url, '{ product(slug: "x") { nam } }');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/did you mean/i);
  });

  it('still answers real queries', async () => {
    const res = await gql<{ categories: unknown[] }>(url, '{ categories { name } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.categories.length).toBeGreaterThan(0);
  });

  it('reloads the supergraph when its file changes', async () => {
    const before = await gql(url, '{ categories { slug } }');
    expect(before.body.errors).toBeUndefined();
    // Drop Category.slug from the served supergraph: the next request must no longer see it.
    const sdl = readFileSync(supergraphPath, 'utf8');
    const edited = sdl.replace(/(type Category\b[^{]*\{[\s\S]*?)\n\s+slug: String!/, '$1');
    expect(edited).not.toBe(sdl);
    writeFileSync(supergraphPath, edited);
    const after = await waitFor(
      'the edited supergraph served',
      async () => {
        const res = await gql(url, '{ categories { slug } }');
        return res.body.errors ? res : undefined;
      },
      { intervalMs: 100 },
    );
    expect(after.status).toBe(400);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('shares automatic persisted queries between gateway processes through Redis', async () => {
    const query = `{ categories { name } } # apq ${Date.now()}`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const send = (target: string, body: Record<string, unknown>) =>
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> },
      }));
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await send(url, { extensions });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The stack's own gateway learns the query ...
    const learned = await send(stack.gatewayUrl, { query, extensions });
    expect(learned.body.errors).toBeUndefined();
    // ... and this other gateway process answers from the hash alone.
    const byHash = await send(url, { extensions });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(learned.body.data);
  });
});
