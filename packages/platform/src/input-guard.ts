import {
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

type Path = ReadonlyArray<string | number>;

const clientError = (message: string, code: 'BAD_USER_INPUT' | 'BAD_REQUEST', path?: Path) =>
  new GraphQLError(message, { ...(path ? { path } : {}), extensions: { code, http: { status: 400 } } });

/**
 * Text Postgres cannot store and no shopper types: a NUL character, or an unpaired UTF-16
 * surrogate (not Unicode at all; a JSON column refuses it, a text column silently stores U+FFFD).
 * Refused everywhere: one rule for all text.
 */
const hasNul = (text: string) => text.includes('\u0000') || !text.isWellFormed();

function valueHasNul(value: unknown): boolean {
  if (typeof value === 'string') return hasNul(value);
  if (Array.isArray(value)) return value.some(valueHasNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, v]) => hasNul(key) || valueHasNul(v));
  return false;
}

function literalHasNul(node: ValueNode): boolean {
  if (node.kind === Kind.STRING) return hasNul(node.value);
  if (node.kind === Kind.LIST) return node.values.some(literalHasNul);
  if (node.kind === Kind.OBJECT) return node.fields.some((field) => literalHasNul(field.value));
  return false;
}

function variablesIn(node: ValueNode, into: Set<string>): void {
  if (node.kind === Kind.VARIABLE) into.add(node.name.value);
  else if (node.kind === Kind.LIST) node.values.forEach((v) => variablesIn(v, into));
  else if (node.kind === Kind.OBJECT) node.fields.forEach((f) => variablesIn(f.value, into));
}

interface FieldArguments {
  /** Response path of the first field that uses each variable. */
  variablePaths: Map<string, Path>;
  /** Response path of the first field with a NUL in a literal argument. */
  nulLiteralPath: Path | undefined;
}

/** Walks the operation's fields (fragments included) once, noting where arguments come from. */
function fieldArguments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FieldArguments {
  const result: FieldArguments = { variablePaths: new Map(), nulLiteralPath: undefined };
  const walk = (selectionSet: SelectionSetNode | undefined, path: Path, seen: ReadonlySet<string>) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const fieldPath = [...path, (selection.alias ?? selection.name).value];
        const used = new Set<string>();
        for (const argument of selection.arguments ?? []) {
          variablesIn(argument.value, used);
          if (!result.nulLiteralPath && literalHasNul(argument.value)) result.nulLiteralPath = fieldPath;
        }
        for (const name of used) if (!result.variablePaths.has(name)) result.variablePaths.set(name, fieldPath);
        walk(selection.selectionSet, fieldPath, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path, seen);
      } else if (!seen.has(selection.name.value)) {
        walk(fragments.get(selection.name.value)?.selectionSet, path, new Set([...seen, selection.name.value]));
      }
    }
  };
  walk(operation.selectionSet, [], new Set());
  return result;
}

function operationProblem(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const count = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  if (operationName)
    return clientError(`Unknown operation named "${operationName}"; operationName must name an operation of the document`, 'BAD_REQUEST');
  if (count > 1) return clientError('The document has several operations: say which one to run with operationName', 'BAD_REQUEST');
  return clientError('The document has no operation to run', 'BAD_REQUEST');
}

/**
 * Client mistakes in a request that graphql would otherwise turn into a server error further on:
 * no such operation, variables that do not fit their types (out-of-range Int, unknown input field,
 * a malformed Decimal…), and NUL characters or unpaired surrogates in any text. Each is a 400 with a 4xx code, and a
 * `path` naming the field that uses the bad value. Empty: the request may run.
 */
export function inputProblems(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): GraphQLError[] {
  if (!operation) return [operationProblem(document, operationName)];
  // The walk over the operation's fields runs only when there is something to report or look for.
  let walked: FieldArguments | undefined;
  const args = () =>
    (walked ??= fieldArguments(
      operation,
      new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))),
    ));
  const pathOf = (variable: string) => args().variablePaths.get(variable);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 20 });
  if (coerced.errors) {
    return coerced.errors.map((error) => {
      const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1];
      return clientError(error.message, 'BAD_USER_INPUT', variable ? pathOf(variable) : undefined);
    });
  }
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (valueHasNul(value))
      return [
        clientError(
          `Variable "$${name}" holds a NUL character or an unpaired surrogate, which text input may not contain`,
          'BAD_USER_INPUT',
          pathOf(name),
        ),
      ];
  }
  // An inline string can only hold such text if the source does (raw, or as a \\u escape).
  const source = document.loc?.source.body;
  if (source !== undefined && !source.includes('\\u') && !hasNul(source)) return [];
  const literal = args().nulLiteralPath;
  return literal ? [clientError('Text input may not contain a NUL character or an unpaired surrogate', 'BAD_USER_INPUT', literal)] : [];
}

/**
 * Runs `inputProblems` once the operation is known, before any resolver or subgraph call: the
 * first problem is the answer (HTTP 400).
 */
export function inputGuardPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          const [problem] = inputProblems(schema, document, operation, request.operationName, request.variables);
          if (problem) throw problem;
        },
      };
    },
  };
}
