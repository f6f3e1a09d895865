import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { hostileValues, INLINE_KINDS, type Hostile } from './hostile-values.ts';

/**
 * Turns the API schema into hostile requests: for every root field, every argument and every
 * nested input field (list items included), each hostile value in that one slot with a valid
 * baseline everywhere else. A field added to the schema is covered without a test of its own.
 */

export type Operation = 'query' | 'mutation' | 'subscription';
export interface RootField {
  operation: Operation;
  field: GraphQLField<unknown, unknown>;
}

/** Where a value goes: the root field (for arguments) or input type that declares it, and its name. */
export interface Slot {
  owner: string;
  name: string;
  type: GraphQLInputType;
  /** From the argument: ["input", "lines", 0, "quantity"]. */
  path: Array<string | number>;
}

/** A valid value for a leaf slot, or undefined to let the generic one stand. */
export type Baseline = (slot: Slot & { named: GraphQLNamedType }) => unknown;

export interface HostileCase {
  operation: Operation;
  field: string;
  /** "input.lines[0].quantity", or "(baseline)" for the all-valid request. */
  slot: string;
  kind: string;
  query: string;
  variables: Record<string, unknown>;
  /** The document carries the values as literals instead of variables. */
  inline: boolean;
}

/** The schema clients see: the supergraph without its join__/link__ machinery. */
export const apiSchemaOf = (supergraphSdl: string): GraphQLSchema => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

export function rootFields(schema: GraphQLSchema): RootField[] {
  const roots: Array<[Operation, ReturnType<GraphQLSchema['getQueryType']>]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([operation, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ operation, field })));
}

/** Every slot under an argument, depth first: the argument, its input fields, list items. */
export function slotsOf(owner: string, name: string, type: GraphQLInputType, path: Array<string | number> = [name]): Slot[] {
  const slots: Slot[] = [{ owner, name, type, path }];
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [...slots, ...slotsOf(owner, name, inner.ofType, [...path, 0])];
  if (isInputObjectType(inner)) {
    for (const f of Object.values(inner.getFields())) slots.push(...slotsOf(inner.name, f.name, f.type, [...path, f.name]));
  }
  return slots;
}

const FUTURE = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
let sequence = 0;

/** A valid value for any input type: every input field filled (so each is reached), one list item. */
export function baselineOf(slot: Slot, baseline: Baseline): unknown {
  const { type } = slot;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return [baselineOf({ ...slot, type: inner.ofType, path: [...slot.path, 0] }, baseline)];
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter((f) => !f.deprecationReason || isNonNullType(f.type));
    return Object.fromEntries(
      fields.map((f) => [f.name, baselineOf({ owner: inner.name, name: f.name, type: f.type, path: [...slot.path, f.name] }, baseline)]),
    );
  }
  const named = getNamedType(type);
  const chosen = baseline({ ...slot, named });
  if (chosen !== undefined) return chosen;
  if (isEnumType(named)) return named.getValues()[0]!.name;
  const generic: Record<string, unknown> = { Int: 1, Float: 1.5, Boolean: true, Decimal: '5.00', DateTime: FUTURE, ID: crypto.randomUUID() };
  return generic[named.name] ?? `hostile-${++sequence}`;
}

/** A copy of `root` with the value at `path` replaced (undefined: the key removed). */
export function replaceAt(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) }) as Record<string | number, unknown>;
  const next = replaceAt(copy[head!], rest, value);
  if (next === undefined && rest.length === 0 && !Array.isArray(copy)) delete copy[head!];
  else copy[head!] = next;
  return copy;
}

/**
 * A selection of every leaf, objects down to `depth` levels; fields needing arguments are left out.
 * A nested page (a `first` argument) asks for 2 items and a nested list without one is followed
 * one level less deep, so the whole selection stays under the gateway's cost limit as the schema
 * grows (the root field's own arguments are what is tested).
 */
export function selectionOf(type: GraphQLOutputType, depth = 4): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) || depth === 0) return '{ __typename }';
  const parts = Object.values(named.getFields())
    .filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined))
    .map((f) => {
      if (isLeafType(getNamedType(f.type))) return f.name;
      if (depth <= 1) return '';
      const paged = f.args.some((a) => a.name === 'first');
      // A list without `first` counts as 20 items each: go one level less deep under it.
      const unbounded = !paged && isListType(isNonNullType(f.type) ? f.type.ofType : f.type);
      return `${f.name}${paged ? '(first: 2)' : ''} ${selectionOf(f.type, unbounded ? depth - 2 : depth - 1)}`;
    })
    .filter(Boolean);
  return `{ __typename ${parts.join(' ')} }`;
}

/** A value as a GraphQL literal, typed where it fits the type (enum names bare), generic otherwise. */
export function toLiteral(value: unknown, type?: GraphQLInputType): string {
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => toLiteral(v, inner && isListType(inner) ? inner.ofType : undefined)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${k}: ${toLiteral(v, fields[k]?.type)}`).join(', ')} }`;
  }
  if (typeof value === 'string') return inner && isEnumType(inner) && /^[_A-Za-z]\w*$/.test(value) ? value : JSON.stringify(value);
  return String(value);
}

function document(root: RootField, args: GraphQLArgument[], values: Record<string, unknown>, inline: boolean): string {
  const { operation, field } = root;
  const selection = selectionOf(field.type);
  if (inline) {
    const given = args.filter((a) => values[a.name] !== undefined).map((a) => `${a.name}: ${toLiteral(values[a.name], a.type)}`);
    return `${operation} Hostile { ${field.name}${given.length ? `(${given.join(', ')})` : ''} ${selection} }`;
  }
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`);
  const passed = args.map((a) => `${a.name}: $${a.name}`);
  return declared.length
    ? `${operation} Hostile(${declared.join(', ')}) { ${field.name}(${passed.join(', ')}) ${selection} }`
    : `${operation} Hostile { ${field.name} ${selection} }`;
}

const slotLabel = (path: ReadonlyArray<string | number>) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/**
 * The requests for one root field: the all-valid baseline, then each hostile value in each slot.
 * Arguments that may be left out are sent only when the slot is under them, so a case fails for
 * its own value, not because two optional arguments exclude each other.
 */
export function casesFor(root: RootField, baseline: Baseline, realIds: readonly Hostile[]): HostileCase[] {
  const { operation, field } = root;
  const required = (a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined;
  const base: Record<string, unknown> = {};
  for (const a of field.args) base[a.name] = baselineOf({ owner: field.name, name: a.name, type: a.type, path: [a.name] }, baseline);
  const make = (slot: string, kind: string, args: GraphQLArgument[], values: Record<string, unknown>, inline: boolean): HostileCase => ({
    operation,
    field: field.name,
    slot,
    kind,
    query: document(root, args, values, inline),
    variables: inline ? {} : Object.fromEntries(args.map((a) => [a.name, values[a.name]])),
    inline,
  });
  const requiredArgs = field.args.filter(required);
  const cases = [make('(baseline)', 'valid', requiredArgs, base, false)];
  for (const arg of field.args) {
    const args = required(arg) ? requiredArgs : [...requiredArgs, arg];
    for (const slot of slotsOf(field.name, arg.name, arg.type)) {
      const valid = baselineOf(slot, baseline);
      const omittable = typeof slot.path.at(-1) === 'string';
      for (const hostile of hostileValues(slot.type, valid, { realIds, omittable })) {
        const values = replaceAt(base, slot.path, hostile.value) as Record<string, unknown>;
        cases.push(make(slotLabel(slot.path), hostile.kind, args, values, false));
        if (INLINE_KINDS.has(hostile.kind)) cases.push(make(slotLabel(slot.path), hostile.kind, args, values, true));
      }
    }
  }
  return cases;
}
