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

const queryId = { queryId: 'shop-sql' };

/**
 * One statement with `$1, $2…` placeholders and its values sent apart, on the EntityManager's
 * connection (its transaction's, inside one). MikroORM's `execute` writes the values into the text,
 * so Postgres parses and plans every call anew; this text is the same every time, so the connection
 * prepares it once (prepared-statements.ts) — for the hot paths (saga steps, inbox, outbox, cart).
 * Values go as node-postgres sends them: arrays as Postgres arrays, objects as JSON, Dates as
 * timestamps with their offset.
 */
export async function sql<R = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
  const executor = (em.getKysely() as unknown as { getExecutor(): Executor }).getExecutor();
  const result = await executor.provideConnection((connection) => connection.executeQuery({ sql: text, parameters: params, queryId }));
  return { rows: result.rows as R[], affected: Number(result.numAffectedRows ?? 0) };
}
