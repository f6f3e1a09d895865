import { describe, expect, it } from 'vitest';
import { matchSelection, optionsAndVariantsProblems, titleOf } from './variant-input.ts';

const OPTIONS = [
  { name: 'Size', values: ['S', 'M'] },
  { name: 'Color', values: ['Blue'] },
];

describe('matchSelection', () => {
  it("puts the values in the product's option order, whatever order they came in", () => {
    const match = matchSelection(OPTIONS, [
      { name: 'Color', value: 'Blue' },
      { name: 'Size', value: 'M' },
    ]);
    expect(match).toEqual({
      selected: [
        { name: 'Size', value: 'M' },
        { name: 'Color', value: 'Blue' },
      ],
      added: [],
    });
    expect('selected' in match && titleOf(match.selected)).toBe('M / Blue');
  });

  it('wants exactly one known value of each option; a new value only when adding a variant, never a case variant', () => {
    const code = (given: Array<{ name: string; value: string }>, allowNew = false) => {
      const match = matchSelection(OPTIONS, given, allowNew);
      return 'code' in match ? match.code : 'OK';
    };
    expect(code([{ name: 'Size', value: 'S' }])).toBe('INVALID');
    expect(
      code([
        { name: 'Size', value: 'S' },
        { name: 'Size', value: 'M' },
        { name: 'Color', value: 'Blue' },
      ]),
    ).toBe('INVALID');
    const xl = [
      { name: 'Size', value: 'XL' },
      { name: 'Color', value: 'Blue' },
    ];
    expect(code(xl)).toBe('INVALID');
    expect(matchSelection(OPTIONS, xl, true)).toMatchObject({ added: [{ name: 'Size', value: 'XL' }] });
    expect(
      code(
        [
          { name: 'Size', value: 's' },
          { name: 'Color', value: 'Blue' },
        ],
        true,
      ),
    ).toBe('CONFLICT');
  });
});

describe('optionsAndVariantsProblems', () => {
  it('finds nothing wrong with a product without options that has a price', () => {
    expect(optionsAndVariantsProblems({ sku: 'A', name: 'A', price: '1.00' })).toEqual([]);
  });

  it('names the later of two variants with the same options or SKU', () => {
    const variant = (sku: string, size: string) => ({
      sku,
      selectedOptions: [
        { name: 'Size', value: size },
        { name: 'Color', value: 'Blue' },
      ],
    });
    const problems = optionsAndVariantsProblems({ options: OPTIONS, variants: [variant('A', 'S'), variant('B', 'M'), variant('A', 'S')] });
    expect(problems.map((p) => [p.field?.join('.'), p.code])).toEqual([
      ['input.variants.2.selectedOptions', 'CONFLICT'],
      ['input.variants.2.sku', 'TAKEN'],
    ]);
  });
});
