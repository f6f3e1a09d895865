import { describe, expect, it } from 'vitest';
import { isOutage } from './outage.ts';

describe('isOutage', () => {
  it('counts a pooled pg client whose connection broke (Postgres restarted mid-transaction), wrapped by the ORM', () => {
    const pgError = new Error('Client has encountered a connection error and is not queryable');
    const wrapped = Object.assign(new Error(pgError.message), { name: 'DriverException', cause: pgError });
    expect(isOutage(wrapped)).toBe(true);
  });

  it('does not count a bug', () => {
    expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});
