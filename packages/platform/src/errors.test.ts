import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { maskError } from './errors.ts';
import { requestIdFrom } from './request-context.ts';

describe('maskError', () => {
  it('keeps expected errors but drops stack traces', () => {
    const masked = maskError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN', stacktrace: ['at x'] } }, 'req-1');
    expect(masked).toEqual({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } });
  });

  it('replaces unexpected errors with a generic message carrying the request id', () => {
    const masked = maskError(
      { message: 'relation "product" does not exist', path: ['products'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      'req-2',
    );
    expect(masked.message).toBe('Internal server error');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-2' });
    expect(JSON.stringify(masked)).not.toContain('relation');
  });
});

describe('maskError: outages and client mistakes', () => {
  const internal = { message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

  it.each([
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a Postgres shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a lost Postgres connection (SQLSTATE class 08)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a transaction Postgres aborted as a deadlock victim', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a NATS request with no responders', Object.assign(new Error('no responders'), { name: 'NoResponders' })],
    [
      'a wrapped MikroORM ConnectionException',
      new GraphQLError('x', { originalError: Object.assign(new Error('x'), { name: 'ConnectionException' }) }),
    ],
  ])('answers %s as a retryable SERVICE_UNAVAILABLE without the cause', (_case, original) => {
    const masked = maskError({ ...internal, path: ['cart'] }, 'req-3', original);
    expect(masked).toMatchObject({ path: ['cart'], extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 5, requestId: 'req-3' } });
    expect(JSON.stringify(masked)).not.toMatch(/127\.0\.0\.1|administrator|ECONNREFUSED/);
  });

  it('keeps a bug a bug: a plain error stays a masked INTERNAL_SERVER_ERROR', () => {
    expect(maskError(internal, 'r', new Error('undefined is not a function')).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    // SQLSTATE 08P01 (a protocol violation, e.g. a NUL in a query's text) is ours, not a lost connection.
    const violation = Object.assign(new Error('invalid message format'), { code: '08P01' });
    expect(maskError(internal, 'r', violation).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('gives an uncoded 4xx error of the server a client code (APQ hash mismatch, bad APQ version)', () => {
    const mismatch = new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } });
    expect(maskError(internal, 'r', mismatch).extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const version = new GraphQLError('Unsupported persisted query version', { extensions: { http: { status: 400 } } });
    expect(maskError(internal, 'r', version).extensions?.code).toBe('BAD_REQUEST');
  });

  it("drops a subgraph's raw response from a public error", () => {
    const leaked = {
      message: 'Not allowed',
      extensions: { code: 'UNAUTHENTICATED', response: { url: 'http://127.0.0.1:4003/graphql', status: 401 } },
    };
    expect(maskError(leaked, 'r')).toEqual({ message: 'Not allowed', extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('requestIdFrom', () => {
  it('keeps a safe caller id and replaces an unsafe or missing one', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id\nwith newline')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
