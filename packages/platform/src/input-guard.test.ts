import { describe, expect, it } from 'vitest';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { inputProblems } from './input-guard.ts';

const schema = buildSchema(`
  input Filter { search: String, tags: [String!] }
  type Item { id: ID!, children(first: Int): [Item!]! }
  type Query { items(first: Int, filter: Filter): [Item!]!, item(id: ID!): Item }
`);

function problems(query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  const document = parse(query);
  return inputProblems(schema, document, getOperationAST(document, operationName) ?? undefined, operationName, variables).map((e) => ({
    code: e.extensions.code,
    path: e.path,
    message: e.message,
  }));
}

describe('inputProblems', () => {
  it('lets a well-formed request through', () => {
    expect(problems('query ($n: Int) { items(first: $n) { id } }', { n: 5 })).toEqual([]);
  });

  it('names the field that uses a variable that does not coerce (aliases and fragments followed)', () => {
    const query = 'query ($n: Int) { a: item(id: "1") { ...F } } fragment F on Item { kids: children(first: $n) { id } }';
    expect(problems(query, { n: 2 ** 31 })).toEqual([{ code: 'BAD_USER_INPUT', path: ['a', 'kids'], message: expect.stringContaining('$n') }]);
    expect(problems('query ($f: Filter) { items(filter: $f) { id } }', { f: { colour: 'red' } })[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['items'],
    });
  });

  it('refuses a NUL anywhere in text: nested variables, list items, object keys and literals', () => {
    expect(problems('query ($f: Filter) { items(filter: $f) { id } }', { f: { tags: ['ok', 'a\u0000'] } })[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['items'],
    });
    expect(problems('{ items(filter: { search: "x\\u0000" }) { id } }')[0]).toMatchObject({ code: 'BAD_USER_INPUT', path: ['items'] });
  });

  it('explains a missing or ambiguous operation as BAD_REQUEST', () => {
    expect(problems('query A { items { id } } query B { items { id } }')[0]).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/operationName/),
    });
    expect(problems('query A { items { id } }', {}, 'Nope')[0]).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/Nope/) });
  });
});

describe('inputProblems: text that is not Unicode', () => {
  it('refuses an unpaired surrogate like a NUL, and lets paired ones (emoji) through', () => {
    expect(problems('query ($f: Filter) { items(filter: $f) { id } }', { f: { search: '\uD800' } })[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['items'],
    });
    expect(problems('query ($f: Filter) { items(filter: $f) { id } }', { f: { search: 'shoes 👟 עברית' } })).toEqual([]);
  });
});
