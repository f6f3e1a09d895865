import { describe, expect, it } from 'vitest';
import { passwordProblems, PasswordHasher } from './passwords.ts';

const FIELD = ['input', 'password'];

describe('passwordProblems', () => {
  it('refuses a password shorter than the minimum, naming the minimum', () => {
    expect(passwordProblems('nine-char', 10, FIELD)).toEqual([{ code: 'WEAK_PASSWORD', message: 'Use at least 10 characters.', field: FIELD }]);
    expect(passwordProblems('ten-chars!', 10, FIELD)).toEqual([]);
  });

  it('refuses a common password whatever its case', () => {
    for (const common of ['qwertyuiop', 'QwErTyUiOp', 'PASSWORD123', 'Basketball']) {
      expect(passwordProblems(common, 10, FIELD)).toEqual([
        { code: 'WEAK_PASSWORD', message: 'This password is too common; choose another.', field: FIELD },
      ]);
    }
  });

  it('refuses more than 256 characters', () => {
    expect(passwordProblems('x'.repeat(257), 10, FIELD).map((e) => e.code)).toEqual(['TOO_LONG']);
    expect(passwordProblems('x'.repeat(256), 10, FIELD)).toEqual([]);
  });

  it('never repeats the password in a message', () => {
    for (const password of ['short', 'qwertyuiop', 'y'.repeat(300)]) {
      for (const problem of passwordProblems(password, 10, FIELD)) expect(problem.message).not.toContain(password);
    }
  });

  it('accepts a long uncommon password', () => {
    expect(passwordProblems('correct horse battery staple', 10, FIELD)).toEqual([]);
  });
});

describe('PasswordHasher', () => {
  // A low cost keeps the unit tests fast; the cost is what the hash records, not what verify assumes.
  const hasher = new PasswordHasher({ memoryKib: 8192, iterations: 1 });

  it('hashes with argon2id at the configured cost, salted, and verifies the same password only', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    const [, algorithm, , params] = hash.split('$');
    expect(algorithm).toBe('argon2id');
    expect(Object.fromEntries(params!.split(',').map((kv) => kv.split('=')))).toEqual({ m: '8192', t: '1', p: '1' });
    expect(hash).not.toContain('correct horse');
    expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'Correct horse battery staple')).toBe(false);
    expect(await hasher.verify(hash, '')).toBe(false);
  });

  it('verifies a hash made at another cost (the hash carries its parameters)', async () => {
    const older = await new PasswordHasher({ memoryKib: 9216, iterations: 2 }).hash('an older password hash');
    expect(await hasher.verify(older, 'an older password hash')).toBe(true);
  });

  it('answers false for a missing hash (unknown email) and for a hash that is not argon2', async () => {
    expect(await hasher.verify(null, 'any password at all')).toBe(false);
    expect(await hasher.verify(null, 'no account has this password: timing only')).toBe(false);
    expect(await hasher.verify('not-a-hash', 'any password at all')).toBe(false);
  });
});
