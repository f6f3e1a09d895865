/**
 * The one shape of id the services store as Postgres `uuid`: 8-4-4-4-12 hex digits, any version.
 * Anything else (from a client or another subgraph) is "no such thing", never sent to the
 * database, where the cast would fail the whole statement — and every other key of its batch.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

/**
 * A Postgres uuid[] literal for `?::uuid[]` (a bound JS array would be spread into a list). Ids that
 * are not UUIDs are left out, so one bad id cannot fail the statement.
 */
export const uuidArray = (ids: readonly string[]): string => `{${ids.filter(isUuid).join(',')}}`;

/** A Postgres int[] literal of whole numbers (to inline as one value, like uuidArray). */
export const intArray = (values: readonly number[]): string => `{${values.map((v) => Math.trunc(v)).join(',')}}`;
