import type { EntityManager } from '@mikro-orm/postgresql';

/** Remember a customer's default address unless a newer one is known; true when this one is now the newest. */
export async function recordDefaultAddress(tx: EntityManager, customerId: string, address: object | null, changedAt: Date): Promise<boolean> {
  // Raw: a conditional upsert, so the newest message wins whatever order they arrive in.
  const written = await tx.execute<{ affectedRows: number }>(
    `insert into customer_default_address (customer_id, address, changed_at) values (?, ?, ?)
     on conflict (customer_id) do update set address = excluded.address, changed_at = excluded.changed_at
      where customer_default_address.changed_at < excluded.changed_at`,
    [customerId, address === null ? null : JSON.stringify(address), changedAt],
    'run',
  );
  return written.affectedRows > 0;
}
