import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { apiSchemaFromSupergraph } from '../../../scripts/schema/check.ts';
import { repoRoot } from '../../../scripts/schema/subgraphs.ts';
import { costVariables, estimatedPageSize, limitValidationRules, queryCost, queryLimitsPlugin, type QueryLimits } from './query-limits.ts';

const limits: QueryLimits = { maxDepth: 12, maxAliases: 15, maxTokens: 3000, maxCost: 20_000, defaultListSize: 20 };
const schema = apiSchemaFromSupergraph(readFileSync(join(repoRoot, 'schema/supergraph.graphql'), 'utf8'));
const opsDir = join(repoRoot, 'schema/operations');
const operations = parse(
  readdirSync(opsDir)
    .map((f) => readFileSync(join(opsDir, f), 'utf8'))
    .join('\n'),
);

/** A value of the given input type with every required field filled (costs do not depend on values but `first`). */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sample(f.type)]),
    );
  }
  return named.name === 'Int' ? 1 : named.name === 'Boolean' ? true : 'x';
}

const variablesOf = (op: OperationDefinitionNode) =>
  Object.fromEntries(
    (op.variableDefinitions ?? []).map((v) => [v.variable.name.value, sample(typeFromAST(schema, v.type as never) as GraphQLInputType)]),
  );

const DEEP =
  '{ categories { products { edges { node { category { products { edges { node { category { products { edges { node { id } } } } } } } } } } } } }';
const ALIASES = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: categories { id }`).join(' ')} }`;

/** The plugin's check of one request, as Apollo runs it once the operation is known. */
async function didResolve(
  plugin: ReturnType<typeof queryLimitsPlugin>,
  document: DocumentNode,
  request: { variables?: Record<string, unknown> } = {},
  contextValue: Record<string, unknown> = {},
) {
  const operation = document.definitions[0] as OperationDefinitionNode;
  return (await plugin.requestDidStart!({} as never))!.didResolveOperation!({ document, operation, schema, request, contextValue } as never);
}

describe('query limits', () => {
  it("let every client operation in schema/operations through (the defaults fit the apps' real queries)", () => {
    expect(validate(schema, operations, limitValidationRules(limits))).toEqual([]);
    for (const op of operations.definitions) {
      if (op.kind !== 'OperationDefinition') continue;
      const cost = queryCost(schema, operations, variablesOf(op), limits, op.name!.value);
      expect(cost, op.name!.value).toBeLessThanOrEqual(limits.maxCost);
    }
  });

  it('refuse a query that is too deep or uses too many aliases as QUERY_LIMIT_EXCEEDED, naming the limit', () => {
    expect(validate(schema, parse(DEEP), limitValidationRules(limits)).map((e) => ({ message: e.message, extensions: e.extensions }))).toEqual([
      {
        message: 'Query depth limit of 12 exceeded, found 13.',
        extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxDepth', http: { status: 400 } },
      },
    ]);
    expect(validate(schema, parse(ALIASES), limitValidationRules(limits)).map((e) => ({ message: e.message, extensions: e.extensions }))).toEqual([
      {
        message: 'Aliases limit of 15 exceeded, found 16.',
        extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxAliases', http: { status: 400 } },
      },
    ]);
  });

  it('refuse them over HTTP once the operation is known (Apollo would answer a validation rule as GRAPHQL_VALIDATION_FAILED)', async () => {
    const check = (query: string) => didResolve(queryLimitsPlugin(limits), parse(query));
    await expect(check(DEEP)).rejects.toMatchObject({
      message: expect.stringMatching(/depth limit of 12/),
      extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxDepth', http: { status: 400 } },
    });
    await expect(check(ALIASES)).rejects.toMatchObject({ extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit: 'maxAliases' } });
    await expect(check('{ categories { products(first: 1) { edges { node { id } } } } }')).resolves.toBeUndefined();
  });

  it('multiply list costs by first (or the default size)', () => {
    const small = queryCost(schema, parse('{ products(first: 10) { edges { node { id name } } } }'), {}, limits);
    const large = queryCost(schema, parse('{ products(first: 100) { edges { node { id name } } } }'), {}, limits);
    const nested = queryCost(
      schema,
      parse('{ products(first: 100) { edges { node { category { products(first: 100) { edges { node { id name } } } } } } } }'),
      {},
      limits,
    );
    expect(large).toBeGreaterThan(small * 5);
    expect(nested).toBeGreaterThan(limits.maxCost);
    expect(queryCost(schema, parse('query ($n: Int) { products(first: $n) { edges { node { id } } } }'), { n: 5 }, limits)).toBeLessThan(small);
  });

  it('clamp every size argument: a negative first cannot cancel the rest, over 100 counts as 100', () => {
    const attack = parse(
      '{ products(first: -10000000) { totalCount } categories { products(first: 100) { edges { node { name description category { products(first: 100) { edges { node { name description } } } } } } } } }',
    );
    expect(queryCost(schema, attack, {}, limits)).toBeGreaterThan(limits.maxCost);
    const viaVariable = parse('query ($n: Int) { products(first: $n) { edges { node { id } } } }');
    expect(queryCost(schema, viaVariable, { n: -5 }, limits)).toBe(queryCost(schema, viaVariable, {}, limits));
    expect(queryCost(schema, viaVariable, { n: 1_000_000 }, limits)).toBe(queryCost(schema, viaVariable, { n: 100 }, limits));
    expect(estimatedPageSize(-1, 20)).toBe(20);
    expect(estimatedPageSize(null, 20)).toBe(20);
    expect(estimatedPageSize(1.5, 20)).toBe(20);
    expect(estimatedPageSize(100_000, 20)).toBe(100);
    expect(estimatedPageSize(7, 20)).toBe(7);
  });

  it('count __typename aliases against the alias limit', () => {
    const aliases = parse(`{ ${Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ')} }`);
    expect(validate(schema, aliases, limitValidationRules(limits))).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/aliases limit of 15/i),
        extensions: expect.objectContaining({ limit: 'maxAliases' }),
      }),
    ]);
  });

  it("check a subscription's cost on its first read, not on its repeat reads (same document and variables)", async () => {
    const document = parse('query ($n: Int) { products(first: $n) { edges { node { id name } } } }');
    const costLimit = { ...limits, maxCost: 10 };
    const read = (contextValue: Record<string, unknown>) =>
      didResolve(queryLimitsPlugin(costLimit), document, { variables: { n: 100 } }, contextValue);
    await expect(read({})).rejects.toThrow(/exceeds the limit of 10/);
    await expect(read({ liveRead: true })).rejects.toThrow(/exceeds the limit of 10/);
    await expect(read({ liveRead: true, liveRepeat: true })).resolves.toBeUndefined();
  });

  it('know which variables a cost depends on: those of a first argument or an @include / @skip condition', () => {
    const document = parse(`
      query ($n: Int, $q: String, $m: Int, $show: Boolean!, $hide: Boolean!) {
        products(first: $n, query: $q) { edges { node { id name @skip(if: $hide) } } }
        categories @include(if: $show) { products(first: $m) { edges { node { id } } } }
      }`);
    expect(costVariables(document)).toEqual(['hide', 'm', 'n', 'show']);
    expect(costVariables(parse('query ($q: String) { products(first: 5, query: $q) { edges { node { id } } } }'))).toEqual([]);
  });

  it('estimate one document again for other sizes, and tell an omitted size (its default) from a null one', async () => {
    const document = parse('query ($n: Int = 100) { products(first: $n) { edges { node { id name } } } }');
    const at = (variables: Record<string, unknown>) => queryCost(schema, document, variables, limits);
    // Between the default list size's cost and the declared default's: 20 items pass, 100 do not.
    const costLimit = { ...limits, maxCost: Math.floor((at({ n: 20 }) + at({ n: 100 })) / 2) };
    // One plugin, one document object, as Apollo hands a cached document back.
    const plugin = queryLimitsPlugin(costLimit);
    const request = (variables: Record<string, unknown>) => didResolve(plugin, document, { variables });
    await expect(request({ n: 5 })).resolves.toBeUndefined();
    await expect(request({ n: 100 })).rejects.toThrow(/exceeds the limit/);
    await expect(request({ n: 5 })).resolves.toBeUndefined();
    await expect(request({})).rejects.toThrow(/exceeds the limit/); // omitted: the default, 100
    await expect(request({ n: null })).resolves.toBeUndefined(); // null: the default list size
    await expect(request({})).rejects.toThrow(/exceeds the limit/);
  });
});
