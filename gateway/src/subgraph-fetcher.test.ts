import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createLogger, isOutage } from '@shop/platform';
import type { GatewayContext } from './context.ts';
import { SubgraphClient } from './subgraph-client.ts';
import { undiciFetcher } from './subgraph-fetcher.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A subgraph on a loopback port whose answer each test writes; it keeps every request it saw. */
async function subgraph(handler: Handler) {
  const seen: Array<{ req: http.IncomingMessage; body: string; closed: boolean }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { req, body, closed: false };
      res.on('close', () => (entry.closed = true));
      seen.push(entry);
      handler(req, res, body);
    });
  });
  let opened = 0;
  server.on('connection', () => opened++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const connections = () => new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined));
  cleanups.push(async () => void server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen, connections, opened: () => opened };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fetcherFor(options: Partial<Parameters<typeof undiciFetcher>[0]> = {}) {
  const fetcher = undiciFetcher({ timeoutMs: 10_000, ...options });
  cleanups.push(() => fetcher.close());
  return fetcher;
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A free loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('undici subgraph fetcher', () => {
  it('sends method, headers and body, and answers status, headers (any case) and body', async () => {
    const sub = await subgraph((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=30' });
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    const response = await fetcherFor()(sub.url, post({ query: '{ ok }' }, { 'x-request-id': 'r-1' }));
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('max-age=30');
    expect(response.headers.get('x-absent')).toBeNull();
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(await response.clone().text()).toBe('{"data":{"ok":true}}');
    expect(sub.seen[0]!.req.method).toBe('POST');
    expect(sub.seen[0]!.req.url).toBe('/graphql');
    expect(sub.seen[0]!.req.headers['x-request-id']).toBe('r-1');
    expect(JSON.parse(sub.seen[0]!.body)).toEqual({ query: '{ ok }' });
  });

  it('answers an HTTP error status as a response that is not ok, with its body', async () => {
    const sub = await subgraph((_req, res) => {
      res.writeHead(400, 'Bad Request', { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"bad variable"}]}');
    });
    const response = await fetcherFor()(sub.url, post({ query: '{ ok }' }));
    expect(response).toMatchObject({ status: 400, ok: false, statusText: 'Bad Request' });
    expect(await response.text()).toBe('{"errors":[{"message":"bad variable"}]}');
  });

  it('fails a call past its timeout, before the answer and in the middle of its body, as an outage', async () => {
    const silent = await subgraph(() => undefined);
    const first = await fetcherFor({ timeoutMs: 50 })(silent.url, post({})).catch((e: unknown) => e);
    expect(first).toMatchObject({ name: 'TimeoutError' });
    expect(isOutage(first)).toBe(true);

    const stalls = await subgraph((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    });
    const second = await fetcherFor({ timeoutMs: 50 })(stalls.url, post({})).catch((e: unknown) => e);
    expect(second).toMatchObject({ name: 'TimeoutError' });
    // The subgraph sees its socket closed (and stops working on the call).
    await expect.poll(() => silent.seen[0]?.closed && stalls.seen[0]?.closed).toBe(true);
  });

  it("stops a call when its caller's signal aborts (given or the request's own), as an AbortError", async () => {
    const silent = await subgraph(() => undefined);
    const given = new AbortController();
    const call = fetcherFor()(silent.url, { ...post({}), signal: given.signal }).catch((e: unknown) => e);
    await expect.poll(() => silent.seen.length).toBe(1);
    given.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    await expect.poll(() => silent.seen[0]!.closed).toBe(true);

    const request = new AbortController();
    const fetcher = fetcherFor({ stopSignal: () => request.signal });
    const second = fetcher(silent.url, post({})).catch((e: unknown) => e);
    await expect.poll(() => silent.seen.length).toBe(2);
    request.abort();
    expect(await second).toMatchObject({ name: 'AbortError' });
    // Already stopped: no call at all.
    expect(await fetcher(silent.url, post({})).catch((e: unknown) => e)).toMatchObject({ name: 'AbortError' });
    expect(silent.seen).toHaveLength(2);
  });

  it('stops a call still waiting for a free connection at once when its caller leaves', async () => {
    const held: http.ServerResponse[] = [];
    const sub = await subgraph((_req, res) => held.push(res));
    const fetcher = fetcherFor({ connectionsPerOrigin: 1 });
    const first = fetcher(sub.url, post({}));
    await expect.poll(() => held.length).toBe(1);
    const leaving = new AbortController();
    const waiting = fetcher(sub.url, { ...post({}), signal: leaving.signal }).catch((e: unknown) => e);
    leaving.abort();
    // The only connection is still busy with the first call, which is unanswered.
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    held[0]!.end('{}');
    expect((await first).status).toBe(200);
    expect(sub.seen).toHaveLength(1);
  });

  it('fails a refused connection and a reset one as outages', async () => {
    const refused = await fetcherFor()(`http://127.0.0.1:${await closedPort()}/graphql`, post({})).catch((e: unknown) => e);
    expect(isOutage(refused)).toBe(true);
    const resets = await subgraph((req) => req.socket.destroy());
    const reset = await fetcherFor()(resets.url, post({})).catch((e: unknown) => e);
    expect(isOutage(reset)).toBe(true);
  });

  it('keeps sockets between calls and closes them once idle for idleMs', async () => {
    const sub = await subgraph((_req, res) => res.end('{}'));
    const fetcher = fetcherFor({ idleMs: 200 });
    for (let i = 0; i < 6; i++) await fetcher(sub.url, post({}));
    // Calls one after another reuse sockets (the pool may open a second while the first is released).
    expect(sub.opened()).toBeLessThanOrEqual(2);
    // The server's own keep-alive (5 s) is longer: the client closes it.
    await expect.poll(sub.connections, { timeout: 3_000 }).toBe(0);
  });

  it('opens at most connectionsPerOrigin sockets to one subgraph; the other calls wait their turn', async () => {
    const held: http.ServerResponse[] = [];
    const sub = await subgraph((_req, res) => held.push(res));
    const fetcher = fetcherFor({ connectionsPerOrigin: 2 });
    const calls = Promise.all(Array.from({ length: 5 }, () => fetcher(sub.url, post({}))));
    await expect.poll(() => held.length).toBe(2);
    expect(await sub.connections()).toBe(2);
    // Answering one call lets a waiting one in, until every call is answered.
    const answerAll = setInterval(() => held.splice(0).forEach((res) => res.end('{}')), 10);
    const responses = await calls.finally(() => clearInterval(answerAll));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sub.seen).toHaveLength(5);
    expect(await sub.connections()).toBeLessThanOrEqual(2);
  });
});

describe('SubgraphClient over the undici fetcher', () => {
  const log = createLogger('test', 'silent');
  const fetchOf = () =>
    ({
      kind: 'incoming operation',
      request: { query: '{ products(first: 1) { id } }', variables: {} },
      context: { identity: { sub: null, roles: [], token: null }, requestId: 'r-1' },
      incomingRequestContext: {},
    }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  const clientFor = (url: string, timeoutMs = 10_000) => new SubgraphClient({ url, fetcher: fetcherFor({ timeoutMs }), log, name: 'catalog' });

  it('passes a subgraph answer on', async () => {
    const sub = await subgraph((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"products":[{"id":"p1"}]}}');
    });
    expect(await clientFor(sub.url).process(fetchOf())).toMatchObject({ data: { products: [{ id: 'p1' }] } });
  });

  it('answers a slow subgraph and one that is down with SERVICE_UNAVAILABLE', async () => {
    const silent = await subgraph(() => undefined);
    const slow = await clientFor(silent.url, 50).process(fetchOf());
    expect(slow.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' }, path: ['products'] });
    const down = await clientFor(`http://127.0.0.1:${await closedPort()}/graphql`).process(fetchOf());
    expect(down.errors?.[0]).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' }, path: ['products'] });
  });

  it.each([
    ['an HTML page', 'text/html', '<html><body>502 Bad Gateway</body></html>'],
    ['JSON null', 'application/json', 'null'],
    ['cut-off JSON', 'application/json', '{"data":{"products":['],
    ['JSON that is not a GraphQL response', 'application/json', '[{"id":"p1"}]'],
  ])('answers a 200 with %s as an outage (SERVICE_UNAVAILABLE, logged), not as a bug', async (_what, contentType, body) => {
    const sub = await subgraph((_req, res) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
    const lines: string[] = [];
    const logged = createLogger('test', 'warn', { write: (line: string) => void lines.push(line) });
    const client = new SubgraphClient({ url: sub.url, fetcher: fetcherFor(), log: logged, name: 'catalog' });
    const answer = await client.process(fetchOf());
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5 }, path: ['products'] })]);
    // Nothing of the subgraph's answer reaches the client; the log has the reason.
    expect(JSON.stringify(answer.errors)).not.toMatch(/html|null|127\.0\.0\.1/i);
    expect(lines.map((line) => JSON.parse(line) as { msg: string; subgraph: string })).toEqual([
      expect.objectContaining({ msg: 'subgraph unavailable; answered SERVICE_UNAVAILABLE', subgraph: 'catalog' }),
    ]);
  });
});
