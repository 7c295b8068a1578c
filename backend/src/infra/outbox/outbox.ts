import { sql } from '../sql';
import type { Topic } from '../../realtime/events';

/** Channel on which committing transactions NOTIFY the relay. */
export const OUTBOX_CHANNEL = 'vaxops_outbox';

export interface OutboxRow {
  id: number;
  topic: Topic;
  topic_key: string;
  version: number;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: string;
}

/**
 * Appends one event inside an open transaction: bumps the topic's version (the row lock makes
 * version order equal commit order per topic), writes the outbox row, and asks for a NOTIFY
 * that PostgreSQL delivers on commit. For hot paths the same three steps are inlined as CTEs.
 */
export async function appendOutbox(
  q: <R extends object>(s: ReturnType<typeof sql>) => Promise<R[]>,
  event: { topic: Topic; topicKey: string; eventType: string; payload: Record<string, unknown> },
): Promise<number> {
  const [row] = await q<{ version: number }>(sql`
    WITH v AS (
      INSERT INTO topic_version (topic_key, version) VALUES (${event.topicKey}, 1)
      ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
      RETURNING version
    ), o AS (
      INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
      SELECT ${event.topic}, ${event.topicKey}, v.version, ${event.eventType}, ${JSON.stringify(event.payload)}::jsonb FROM v
      RETURNING version
    )
    SELECT o.version, pg_notify(${OUTBOX_CHANNEL}, '') FROM o`);
  return row!.version;
}
