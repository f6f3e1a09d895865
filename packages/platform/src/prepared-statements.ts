import type { Pool, PoolClient } from 'pg';

/**
 * Named (prepared) statements for every parameterized query, per connection, as postgres.js does
 * by default. Without a name every execution is parsed and planned again: planning was half of
 * Postgres's time per checkout (pg_stat_statements, total_plan_time). Postgres keeps a prepared
 * statement's plan on its connection and, after five executions, a generic plan that needs no
 * planning at all when it is as cheap as the custom ones (plan_cache_mode = auto).
 *
 * Bounded: at most MAX_STATEMENTS distinct texts get a name (queries built with a varying number of
 * placeholders are distinct texts); the rest run unnamed as before. Not for a pooler in transaction
 * mode (pgBouncer < 1.21), where a connection's prepared statements are not its own.
 */
const MAX_STATEMENTS = 2_000;
const names = new Map<string, string>();

/** The statement's name, or undefined when it should run unnamed. */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_STATEMENTS) {
    name = `s${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Gives every parameterized text query of `client` its statement name. */
export function prepareStatementsOf(client: PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (config, values, callback) => {
    // Only `query(text, [values…])`: config objects (cursors, named statements) and parameterless
    // texts (begin, commit, set) go through untouched.
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(config);
      if (name) return query({ name, text: config }, values, callback);
    }
    return query(config, values, callback);
  };
}

/** For MikroORM's `driverOptions.onPoolCreated`: every connection the pool opens prepares its statements. */
export function preparePoolStatements(pool: Pool): void {
  pool.on('connect', prepareStatementsOf);
}
