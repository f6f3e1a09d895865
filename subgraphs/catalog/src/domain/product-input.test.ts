import { describe, expect, it } from 'vitest';
import { derivedSlug } from './product-input.ts';

describe('derivedSlug', () => {
  it('numbers namesakes and always stays a valid slug within 160 characters', () => {
    expect(derivedSlug('Desk Lamp & Shade')).toBe('desk-lamp-and-shade');
    expect(derivedSlug('Desk Lamp & Shade', 2)).toBe('desk-lamp-and-shade-2');
    expect(derivedSlug('!!!', 3)).toBe('product-3');
    const long = 'word '.repeat(60);
    for (const n of [1, 2, 12345]) {
      const slug = derivedSlug(long, n);
      expect(slug.length).toBeLessThanOrEqual(160);
      expect(slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
    expect(derivedSlug(long, 12345).endsWith('-12345')).toBe(true);
  });
});
