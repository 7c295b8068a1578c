-- (campaign_id, id) serves every query by campaign (pages in id order, progress counts, pause,
-- resume, cancel) with the status as a filter. (campaign_id, status) only added an index entry to
-- write for every message and every status change (PENDING → SENDING → SENT): one per message of a
-- 100,000-recipient campaign, three times over.
DROP INDEX "notification_campaign_id_status_idx";
