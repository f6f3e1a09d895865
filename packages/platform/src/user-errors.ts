import type { z } from 'zod';
import type { UserErrorCode } from './generated/shared-types.ts';

export type { UserErrorCode };

/** A typed, expected failure returned in a mutation payload (never thrown). */
export interface UserError {
  field: string[] | null;
  message: string;
  /** Generated from the shared SDL's enum: a code the schema lacks does not compile. */
  code: UserErrorCode;
}

export const userError = (code: UserErrorCode, message: string, field: string[] | null = null): UserError => ({ code, message, field });

/**
 * zod issues → userErrors, every problem at once. Codes: REQUIRED for empty strings, TOO_LONG,
 * NEGATIVE for numbers below zero, TOO_LARGE for numbers over their maximum, INVALID otherwise; a refinement may set its own code with
 * `params: { code }`.
 */
export function userErrorsFromZod(error: z.ZodError, prefix: string[] = []): UserError[] {
  return error.issues.map((issue) => {
    const field = [...prefix, ...issue.path.map(String)];
    const params = (issue as { params?: { code?: UserErrorCode } }).params;
    let code: UserErrorCode = params?.code ?? 'INVALID';
    if (!params?.code) {
      if (issue.code === 'too_big' && issue.origin === 'string') code = 'TOO_LONG';
      else if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) code = 'REQUIRED';
      else if (issue.code === 'too_small' && issue.origin === 'number' && issue.minimum === 0) code = 'NEGATIVE';
      else if (issue.code === 'too_big' && issue.origin === 'number') code = 'TOO_LARGE';
    }
    return userError(code, issue.message, field);
  });
}
