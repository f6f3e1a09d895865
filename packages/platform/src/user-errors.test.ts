import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { userError, userErrorsFromZod } from './user-errors.ts';

describe('userErrorsFromZod', () => {
  it('reports every problem with a code and the input path', () => {
    const model = z.object({
      name: z.string().trim().min(1, 'Name is required').max(5, 'Name is at most 5 characters'),
      stock: z.number().int().min(0, 'Stock cannot be negative'),
      sku: z.string().refine((v) => v !== 'dup', { message: 'taken', params: { code: 'TAKEN' } }),
    });
    const result = model.safeParse({ name: '   ', stock: -1, sku: 'dup' });
    expect(result.success).toBe(false);
    const errors = userErrorsFromZod(result.error!, ['input']);
    expect(errors).toEqual([
      { code: 'REQUIRED', message: 'Name is required', field: ['input', 'name'] },
      { code: 'NEGATIVE', message: 'Stock cannot be negative', field: ['input', 'stock'] },
      { code: 'TAKEN', message: 'taken', field: ['input', 'sku'] },
    ]);
    const long = model.safeParse({ name: 'toolong', stock: 0, sku: 'a' });
    expect(userErrorsFromZod(long.error!)[0]).toMatchObject({ code: 'TOO_LONG', field: ['name'] });
    const big = z.object({ stock: z.number().int().max(10) }).safeParse({ stock: 11 });
    expect(userErrorsFromZod(big.error!)[0]).toMatchObject({ code: 'TOO_LARGE', field: ['stock'] });
  });
});

describe('userError', () => {
  it('takes only codes of the shared UserErrorCode enum (a typo does not compile)', () => {
    expect(userError('NOT_FOUND', 'No such cart', ['id'])).toEqual({ code: 'NOT_FOUND', message: 'No such cart', field: ['id'] });
    // @ts-expect-error: 'NOT_FUOND' is not a UserErrorCode; `pnpm typecheck` fails if this compiles.
    expect(userError('NOT_FUOND', 'typo').code).toBe('NOT_FUOND');
  });
});
