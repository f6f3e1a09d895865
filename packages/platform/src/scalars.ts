import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type GraphQLSchema } from 'graphql';

/** ISO-8601 as clients send it: a date, optionally a time and a zone offset, years 0001–9999. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const DATE_TIME_MESSAGE = 'DateTime must be ISO-8601, e.g. "2026-12-31T23:59:59Z", with a year from 0001 to 9999';

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : undefined;
  // Year 0 and years past 9999 parse in JavaScript but not in Postgres.
  if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) throw new GraphQLError(DATE_TIME_MESSAGE);
  return date;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(DATE_TIME_MESSAGE);
    return parseDateTime(ast.value);
  },
});

/**
 * A plain decimal string: optional minus, at most 12 digits before the point and 4 after. No
 * exponents, spaces, hex, NaN or Infinity. Each field's own range (a price column, a percentage)
 * is checked by its domain and answered as a userError.
 */
const DECIMAL = /^-?\d{1,12}(\.\d{1,4})?$/;
const DECIMAL_MESSAGE = 'Decimal must be a string like "19.99" (at most 12 digits before the point and 4 after)';

/** Decimal travels as a string ("19.99") so no client loses precision to floats. */
export const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new GraphQLError(DECIMAL_MESSAGE);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !DECIMAL.test(ast.value)) throw new GraphQLError(DECIMAL_MESSAGE);
    return ast.value;
  },
});

/**
 * The gateway's API schema knows the custom scalars only by name (it accepts any value and passes
 * it on, so a bad Decimal used to fail in a subgraph). This gives them the subgraphs' checks; the
 * value itself still travels unchanged.
 */
export function checkCustomScalars(schema: GraphQLSchema): void {
  for (const own of [Decimal, DateTime]) {
    const type = schema.getType(own.name);
    if (!(type instanceof GraphQLScalarType)) continue;
    type.parseValue = (value) => (own.parseValue(value), value);
    type.parseLiteral = (ast, variables) => (own.parseLiteral(ast, variables), valueFromASTUntyped(ast, variables));
  }
}
