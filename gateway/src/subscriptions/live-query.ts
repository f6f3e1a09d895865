import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { cartChangedChannel, orderChangedChannel } from '@shop/platform';

/**
 * A subscription field the gateway serves itself (`@apollo/gateway` cannot execute subscriptions):
 * it listens to the owner's change channel on Redis and answers every change by running the
 * client's selection as a query on `queryField`, which applies the same authorization as a query.
 */
export interface LiveField {
  queryField: string;
  /** The object's type: `__typename` in a result answered from a message. */
  typename: string;
  /** The subscription's id argument and the query field's. */
  argument: { from: string; to: string };
  channel: (id: string) => string;
  /** A field that never decreases from one committed change to the next. */
  versionField: string;
  /** The version a change message carries, if any: an older one needs no fetch. */
  messageVersion?: (message: unknown) => Version | undefined;
  /**
   * For an object that is announced before it exists (an order right after its checkout): when the
   * read answers null, this query (variable `$id`) decides whether the subscriber may wait for it.
   * Non-null data means yes; the first change message then brings the object. `who`: the callers
   * who may wait at all (an order: signed-in callers, and guests holding an order access token).
   */
  pending?: { query: string; who: 'signed-in' | 'signed-in-or-access-token' };
  /**
   * The fields a change message may carry as committed (with the version field): a subscription
   * that selects no more than these, `id` and `__typename` is answered from such a message without
   * a read. Who may see the object cannot change while the connection lives (its token is fixed,
   * and the socket closes when the token expires), and the subscription was checked when it began.
   */
  fromMessage?: { fields: readonly string[]; state: (message: unknown) => Record<string, unknown> | undefined };
}

export type Version = number | string;

export const LIVE_FIELDS: Readonly<Record<string, LiveField>> = {
  cartUpdated: {
    queryField: 'cart',
    typename: 'Cart',
    argument: { from: 'cartId', to: 'id' },
    channel: cartChangedChannel,
    versionField: 'version',
    messageVersion: (message) => {
      const version = (message as { version?: unknown } | null)?.version;
      return typeof version === 'number' ? version : undefined;
    },
  },
  orderUpdated: {
    queryField: 'order',
    typename: 'Order',
    argument: { from: 'orderId', to: 'id' },
    channel: orderChangedChannel,
    // ISO-8601 in UTC: string order is time order.
    versionField: 'updatedAt',
    // The checkout id is the order's id; the order appears once the saga has taken the checkout.
    // Orders are seen by their signed-in buyer, admins and the holder of the order's access token,
    // so those may wait. The check runs with the token, and a request carrying a token sees only the
    // checkout that token opens (or, signed in, its own): a token for another order is refused here.
    pending: { query: 'query LiveOrderPending($id: ID!) { checkout(id: $id) { id } }', who: 'signed-in-or-access-token' },
    // The order's own changes carry the status they committed (OrderChangedMessage); the payment's do not.
    messageVersion: (message) => orderState(message)?.updatedAt,
    fromMessage: { fields: ['status', 'updatedAt'], state: orderState },
  },
};

/** The committed state an order change message carries, when it carries one. */
function orderState(message: unknown): { status: string; updatedAt: string } | undefined {
  const { status, updatedAt } = (message ?? {}) as { status?: unknown; updatedAt?: unknown };
  return typeof status === 'string' && typeof updatedAt === 'string' ? { status, updatedAt } : undefined;
}

/** The alias under which the gateway reads the version; removed before the client sees the data. */
export const VERSION_ALIAS = '_liveVersion';

export interface LivePlan {
  field: LiveField;
  /** Where the object sits in `data` (the client's alias or the field name). */
  responseKey: string;
  /** The object's id, for the change channel. */
  id: string;
  /** The client's subscription as a query: same selection, fragments and variables. */
  query: DocumentNode;
  /** Response key → field, when a change message can answer the selection (LiveField.fromMessage). */
  fromMessage?: Array<[key: string, field: string]>;
}

/** Response key → field when the selection is only fields a message carries (aliases allowed); undefined for anything else: another field, a fragment, a directive or an argument. */
function messageSelection(field: LiveField, root: FieldNode): Array<[string, string]> | undefined {
  if (!field.fromMessage || root.directives?.length) return undefined;
  const answerable = new Set([...field.fromMessage.fields, 'id', '__typename']);
  const picked: Array<[string, string]> = [];
  for (const selection of root.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length || selection.selectionSet || selection.arguments?.length) return undefined;
    if (!answerable.has(selection.name.value)) return undefined;
    picked.push([selection.alias?.value ?? selection.name.value, selection.name.value]);
  }
  return picked.length ? picked : undefined;
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

/**
 * Turns a validated subscription document into the query that answers each event. Only documents
 * whose one root selection is a live field are accepted (clear error otherwise).
 */
export function planLiveQuery(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  fields: Readonly<Record<string, LiveField>> = LIVE_FIELDS,
): LivePlan | GraphQLError {
  const operation = getOperationAST(document, operationName);
  if (!operation)
    return new GraphQLError('Name the operation to run (operationName): the document has several', { extensions: { code: 'BAD_REQUEST' } });
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return new GraphQLError('This WebSocket serves subscriptions only; send queries and mutations as HTTP POST to /graphql', {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  const [root, ...others] = operation.selectionSet.selections;
  if (!root || others.length > 0 || root.kind !== Kind.FIELD || !fields[root.name.value]) {
    return new GraphQLError(`Select exactly one of ${Object.keys(fields).join(', ')} at the root of the subscription, without fragments`, {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  const field = fields[root.name.value]!;
  const argument = root.arguments?.find((a) => a.name.value === field.argument.from);
  const id =
    argument &&
    (argument.value.kind === Kind.VARIABLE ? variables[argument.value.name.value] : 'value' in argument.value ? argument.value.value : undefined);
  if (!argument || typeof id !== 'string' || id.length === 0) {
    return new GraphQLError(`${root.name.value} needs ${field.argument.from}`, {
      path: [root.alias?.value ?? root.name.value],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const versionSelection: FieldNode = { kind: Kind.FIELD, alias: name(VERSION_ALIAS), name: name(field.versionField) };
  const queryArgument: ArgumentNode = { kind: Kind.ARGUMENT, name: name(field.argument.to), value: argument.value };
  const queryRoot: FieldNode = {
    ...root,
    alias: name(root.alias?.value ?? root.name.value),
    name: name(field.queryField),
    arguments: [queryArgument],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [...(root.selectionSet?.selections ?? []), versionSelection] },
  };
  const queryOperation: OperationDefinitionNode = {
    ...operation,
    operation: OperationTypeNode.QUERY,
    selectionSet: { kind: Kind.SELECTION_SET, selections: [queryRoot] },
  };
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return {
    field,
    responseKey: root.alias?.value ?? root.name.value,
    id,
    query: { kind: Kind.DOCUMENT, definitions: [queryOperation, ...fragments] },
    fromMessage: messageSelection(field, root),
  };
}
