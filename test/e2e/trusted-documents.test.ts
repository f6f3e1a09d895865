import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, spawnLogged, waitUntilReady, type ManagedProcess } from '@shop/platform/stack';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/stack.ts';

let stack: TestSupergraph;
let gateway: ManagedProcess;
let url: string;
const manifest = JSON.parse(readFileSync(join(repoRoot, 'schema/trusted-documents.json'), 'utf8')) as Record<string, { name: string; document: string }>;
const [categoriesHash, categories] = Object.entries(manifest).find(([, d]) => d.name === 'Categories')!;

beforeAll(async () => {
  stack = await startTestSupergraph();
  const port = await getFreePort();
  url = `http://127.0.0.1:${port}/graphql`;
  const overrides = Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, u]) => [`${name.toUpperCase()}_URL`, u]));
  gateway = spawnLogged('gateway (trusted documents)', process.execPath, [join(repoRoot, 'gateway/src/index.ts')], join(mkdtempSync(join(tmpdir(), 'shop-td-')), 'gateway.log'), {
    cwd: repoRoot,
    env: { ...process.env, ...overrides, GATEWAY_PORT: String(port), REDIS_URL: stack.redis.url, GATEWAY_TRUSTED_DOCUMENTS: 'true' },
  });
  await waitUntilReady(gateway, async () => {
    const res = await fetch(url.replace('/graphql', '/health'));
    if (!res.ok) throw new Error(String(res.status));
  }, 30_000);
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

const post = async (body: Record<string, unknown>) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { data?: { categories?: unknown[] }; errors?: Array<{ extensions?: { code?: string } }> } };
};

describe('trusted-documents mode', () => {
  it('runs a listed operation by hash alone or by its exact text', async () => {
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: categoriesHash } } });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data!.categories!.length).toBeGreaterThan(0);
    const byText = await post({ query: categories.document });
    expect(byText.body.errors).toBeUndefined();
  });

  it('refuses anything not in the list', async () => {
    const adHoc = await post({ query: '{ categories { name } }' });
    expect(adHoc.status).toBe(400);
    expect(adHoc.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const unknownHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('x').digest('hex') } } });
    expect(unknownHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const mismatch = await post({ query: '{ categories { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: categoriesHash } } });
    expect(mismatch.status).toBe(400);
  });
});
