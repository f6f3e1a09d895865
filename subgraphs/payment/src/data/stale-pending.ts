import type { EntityManager } from '@mikro-orm/postgresql';

/** Ids of `table`'s PENDING rows untouched for `olderThanMs`, oldest first, read afresh. */
export async function stalePendingIds(em: EntityManager, table: 'payment' | 'refund', olderThanMs: number, limit: number): Promise<string[]> {
  // Measured on the database's clock, the one that wrote updated_at. `table` is one of two literals.
  const rows = await em.execute<Array<{ id: string }>>(
    `select id from ${table} where status = 'PENDING' and updated_at < now() - make_interval(secs => ?) order by updated_at limit ?`,
    [olderThanMs / 1000, limit],
  );
  return rows.map((row) => row.id);
}
