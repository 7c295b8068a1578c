import { raw, Sql, sql } from '../infra/sql';
import { OUTBOX_CHANNEL } from '../infra/outbox/outbox';

export const SMS_CAMPAIGN_JOB = 'sms.campaign';

/** The job id a campaign shows under on the unit's `jobs` topic. */
export const campaignJobId = (campaignId: string) => `sms-campaign-${campaignId}`;

/** BullMQ-like state of a campaign for the `jobs` topic (paused shows as delayed, cancelled as failed). */
export const CAMPAIGN_STATE = raw(`CASE c.status WHEN 'RUNNING' THEN 'active' WHEN 'PAUSED' THEN 'delayed'
  WHEN 'COMPLETED' THEN 'completed' ELSE 'failed' END`);

/** A campaign row `c` as the `jobs` topic shows it. */
export const CAMPAIGN_JSON = sql`json_build_object('unitId', c.unit_id, 'jobId', 'sms-campaign-' || c.id, 'queue', 'sms',
  'name', ${SMS_CAMPAIGN_JOB}::text, 'state', ${CAMPAIGN_STATE},
  'progress', json_build_object('done', c.sent + c.failed + c.skipped, 'total', c.total),
  'campaignId', c.id, 'status', c.status, 'urgent', c.urgent, 'sent', c.sent, 'failed', c.failed, 'skipped', c.skipped,
  'massCancellationId', c.mass_cancellation_id, 'message', c.message,
  'date', to_char(c.date, 'YYYY-MM-DD'))`;

/**
 * Appends to a statement whose CTE `c` returns one changed campaign row: the unit's `jobs`
 * topic version and a `job.progress` outbox row, optionally with jobs to enqueue after commit.
 */
export function publishCampaign(enqueue?: Sql): Sql {
  return sql`, v AS (
      INSERT INTO topic_version (topic_key, version) SELECT 'jobs:' || c.unit_id, 1 FROM c
      ON CONFLICT (topic_key) DO UPDATE SET version = topic_version.version + 1
      RETURNING topic_key, version
    ), o AS (
      INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
      SELECT 'jobs', v.topic_key, v.version, 'job.progress',
             ${CAMPAIGN_JSON}::jsonb ${enqueue ? sql`|| jsonb_build_object('enqueue', ${enqueue})` : raw('')}
        FROM v, c
      RETURNING id
    )`;
}

export const NOTIFY_OUTBOX = sql`(SELECT pg_notify(${OUTBOX_CHANNEL}, '') FROM o LIMIT 1)`;
