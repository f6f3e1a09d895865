import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';

/**
 * Hostile values by input type, for the schema-driven hostile-input suite: what a confused or
 * malicious client sends in one argument or input field. `value: undefined` means "leave the key
 * out". Each is named (`kind`) so a failure report says which value broke what.
 */
export interface Hostile {
  kind: string;
  value: unknown;
}

const h = (kind: string, value: unknown): Hostile => ({ kind, value });

/** Text a person or an attacker may type: sizes, control and odd unicode, injection shapes. */
export const STRING_VALUES: readonly Hostile[] = [
  h('empty string', ''),
  h('whitespace only', ' \t\n '),
  h('10,000 chars', 'x'.repeat(10_000)),
  h('NUL', 'a\u0000b'),
  h('lone surrogate', '\uD800'),
  h('RTL override', '\u202Eevil\u202C'),
  h('emoji', '🛒👩‍👩‍👧‍👦'),
  h('zero-width', 'a\u200B\uFEFFb'),
  h("SQL ' OR 1=1", "' OR 1=1 --"),
  h('SQL drop table', '"; drop table product; --'),
  h('template ${{7*7}}', '${{7*7}}'),
  h('<script>', '<script>alert(1)</script>'),
  h('path traversal', '../../etc/passwd'),
  h('%00', '%00'),
];

/** 32-bit bounds and non-integers: GraphQL's Int is a signed 32-bit integer. */
export const INT_VALUES: readonly Hostile[] = [
  h('Int 2147483648', 2147483648),
  h('Int -2147483649', -2147483649),
  h('Int 2147483647', 2147483647),
  h('Int -2147483648', -2147483648),
  h('Int -1', -1),
  h('Int 0', 0),
  h('Int 1.5', 1.5),
  h('Int 1e308', 1e308),
  h('Int as string "5"', '5'),
];

/** The shop's money scalar: a decimal string; everything a lenient parser might let through. */
export const DECIMAL_VALUES: readonly Hostile[] = [
  h('Decimal "1e308"', '1e308'),
  h('Decimal "NaN"', 'NaN'),
  h('Decimal "Infinity"', 'Infinity'),
  h('Decimal 23 digits', '99999999999999999999999.99'),
  h('Decimal "1e30"', '1000000000000000000000000000000'),
  h('Decimal over int4 cents', '21474836.48'),
  h('Decimal "-0"', '-0'),
  h('Decimal "-1"', '-1'),
  h('Decimal " 5"', ' 5'),
  h('Decimal "0x10"', '0x10'),
  h('Decimal "1.999"', '1.999'),
  h('Decimal ""', ''),
  h('Decimal "abc"', 'abc'),
  h('Decimal number 1e308', 1e308),
  h('Decimal number 5', 5),
];

export const DATETIME_VALUES: readonly Hostile[] = [
  h('DateTime "yesterday"', 'yesterday'),
  h('DateTime month 13', '2024-13-45T25:61:61Z'),
  h('DateTime year 0', '0000-01-01T00:00:00Z'),
  h('DateTime year 99999', '+099999-12-31T23:59:59Z'),
  h('DateTime date only', '2030-01-01'),
  h('DateTime ""', ''),
  h('DateTime number', 0),
];

export const BOOLEAN_VALUES: readonly Hostile[] = [h('Boolean "true"', 'true'), h('Boolean 1', 1)];

/** An id nobody has, of the usual shapes, besides the strings above. */
export const ID_VALUES: readonly Hostile[] = [
  h('random uuid', '6f1c1a55-0b9e-4c43-9e4e-3f3c1f0b7a11'),
  h('random "abc"', 'abc'),
  h('id "-1"', '-1'),
  h('id as number', 5),
];

/** Wrong JSON types, by the shape the slot expects. `baseline` is the slot's valid value. */
function wrongTypes(type: GraphQLInputType, baseline: unknown): Hostile[] {
  const named = getNamedType(type);
  const out: Hostile[] = [];
  if (isNonNullType(type)) out.push(h('null for non-null', null));
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    out.push(
      h('object for list', { a: 1 }),
      h('string for list', 'x'),
      h('list of null', [null]),
      h(
        'list of 200',
        Array.from({ length: 200 }, () => baseline),
      ),
    );
    return out;
  }
  if (isInputObjectType(named)) {
    const base = (baseline ?? {}) as Record<string, unknown>;
    out.push(
      h('list for object', [baseline]),
      h('string for object', 'x'),
      h('number for object', 1),
      h('empty object', {}),
      h('unknown field', { ...base, notAField: 1 }),
    );
    return out;
  }
  out.push(h('object for scalar', { a: 1 }), h('list for scalar', [baseline]));
  if (['Int', 'Float', 'Boolean'].includes(named.name)) out.push(h('string for scalar', 'x'));
  else out.push(h('number for scalar', 12.5), h('boolean for scalar', true));
  return out;
}

/** Values that break the named type's own rules. */
function typeValues(type: GraphQLInputType, realIds: readonly Hostile[]): readonly Hostile[] {
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const first = named.getValues()[0]?.name ?? 'X';
    return [h('enum unknown', 'NOT_A_VALUE'), h('enum lowercase', first.toLowerCase()), h('enum ""', ''), h('enum number', 1)];
  }
  switch (named.name) {
    case 'Int':
      return INT_VALUES;
    case 'Float':
      return [h('Float 1e308', 1e308), h('Float "NaN"', 'NaN'), h('Float -1', -1)];
    case 'Boolean':
      return BOOLEAN_VALUES;
    case 'ID':
      return [...STRING_VALUES, ...ID_VALUES, ...realIds];
    case 'Decimal':
      return DECIMAL_VALUES;
    case 'DateTime':
      return DATETIME_VALUES;
    default:
      // String and any scalar added later: text is what arrives over JSON.
      return STRING_VALUES;
  }
}

/**
 * Everything to try in one slot: wrong JSON types, the type's own hostile values, and, for an
 * input-object field that is required, leaving it out. `realIds` are existing ids of every kind.
 */
export function hostileValues(type: GraphQLInputType, baseline: unknown, options: { realIds: readonly Hostile[]; omittable: boolean }): Hostile[] {
  const inner = isNonNullType(type) ? type.ofType : type;
  const values = [...wrongTypes(type, baseline)];
  if (!isListType(inner) && !isInputObjectType(inner)) values.push(...typeValues(type, options.realIds));
  if (options.omittable && isNonNullType(type)) values.push(h('missing', undefined));
  return values;
}

/** Kinds also sent as inline literals in the document (not only as variables). */
export const INLINE_KINDS: ReadonlySet<string> = new Set([
  'null for non-null',
  'object for scalar',
  'list for object',
  'unknown field',
  'missing',
  'enum unknown',
  'Int 2147483648',
  'Int 1.5',
  'Int 1e308',
  'Int -1',
  'NUL',
  'lone surrogate',
  '10,000 chars',
  "SQL ' OR 1=1",
  'Decimal "NaN"',
  'Decimal 23 digits',
  'Decimal number 1e308',
  'random "abc"',
]);
