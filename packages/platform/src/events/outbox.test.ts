import { describe, expect, it } from 'vitest';
import { deterministicEventId } from './outbox.ts';

describe('deterministicEventId', () => {
  it('gives one stable UUID per subject and key', () => {
    expect(deterministicEventId('payment.captured', 'a')).toBe(deterministicEventId('payment.captured', 'A'));
    expect(deterministicEventId('payment.captured', 'a')).not.toBe(deterministicEventId('payment.failed', 'a'));
    expect(deterministicEventId('x', 'y')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
