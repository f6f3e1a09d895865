import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { apiSchemaFromSupergraph } from '../../../scripts/schema/check.ts';
import { repoRoot } from '../../../scripts/schema/subgraphs.ts';
import { limitValidationRules } from '../limits/query-limits.ts';
import { subscriptionDocuments } from './ws-documents.ts';
import { DEEP_SUBSCRIPTION } from '../../../test/support/deep-subscription.ts';

const schema = apiSchemaFromSupergraph(readFileSync(join(repoRoot, 'schema/supergraph.graphql'), 'utf8'));
const limits = { maxDepth: 12, maxAliases: 15, maxTokens: 3000, maxCost: 20_000, defaultListSize: 20 };
const documents = (production = false) =>
  subscriptionDocuments({ schema: () => schema, validationRules: limitValidationRules(limits), maxTokens: limits.maxTokens, production });

const DEEP = DEEP_SUBSCRIPTION;
const ALIASES = `subscription { cartUpdated(cartId: "x") { ${Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ')} } }`;

/** What graphql-ws puts on the wire for an onSubscribe refusal (it sends each error's toJSON()). */
function refusal(query: string | undefined, production = false) {
  const outcome = documents(production)(query, undefined);
  expect(Array.isArray(outcome), 'refused').toBe(true);
  return (outcome as GraphQLError[]).map((error) => JSON.parse(JSON.stringify(error.toJSON())) as Record<string, unknown>);
}

describe('subscription documents', () => {
  it.each([
    ['no document (an empty query)', undefined, 'BAD_REQUEST', undefined],
    ['a syntax error', 'subscription { cartUpdated(cartId: "x") { id }', 'GRAPHQL_PARSE_FAILED', /Syntax Error/],
    [
      'a document over the token limit',
      `subscription { cartUpdated(cartId: "x") { ${'id '.repeat(3100)}} }`,
      'GRAPHQL_PARSE_FAILED',
      /more th\w+ 3000 tokens/,
    ],
    ['an inline literal of the wrong type', 'subscription { cartUpdated(cartId: true) { id } }', 'GRAPHQL_VALIDATION_FAILED', /ID cannot represent/],
    ['an unknown field', 'subscription { cartUpdated(cartId: "x") { nope } }', 'GRAPHQL_VALIDATION_FAILED', /nope/],
  ])('refuses %s with %s, as HTTP does', (_case, query, code, message) => {
    const [error, ...others] = refusal(query);
    expect(others).toEqual([]);
    expect(error!.extensions).toEqual({ code });
    if (message) expect(error!.message).toMatch(message);
  });

  it('refuses a document over the depth or alias limit with QUERY_LIMIT_EXCEEDED naming the limit', () => {
    expect(refusal(DEEP)).toEqual([
      { message: expect.stringMatching(/^Query depth limit of 12 exceeded/), extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxDepth' } },
    ]);
    expect(refusal(ALIASES)).toEqual([
      { message: expect.stringMatching(/^Aliases limit of 15 exceeded/), extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxAliases' } },
    ]);
  });

  it('keeps where a mistake is, and hides schema hints in production only', () => {
    const [syntax] = refusal('subscription { cartUpdated(cartId: "x") { id }');
    expect(syntax!.locations).toEqual([{ line: 1, column: 47 }]);
    const typo = 'subscription { cartUpdated(cartId: "x") { idd } }';
    expect(refusal(typo)[0]).toMatchObject({ message: expect.stringMatching(/Did you mean/), locations: [{ line: 1, column: 43 }] });
    const [hidden] = refusal(typo, true);
    expect(hidden!.message).not.toMatch(/Did you mean/);
    expect(hidden!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('accepts a valid subscription and answers the same document object for the same text', () => {
    const check = documents();
    const query = 'subscription ($id: ID!) { cartUpdated(cartId: $id) { id } }';
    const first = check(query, undefined);
    expect(Array.isArray(first)).toBe(false);
    expect(check(query, undefined)).toBe(first);
  });
});
