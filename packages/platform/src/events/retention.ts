import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.ts';
import { startPeriodic } from '../periodic.ts';
import { STREAM_MAX_AGE_MS } from './streams.ts';

/** Rows one delete removes: short statements, so a purge never holds many row locks at once. */
const PURGE_BATCH = 1000;
/** Batches one purge run deletes at most (a backlog goes over the next runs). */
const MAX_BATCHES = 200;

/**
 * An inbox row is kept a day longer than the streams keep a message (STREAM_MAX_AGE_MS): a message
 * the stream no longer holds can never be delivered again, so its row guards nothing.
 */
export const INBOX_RETENTION_MS = STREAM_MAX_AGE_MS + 24 * 3_600_000;

/**
 * Deletes `table`'s rows whose `column` is older than `retentionMs`, batch after batch until a batch
 * finds fewer than a full one: a purge keeps up with any write rate, not just a batch per run.
 * Returns the rows deleted.
 */
async function purgeOlder(em: EntityManager, table: string, key: string, column: string, retentionMs: number): Promise<number> {
  // `key`: the primary key's columns, e.g. `consumer, message_id`.
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const { affectedRows } = await em
      .fork()
      .execute<{ affectedRows: number }>(
        `delete from ${table} where (${key}) in (select ${key} from ${table} where ${column} < now() - make_interval(secs => ?) limit ${PURGE_BATCH})`,
        [retentionMs / 1000],
        'run',
      );
    deleted += affectedRows;
    if (affectedRows < PURGE_BATCH) break;
  }
  return deleted;
}

/** Published outbox rows older than `retentionMs` (never unpublished ones). */
export const purgePublishedOutbox = (em: EntityManager, retentionMs: number): Promise<number> =>
  purgeOlder(em, 'outbox_event', 'id', 'published_at', retentionMs);

/** Inbox rows older than `retentionMs` (default INBOX_RETENTION_MS). */
export const purgeInbox = (em: EntityManager, retentionMs = INBOX_RETENTION_MS): Promise<number> =>
  purgeOlder(em, 'inbox_message', 'consumer, message_id', 'processed_at', retentionMs);

/** Every `everyMs` (default 10 min), the inbox rows past their retention; returns the stop function. */
export function startInboxPurge(em: EntityManager, log: Logger, everyMs = 600_000): () => Promise<void> {
  return startPeriodic('inbox purge', everyMs, () => purgeInbox(em), log);
}
