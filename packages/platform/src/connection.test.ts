import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, pageSize, toConnection } from './connection.ts';

describe('cursors', () => {
  it('round-trips keyset values and is opaque', () => {
    const cursor = encodeCursor(['Wireless Mouse', 'id-1']);
    expect(cursor).not.toContain('Mouse');
    expect(decodeCursor<[string, string]>(cursor, 2)).toEqual(['Wireless Mouse', 'id-1']);
  });

  it('rejects tampered or wrong-shaped cursors as bad input', () => {
    expect(() => decodeCursor('not-base64-json', 2)).toThrow(GraphQLError);
    expect(() => decodeCursor(encodeCursor(['only-one']), 2)).toThrow(/Invalid cursor/);
  });
});

describe('pageSize', () => {
  it('defaults and caps at 100', () => {
    expect(pageSize(undefined, 20)).toBe(20);
    expect(pageSize(100, 20)).toBe(100);
    expect(() => pageSize(101, 20)).toThrow(/between 0 and 100/);
    expect(() => pageSize(-1, 20)).toThrow(/between 0 and 100/);
  });
});

describe('toConnection', () => {
  it('uses the extra row only to tell that a next page exists', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const page = toConnection(rows, 2, 10, (r) => r.id, false);
    expect(page.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'a', endCursor: 'b' });
    expect(toConnection(rows.slice(0, 2), 2, 2, (r) => r.id, true).pageInfo.hasNextPage).toBe(false);
  });
});
