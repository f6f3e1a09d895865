import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/schema/subgraphs.ts';
import { startExtraGateway, startTestSupergraph, type TestSupergraph } from '../support/stack.ts';
import { follow, liveClient } from '../support/live.ts';
import { guestCart } from '../support/shop.ts';

let stack: TestSupergraph;
let gateway: { url: string; stop: () => Promise<void> };
let url: string;
const manifest = JSON.parse(readFileSync(join(repoRoot, 'schema/trusted-documents.json'), 'utf8')) as Record<
  string,
  { name: string; document: string }
>;
const [categoriesHash, categories] = Object.entries(manifest).find(([, d]) => d.name === 'Categories')!;

beforeAll(async () => {
  stack = await startTestSupergraph();
  gateway = await startExtraGateway(stack, { GATEWAY_TRUSTED_DOCUMENTS: 'true' });
  url = gateway.url;
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

const post = async (body: Record<string, unknown>) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as { data?: { categories?: unknown[] }; errors?: Array<{ extensions?: { code?: string } }> },
  };
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

  it('applies to subscriptions too: the listed CartUpdated runs, an ad-hoc subscription is refused', async () => {
    const cartId = await guestCart(stack.gatewayUrl);
    const live = liveClient(url);
    try {
      const listed = Object.values(manifest).find((d) => d.name === 'CartUpdated')!;
      const watcher = follow<{ cartUpdated: { id: string } }>(live.client, listed.document, { cartId });
      expect((await watcher.waitFor(() => true)).cartUpdated.id).toBe(cartId);
      const adHoc = follow(live.client, 'subscription ($cartId: ID!) { cartUpdated(cartId: $cartId) { id } }', { cartId });
      expect(await adHoc.failed()).toMatchObject([{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
    } finally {
      await live.client.dispose();
    }
  });
});
