import { z } from 'zod';
import { userError, userErrorsFromZod, type UserError } from '@shop/platform';
import type { CartAttribute } from '../data/cart.entity.ts';
import type { MergeStrategy } from './cart-rules.ts';

/** A gift message, not a letter; the cart view (cached whole in Redis) stays small. */
export const MAX_NOTE_LENGTH = 1000;
export const MAX_ATTRIBUTES = 25;
export const MAX_ATTRIBUTE_KEY_LENGTH = 100;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 500;

export type Read<T> = { ok: true; value: T } | { ok: false; userErrors: UserError[] };

const noteModel = z
  .string()
  .trim()
  .max(MAX_NOTE_LENGTH, `A note has at most ${MAX_NOTE_LENGTH} characters`)
  .transform((note) => note || null);

/** The note as stored: trimmed, an empty one clears it (null). `field` is where the note sits in the input. */
export function readNote(note: string, field: string[] = ['note']): Read<string | null> {
  const parsed = noteModel.safeParse(note);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, userErrors: userErrorsFromZod(parsed.error, field) };
}

const keyModel = z
  .string()
  .trim()
  .min(1, 'Each attribute needs a key')
  .max(MAX_ATTRIBUTE_KEY_LENGTH, `A key has at most ${MAX_ATTRIBUTE_KEY_LENGTH} characters`);
const valueModel = z
  .string()
  .trim()
  .max(MAX_ATTRIBUTE_VALUE_LENGTH, `A value has at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`)
  .nullish()
  .transform((value) => value || null);

/**
 * The attributes as stored, replacing the cart's set: keys and values trimmed, a blank value is
 * null, keys unique (compared exactly), at most MAX_ATTRIBUTES. Every problem at once: each bad
 * key or value, each repeated key and too many of them.
 */
export function readAttributes(input: ReadonlyArray<{ key: string; value?: string | null }>): Read<CartAttribute[]> {
  const userErrors: UserError[] = [];
  if (input.length > MAX_ATTRIBUTES) userErrors.push(userError('TOO_LARGE', `A cart has at most ${MAX_ATTRIBUTES} attributes`, ['attributes']));
  const attributes: CartAttribute[] = [];
  const seen = new Set<string>();
  input.forEach((raw, i) => {
    // Key and value each on their own, so a long value does not hide a repeated key.
    const key = keyModel.safeParse(raw.key);
    const value = valueModel.safeParse(raw.value);
    if (!key.success) userErrors.push(...userErrorsFromZod(key.error, ['attributes', String(i), 'key']));
    else if (seen.has(key.data))
      userErrors.push(userError('INVALID', `"${key.data}" is given more than once; each key may appear once`, ['attributes', String(i), 'key']));
    if (!value.success) userErrors.push(...userErrorsFromZod(value.error, ['attributes', String(i), 'value']));
    if (!key.success) return;
    seen.add(key.data);
    if (value.success) attributes.push({ key: key.data, value: value.data });
  });
  return userErrors.length ? { ok: false, userErrors } : { ok: true, value: attributes };
}

export interface NoteAndAttributes {
  note: string | null;
  attributes: CartAttribute[];
}

/**
 * What the customer's cart keeps of a merged guest cart's note and attributes: MERGE keeps the
 * customer's note (the guest's when there is none) and adds the guest's attributes whose keys the
 * customer's lack (within MAX_ATTRIBUTES); USE_GUEST takes the guest's; KEEP_CUSTOMER changes nothing.
 */
export function mergeNoteAndAttributes(customer: NoteAndAttributes, guest: NoteAndAttributes, strategy: MergeStrategy): NoteAndAttributes {
  if (strategy === 'KEEP_CUSTOMER') return customer;
  if (strategy === 'USE_GUEST') return guest;
  const keys = new Set(customer.attributes.map((a) => a.key));
  return {
    note: customer.note ?? guest.note,
    attributes: [...customer.attributes, ...guest.attributes.filter((a) => !keys.has(a.key))].slice(0, MAX_ATTRIBUTES),
  };
}
