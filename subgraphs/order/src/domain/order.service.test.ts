import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@shop/platform';
import { readCursor } from './order.service.ts';

const ID = '00000000-0000-4000-8000-000000000001';

/** The code and field of the error `run` throws. */
function refusal(run: () => unknown): { message: string; code: unknown; field: unknown } {
  try {
    run();
  } catch (error) {
    const { message, extensions = {} } = error as { message: string; extensions?: Record<string, unknown> };
    return { message, code: extensions.code, field: extensions.field };
  }
  throw new Error('expected an error');
}

describe('readCursor (orders newest first)', () => {
  it('reads back the cursors the listing writes', () => {
    const createdAt = new Date('2026-11-05T17:45:00.999Z');
    expect(readCursor(encodeCursor([createdAt.toISOString(), ID]))).toEqual({ createdAt, id: ID });
    for (const at of ['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])
      expect(readCursor(encodeCursor([at, ID])).createdAt.toISOString()).toBe(at);
  });

  // Each of these reaches `created_at < ?` otherwise: JavaScript reads most of them, Postgres refuses them (22007/22008).
  it.each([
    ['the smallest JavaScript date, as a number', -8_640_000_000_000_000],
    ['an epoch number', 1_700_000_000_000],
    ['a six-digit year', '+275760-09-13T00:00:00.000Z'],
    ['a negative year', '-000001-01-01T00:00:00.000Z'],
    ['a year before 1970', '1969-12-31T23:59:59.999Z'],
    ['a day no month has', '2026-02-30T00:00:00.000Z'],
    ['a date without time', '2026-01-01'],
    ['no date at all', 'yesterday'],
  ])('refuses %s as BAD_USER_INPUT on after', (_, createdAt) => {
    expect(refusal(() => readCursor(encodeCursor([createdAt, ID])))).toEqual({ message: 'Invalid cursor', code: 'BAD_USER_INPUT', field: ['after'] });
  });
});
