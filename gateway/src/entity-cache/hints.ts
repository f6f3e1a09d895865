import { createHash } from 'node:crypto';
import {
  Kind,
  parse,
  print,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';

/** Apollo's cache hint, as declared with `@cacheControl` in a subgraph's SDL (composed into the supergraph). */
export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
  inheritMaxAge?: boolean;
}

interface TypeHints {
  hint?: CacheHint;
  /** Field name → its own hint and the name of the type it returns. */
  fields: Map<string, { hint?: CacheHint; type: string }>;
}

/** The hints of one subgraph's types, and which of them it resolves by key (its entities). */
export interface SubgraphHints {
  entities: Set<string>;
  types: Map<string, TypeHints>;
  /** Plans of `_entities` fetches by query text, made once (cleared with the hints on a new supergraph). */
  plans: Map<string, EntityFetchPlan | null>;
}

/** What an `_entities` fetch may cache: maxAge per entity type (absent: never cached), and its selection. */
export interface EntityFetchPlan {
  maxAge: Map<string, number>;
  /** The `_entities` selection and the fragments it uses, printed: entries are kept per selection. */
  selection: string;
  selectionHash: string;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

const argument = (directive: ConstDirectiveNode, name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;

function hintOf(directives: readonly ConstDirectiveNode[] | undefined): CacheHint | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive) return undefined;
  const hint: CacheHint = {};
  const maxAge = argument(directive, 'maxAge');
  if (maxAge?.kind === Kind.INT) hint.maxAge = Number(maxAge.value);
  const scope = argument(directive, 'scope');
  if (scope?.kind === Kind.ENUM && (scope.value === 'PUBLIC' || scope.value === 'PRIVATE')) hint.scope = scope.value;
  const inherit = argument(directive, 'inheritMaxAge');
  if (inherit?.kind === Kind.BOOLEAN) hint.inheritMaxAge = inherit.value;
  return hint;
}

/**
 * Reads the `@cacheControl` hints of the types a subgraph serves from the supergraph (the catalog
 * declares them and composes them in with `@composeDirective`), and which types it resolves by key.
 */
export function readCacheHints(supergraphSdl: string, subgraph: string): SubgraphHints {
  const document = parse(supergraphSdl, { noLocation: true });
  let graph: string | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = name && argument(name, 'name');
      if (arg?.kind === Kind.STRING && arg.value === subgraph) graph = value.name.value;
    }
  }
  const hints: SubgraphHints = { entities: new Set(), types: new Map(), plans: new Map() };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const joins = (definition.directives ?? []).filter((d) => d.name.value === 'join__type');
    const resolvableByKey = joins.some((d) => {
      const inGraph = argument(d, 'graph');
      const resolvable = argument(d, 'resolvable');
      return (
        inGraph?.kind === Kind.ENUM && inGraph.value === graph && !!argument(d, 'key') && !(resolvable?.kind === Kind.BOOLEAN && !resolvable.value)
      );
    });
    if (resolvableByKey) hints.entities.add(definition.name.value);
    const fields = new Map((definition.fields ?? []).map((f) => [f.name.value, { hint: hintOf(f.directives), type: namedType(f.type) }]));
    const hint = hintOf(definition.directives);
    hints.types.set(definition.name.value, hint ? { hint, fields } : { fields });
  }
  return hints;
}

type Fragments = Map<string, FragmentDefinitionNode>;

/**
 * The smallest maxAge over a selection, or undefined when anything in it may not be cached: a field
 * the hints do not know, a PRIVATE hint, or a maxAge that is 0 or missing. A field's hint is its own,
 * else the hint of the type it returns, else (leaf fields, and value objects such as Money) its
 * parent's maxAge, as in Apollo's cache control.
 */
function selectionMaxAge(
  selectionSet: SelectionSetNode,
  typeName: string,
  inherited: number | undefined,
  hints: SubgraphHints,
  fragments: Fragments,
): number | undefined {
  let smallest = Infinity;
  const include = (age: number | undefined) => (age === undefined ? false : ((smallest = Math.min(smallest, age)), true));
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__typename') continue;
      if (!include(fieldMaxAge(selection, typeName, inherited, hints, fragments))) return undefined;
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) return undefined;
      const on = fragment.typeCondition?.name.value ?? typeName;
      if (!include(selectionMaxAge(fragment.selectionSet, on, inherited, hints, fragments))) return undefined;
    }
  }
  return smallest === Infinity ? inherited : smallest;
}

function fieldMaxAge(
  field: FieldNode,
  typeName: string,
  inherited: number | undefined,
  hints: SubgraphHints,
  fragments: Fragments,
): number | undefined {
  const info = hints.types.get(typeName)?.fields.get(field.name.value);
  if (!info) return undefined;
  const hint = info.hint ?? hints.types.get(info.type)?.hint;
  if (hint?.scope === 'PRIVATE') return undefined;
  const maxAge = hint?.inheritMaxAge || hint?.maxAge === undefined ? inherited : hint.maxAge;
  if (!maxAge || maxAge <= 0) return undefined;
  return field.selectionSet ? selectionMaxAge(field.selectionSet, info.type, maxAge, hints, fragments) : maxAge;
}

/** The plan for a fetch's query text, or null when it is not a plain `_entities` fetch. Memoized per query text. */
export function entityFetchPlan(hints: SubgraphHints, query: string): EntityFetchPlan | null {
  let plan = hints.plans.get(query);
  if (plan === undefined) {
    plan = makePlan(hints, query);
    // Query texts come from the planner (a bounded set), but a bound keeps a pathological client from growing it.
    if (hints.plans.size > 5000) hints.plans.clear();
    hints.plans.set(query, plan);
  }
  return plan;
}

function makePlan(hints: SubgraphHints, query: string): EntityFetchPlan | null {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations[0];
  if (operations.length !== 1 || operation?.operation !== 'query' || operation.selectionSet.selections.length !== 1) return null;
  const entities = operation.selectionSet.selections[0]!;
  if (entities.kind !== Kind.FIELD || entities.name.value !== '_entities' || entities.alias || !entities.selectionSet) return null;
  const fragments: Fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const maxAge = new Map<string, number>();
  // A type selected twice is cached only when both selections may be.
  const refused = new Set<string>();
  for (const selection of entities.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) continue; // __typename
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
    const typeName = fragment?.typeCondition?.name.value;
    if (!fragment || !typeName) return null;
    const typeHint = hints.types.get(typeName)?.hint;
    const age =
      hints.entities.has(typeName) && typeHint?.scope !== 'PRIVATE'
        ? selectionMaxAge(fragment.selectionSet, typeName, typeHint?.maxAge, hints, fragments)
        : undefined;
    if (age === undefined || age <= 0) refused.add(typeName);
    else maxAge.set(typeName, Math.min(age, maxAge.get(typeName) ?? Infinity));
  }
  for (const typeName of refused) maxAge.delete(typeName);
  const selection = [print(entities.selectionSet), ...[...fragments.values()].map((f) => print(f))].join('\n');
  return { maxAge, selection, selectionHash: createHash('sha256').update(selection).digest('base64url').slice(0, 22) };
}
