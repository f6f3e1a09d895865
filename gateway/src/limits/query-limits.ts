import { GraphQLError, validate, visit, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  /** Size assumed for a list field called without `first`. */
  defaultListSize: number;
}

const tooLarge = (message: string, limit: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_LIMIT_EXCEEDED', limit, http: { status: 400 } } });

/** Plain lists without paging (a product's images, a cart's codes) are short by design. */
const PLAIN_LIST_SIZE = 5;
/** The contract's largest page: a subgraph never returns more, so the estimate never assumes more. */
export const MAX_PAGE_SIZE = 100;

/**
 * The page size the estimate assumes: a missing, null, negative or fractional `first` counts as the
 * default (a negative value must never cancel out the rest of the query), and over the cap as the cap.
 */
export function estimatedPageSize(first: unknown, defaultListSize: number): number {
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0) return defaultListSize;
  return Math.min(first, MAX_PAGE_SIZE);
}

/**
 * Lists multiply: a paged field costs `first` (or `defaultListSize` when not given) times its
 * selection; a plain list counts as a few items. Everything else costs 1 plus its children.
 */
export function listCostEstimator(defaultListSize: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    const paged = field.args.some((a) => a.name === 'first');
    const plainList = String(field.type).replace(/!$/, '').startsWith('[');
    if (!paged && !plainList) return undefined;
    const size = paged ? estimatedPageSize(args.first, defaultListSize) : PLAIN_LIST_SIZE;
    return 1 + size * Math.max(childComplexity, 1);
  };
}

export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: QueryLimits,
  operationName?: string,
): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [listCostEstimator(limits.defaultListSize), simpleEstimator({ defaultComplexity: 1 })],
  });
}

/**
 * The variables a document's cost depends on: those in a `first` argument or in an @include /
 * @skip condition. No other value changes what the estimate counts (listCostEstimator).
 */
export function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: Parameters<typeof visit>[0]) => visit(node, { Variable: (v) => void names.add(v.name.value) });
  visit(document, {
    Argument(node, _key, _parent, _path, ancestors) {
      // The node holding the argument list (the list itself is the parent).
      const owner = ancestors.at(-1) as { kind?: string; name?: { value: string } } | undefined;
      const sizes = owner?.kind === 'Field' && node.name.value === 'first';
      const condition = owner?.kind === 'Directive' && (owner.name?.value === 'include' || owner.name?.value === 'skip');
      if (sizes || condition) collect(node.value);
    },
  });
  return [...names].sort();
}

/**
 * Depth and alias limits as validation rules, their errors QUERY_LIMIT_EXCEEDED naming the limit
 * (the WebSocket validates with them). Not given to Apollo: it answers every validation error as
 * GRAPHQL_VALIDATION_FAILED, so over HTTP `queryLimitsPlugin` runs them instead.
 */
export function limitValidationRules(limits: QueryLimits): ValidationRule[] {
  // Reported (not thrown out of validate()), without the rules' misleading "Syntax Error: " prefix.
  const reportAs = (limit: string) => ({
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => context?.reportError(tooLarge(error.message.replace(/^Syntax Error: /, ''), limit)),
    ],
  });
  return [
    maxDepthRule({ n: limits.maxDepth, exposeLimits: true, flattenFragments: true, ...reportAs('maxDepth') }) as unknown as ValidationRule,
    // allowList: [] — `__typename` aliases count too (the library lets them through by default).
    maxAliasesRule({ n: limits.maxAliases, exposeLimits: true, allowList: [], ...reportAs('maxAliases') }) as unknown as ValidationRule,
  ];
}

/**
 * What the limits know of a parsed document, worked out once: Apollo hands a cached document back
 * as the same object (a new schema comes with new ones), and the same storefront queries come again
 * and again (the cost estimate walks the whole document with the schema: 4.5 % of the gateway's CPU
 * on the checkout benchmark).
 */
interface DocumentLimits {
  /** The first depth or alias error, or null. */
  shape: GraphQLError | null;
  /** The estimate for these variables; throws what queryCost throws (variables that do not coerce). */
  cost(variables: Record<string, unknown>, operationName: string | undefined): number;
}

/** Cost estimates kept per document: a client paging through many sizes does not grow it without end. */
const MAX_COSTS_PER_DOCUMENT = 64;

function documentLimits(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits, rules: ValidationRule[]): DocumentLimits {
  const names = costVariables(document);
  const costs = new Map<string, number>();
  return {
    shape: validate(schema, document, rules)[0] ?? null,
    cost(variables, operationName) {
      // Kept by operation and the values of the cost variables; an omitted one (its default applies) is not a null one.
      const key = JSON.stringify([operationName ?? null, ...names.map((name) => (name in variables ? variables[name] : { omitted: true }))]);
      let cost = costs.get(key);
      if (cost === undefined) {
        cost = queryCost(schema, document, variables, limits, operationName);
        if (costs.size >= MAX_COSTS_PER_DOCUMENT) costs.clear();
        costs.set(key, cost);
      }
      return cost;
    },
  };
}

/**
 * Depth, aliases and the cost estimate, once the operation is known and before the query plan
 * runs. Over a limit: HTTP 400, QUERY_LIMIT_EXCEEDED naming it. (The token limit is graphql's own
 * parser option, set in index.ts: a GRAPHQL_PARSE_FAILED.)
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin<BaseContext> {
  const rules = limitValidationRules(limits);
  const documents = new WeakMap<DocumentNode, DocumentLimits>();
  const limitsOf = (schema: GraphQLSchema, document: DocumentNode): DocumentLimits => {
    let known = documents.get(document);
    if (!known) documents.set(document, (known = documentLimits(schema, document, limits, rules)));
    return known;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, schema, operation, contextValue }) {
          // No operation: the input guard refuses the request (400) with a clear message.
          if (!operation) return;
          // A subscription's repeat read: same document and variables as its first read, which passed.
          if ((contextValue as { liveRepeat?: boolean }).liveRepeat) return;
          const known = limitsOf(schema, document);
          if (known.shape) throw known.shape;
          let cost: number;
          try {
            cost = known.cost(request.variables ?? {}, request.operationName ?? undefined);
          } catch (error) {
            // Variables that do not coerce (the input guard names them too): refused, never unestimated.
            throw new GraphQLError((error as Error).message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (cost > limits.maxCost) {
            throw tooLarge(`Query cost ${cost} exceeds the limit of ${limits.maxCost} (GATEWAY_MAX_COST); ask for fewer items with first`, 'maxCost');
          }
        },
      };
    },
  };
}
