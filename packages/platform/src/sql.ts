import { ReferenceKind, type EntityDictionary, type EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface SqlResult<R> {
  rows: R[];
  /** Rows an insert, update or delete touched (0 for a select). */
  affected: number;
}

/** The part of Kysely's executor this needs: the connection the EntityManager works on. */
interface Connection {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; queryId: { queryId: string } }): Promise<{
    rows: unknown[];
    numAffectedRows?: bigint;
  }>;
}
interface Executor {
  provideConnection<T>(consumer: (connection: Connection) => Promise<T>): Promise<T>;
}

/** MikroORM's `Connection.executeQuery`: times the call and logs the statement like its own. */
interface LoggingConnection {
  executeQuery<T>(query: string, run: () => Promise<T>): Promise<T>;
}

const queryId = { queryId: 'shop-sql' };

/**
 * One statement with `$1, $2…` placeholders and its values sent apart, on the EntityManager's
 * connection (its transaction's, inside one). MikroORM's `execute` writes the values into the text,
 * so Postgres parses and plans every call anew; this text is the same every time, so the connection
 * prepares it once (prepared-statements.ts) — for the hot paths (saga steps, inbox, outbox, cart).
 * Values go as node-postgres sends them: arrays as Postgres arrays, objects as JSON, Dates as
 * timestamps with their offset. The statement runs on its generic plan (orm.ts), so it is for
 * statements whose best plan does not depend on the values — lookups and writes by key — not for
 * searches over skewed data.
 */
export async function sql<R = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
  const executor = (em.getKysely() as unknown as { getExecutor(): Executor }).getExecutor();
  // Through MikroORM's connection wrapper only for its query log (debug, slow-query threshold).
  const logged = em.getConnection() as unknown as LoggingConnection;
  const result = await logged.executeQuery(text, () =>
    executor.provideConnection((connection) => connection.executeQuery({ sql: text, parameters: params, queryId })),
  );
  return { rows: result.rows as R[], affected: Number(result.numAffectedRows ?? 0) };
}

/**
 * `select <columns> from <table>` for an entity's reads: its stored scalar properties but the lazy
 * ones, from its metadata (built once per entity).
 */
const selects = new Map<EntityName, string>();
function selectOf(em: EntityManager, entity: EntityName): string {
  let select = selects.get(entity);
  if (!select) {
    const meta = em.getMetadata(entity);
    const props = meta.props.filter((p) => p.kind === ReferenceKind.SCALAR && !p.lazy && p.persist !== false && !p.formula);
    select = `select ${props.flatMap((p) => p.fieldNames).join(', ')} from ${meta.tableName}`;
    selects.set(entity, select);
  }
  return select;
}

/**
 * Entities read through sql() (`where`: the condition, with `$1…` placeholders) and made entities
 * with `em.map`: the same entity and identity-map rules as `em.find` (`fresh`: past the identity
 * map), without its query building — for the hot reads by key (an order's live status, a capture's
 * payment). The columns are the entity's own, so a new property is read without touching callers.
 */
export async function selectEntities<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: string,
  params: readonly unknown[],
  { fresh = false } = {},
): Promise<T[]> {
  const { rows } = await sql<EntityDictionary<T>>(em, `${selectOf(em, entity)} where ${where}`, params);
  return rows.map((row) => em.map(entity, row, { disableIdentityMap: fresh }));
}
