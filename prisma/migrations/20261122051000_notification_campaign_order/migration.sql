-- A campaign's messages are enqueued in id order, page after page (CampaignsProcessor.start). With
-- only (campaign_id, status), each page read and sorted every open message of the campaign again:
-- quadratic in the campaign's size. In (campaign_id, id) order a page reads just its own rows.
CREATE INDEX "notification_campaign_id_id_idx" ON "notification" ("campaign_id", "id");
