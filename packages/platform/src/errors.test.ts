import { describe, expect, it } from 'vitest';
import { maskError } from './errors.ts';
import { requestIdFrom } from './request-context.ts';

describe('maskError', () => {
  it('keeps expected errors but drops stack traces', () => {
    const masked = maskError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN', stacktrace: ['at x'] } }, 'req-1');
    expect(masked).toEqual({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } });
  });

  it('replaces unexpected errors with a generic message carrying the request id', () => {
    const masked = maskError({ message: 'relation "product" does not exist', path: ['products'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, 'req-2');
    expect(masked.message).toBe('Internal server error');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-2' });
    expect(JSON.stringify(masked)).not.toContain('relation');
  });
});

describe('requestIdFrom', () => {
  it('keeps a safe caller id and replaces an unsafe or missing one', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id\nwith newline')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
