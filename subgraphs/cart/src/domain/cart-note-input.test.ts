import { describe, expect, it } from 'vitest';
import {
  MAX_ATTRIBUTE_KEY_LENGTH,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_ATTRIBUTES,
  MAX_NOTE_LENGTH,
  mergeNoteAndAttributes,
  readAttributes,
  readNote,
} from './cart-note-input.ts';

const problems = (read: ReturnType<typeof readAttributes> | ReturnType<typeof readNote>) =>
  read.ok ? [] : read.userErrors.map((e) => [e.code, e.field?.join('.')]);

describe('cart note', () => {
  it('is trimmed; an empty or blank note clears it', () => {
    expect(readNote('  Happy birthday, Ada!\n')).toEqual({ ok: true, value: 'Happy birthday, Ada!' });
    expect(readNote('')).toEqual({ ok: true, value: null });
    expect(readNote(' \n\t ')).toEqual({ ok: true, value: null });
  });

  it(`holds at most ${MAX_NOTE_LENGTH} characters (counted after trimming), keeping line breaks`, () => {
    expect(readNote(`  ${'x'.repeat(MAX_NOTE_LENGTH)}  `)).toEqual({ ok: true, value: 'x'.repeat(MAX_NOTE_LENGTH) });
    expect(readNote('Dear Ada,\nhappy birthday')).toEqual({ ok: true, value: 'Dear Ada,\nhappy birthday' });
    const long = readNote('x'.repeat(MAX_NOTE_LENGTH + 1));
    expect(long).toEqual({
      ok: false,
      userErrors: [{ code: 'TOO_LONG', field: ['note'], message: `A note has at most ${MAX_NOTE_LENGTH} characters` }],
    });
    expect(problems(readNote('x'.repeat(MAX_NOTE_LENGTH + 1), ['input', 'note']))).toEqual([['TOO_LONG', 'input.note']]);
  });
});

describe('cart attributes', () => {
  it('are trimmed, keep their order, and a blank or missing value is null', () => {
    expect(
      readAttributes([{ key: ' Gift wrap ', value: ' yes ' }, { key: 'Delivery window', value: '' }, { key: 'Ref', value: null }, { key: 'Source' }]),
    ).toEqual({
      ok: true,
      value: [
        { key: 'Gift wrap', value: 'yes' },
        { key: 'Delivery window', value: null },
        { key: 'Ref', value: null },
        { key: 'Source', value: null },
      ],
    });
    expect(readAttributes([])).toEqual({ ok: true, value: [] });
  });

  it('take up to the limits exactly', () => {
    const most = Array.from({ length: MAX_ATTRIBUTES }, (_, i) => ({
      key: `${i}`.padEnd(MAX_ATTRIBUTE_KEY_LENGTH, 'k'),
      value: 'v'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH),
    }));
    expect(readAttributes(most).ok).toBe(true);
  });

  it('report every problem at once: too many, blank and long keys, long values, repeated keys', () => {
    const input = [
      { key: 'a', value: '1' },
      { key: '  ', value: '2' },
      { key: 'k'.repeat(MAX_ATTRIBUTE_KEY_LENGTH + 1), value: 'v'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH + 1) },
      { key: ' a', value: '3' },
      ...Array.from({ length: MAX_ATTRIBUTES - 3 }, (_, i) => ({ key: `x${i}`, value: null })),
    ];
    expect(input.length).toBe(MAX_ATTRIBUTES + 1);
    expect(problems(readAttributes(input))).toEqual([
      ['TOO_LARGE', 'attributes'],
      ['REQUIRED', 'attributes.1.key'],
      ['TOO_LONG', 'attributes.2.key'],
      ['TOO_LONG', 'attributes.2.value'],
      ['INVALID', 'attributes.3.key'],
    ]);
    const repeated = readAttributes([
      { key: 'Gift', value: '1' },
      { key: 'Gift', value: '2' },
    ]);
    expect(repeated).toMatchObject({ ok: false, userErrors: [{ message: '"Gift" is given more than once; each key may appear once' }] });
  });

  it('check a key and its value on their own: a long value does not hide a repeated key', () => {
    const read = readAttributes([{ key: 'Gift' }, { key: 'Gift', value: 'v'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH + 1) }]);
    expect(problems(read)).toEqual([
      ['INVALID', 'attributes.1.key'],
      ['TOO_LONG', 'attributes.1.value'],
    ]);
  });

  it('compare keys exactly: case makes another key', () => {
    expect(readAttributes([{ key: 'gift' }, { key: 'Gift' }]).ok).toBe(true);
  });
});

describe('note and attributes when a guest cart is merged in', () => {
  const customer = { note: 'Mine', attributes: [{ key: 'Gift wrap', value: 'no' }] };
  const guest = {
    note: 'From the guest cart',
    attributes: [
      { key: 'Gift wrap', value: 'yes' },
      { key: 'Ref', value: 'ad' },
    ],
  };

  it('MERGE keeps the customer note and values, adding the guest keys the customer lacks', () => {
    expect(mergeNoteAndAttributes(customer, guest, 'MERGE')).toEqual({
      note: 'Mine',
      attributes: [
        { key: 'Gift wrap', value: 'no' },
        { key: 'Ref', value: 'ad' },
      ],
    });
    expect(mergeNoteAndAttributes({ note: null, attributes: [] }, guest, 'MERGE')).toEqual(guest);
  });

  it('MERGE stays within the attribute limit', () => {
    const many = (prefix: string) => ({ note: null, attributes: Array.from({ length: 20 }, (_, i) => ({ key: `${prefix}${i}`, value: null })) });
    expect(mergeNoteAndAttributes(many('c'), many('g'), 'MERGE').attributes).toHaveLength(MAX_ATTRIBUTES);
  });

  it("USE_GUEST takes the guest cart's, KEEP_CUSTOMER keeps the customer's", () => {
    expect(mergeNoteAndAttributes(customer, guest, 'USE_GUEST')).toEqual(guest);
    expect(mergeNoteAndAttributes(customer, guest, 'KEEP_CUSTOMER')).toEqual(customer);
  });
});
