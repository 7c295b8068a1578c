-- CreateEnum
CREATE TYPE "SmsCampaignStatus" AS ENUM ('RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED');

-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "job_seq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "sms_campaign" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "mass_cancellation_id" TEXT,
    "message" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" "SmsCampaignStatus" NOT NULL DEFAULT 'RUNNING',
    "total" INTEGER NOT NULL DEFAULT 0,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "sms_campaign_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sms_campaign_mass_cancellation_id_key" ON "sms_campaign"("mass_cancellation_id");

-- CreateIndex
CREATE INDEX "sms_campaign_unit_id_created_at_idx" ON "sms_campaign"("unit_id", "created_at");


-- Hand-written constraints (Prisma cannot express them) below.
ALTER TABLE "sms_campaign" ADD CONSTRAINT "sms_campaign_total_check" CHECK ("total" >= 0);

-- A mass cancellation is also an SMS campaign under the same id (notification.campaign_id is that
-- id), so pausing, resuming and cancelling its SMS work the same way as for any campaign.
CREATE FUNCTION sms_campaign_from_mass_cancellation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sms_campaign (id, unit_id, mass_cancellation_id, message, urgent, total, created_by_id, created_at,
                            status, finished_at)
  VALUES (NEW.id, NEW.unit_id, NEW.id, NEW.message, NEW.urgent, NEW.total, NEW.created_by_id, NEW.created_at,
          'RUNNING', NULL)
  ON CONFLICT (id) DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER mass_cancellation_sms_campaign AFTER INSERT ON mass_cancellation
  FOR EACH ROW EXECUTE FUNCTION sms_campaign_from_mass_cancellation();

INSERT INTO sms_campaign (id, unit_id, mass_cancellation_id, message, urgent, total, created_by_id, created_at, status)
SELECT id, unit_id, id, message, urgent, total, created_by_id, created_at,
       CASE WHEN status = 'COMPLETED' THEN 'COMPLETED'::"SmsCampaignStatus" ELSE 'RUNNING'::"SmsCampaignStatus" END
  FROM mass_cancellation ON CONFLICT (id) DO NOTHING;

-- The sweep's question after a Redis restart: which messages still need a job?
CREATE INDEX "notification_unfinished_idx" ON "notification" ("id") WHERE status IN ('PENDING', 'SENDING');
