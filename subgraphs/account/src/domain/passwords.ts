import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { userError, type UserError } from '@shop/platform';

export interface PasswordCost {
  memoryKib: number;
  iterations: number;
}

/** ~49,000 passwords seen most often in breaches (zxcvbn-ts' list), compared case-insensitively. */
const COMMON = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
const MAX_LENGTH = 256;

/** Length and the common-password list; the message never repeats the password. */
export function passwordProblems(password: string, minLength: number, field: string[]): UserError[] {
  if (password.length < minLength) return [userError('WEAK_PASSWORD', `Use at least ${minLength} characters.`, field)];
  if (password.length > MAX_LENGTH) return [userError('TOO_LONG', `Use at most ${MAX_LENGTH} characters.`, field)];
  if (COMMON.has(password.toLowerCase())) return [userError('WEAK_PASSWORD', 'This password is too common; choose another.', field)];
  return [];
}

/** argon2id hashing with the configured cost; the hash carries its parameters, so a cost change keeps old hashes valid. */
export class PasswordHasher {
  private readonly cost: PasswordCost;
  /** Checked when the email is unknown, so that answer takes as long as a wrong password. */
  private dummy: Promise<string> | null = null;

  constructor(cost: PasswordCost) {
    this.cost = cost;
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, memoryCost: this.cost.memoryKib, timeCost: this.cost.iterations, parallelism: 1 });
  }

  /** False for a wrong password, and (after the same work) for a missing hash. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      this.dummy ??= this.hash('no account has this password: timing only');
      await argon2.verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
