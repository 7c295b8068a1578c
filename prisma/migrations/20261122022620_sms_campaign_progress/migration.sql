-- AlterTable
ALTER TABLE "sms_campaign" ADD COLUMN     "date" DATE,
ADD COLUMN     "failed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "from_time" TEXT,
ADD COLUMN     "resumes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sent" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "skipped" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "to_time" TEXT,
ADD COLUMN     "visit_type_id" TEXT;


-- Hand-written constraints (Prisma cannot express them) below.
ALTER TABLE "sms_campaign" ADD CONSTRAINT "sms_campaign_progress_check" CHECK ("sent" >= 0 AND "failed" >= 0 AND "skipped" >= 0 AND "resumes" >= 0);

CREATE OR REPLACE FUNCTION sms_campaign_from_mass_cancellation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sms_campaign (id, unit_id, mass_cancellation_id, message, urgent, total, created_by_id, created_at,
                            status, date, from_time, to_time, visit_type_id)
  VALUES (NEW.id, NEW.unit_id, NEW.id, NEW.message, NEW.urgent, NEW.total, NEW.created_by_id, NEW.created_at,
          'RUNNING', NEW.date, NEW.from_time, NEW.to_time, NEW.visit_type_id)
  ON CONFLICT (id) DO NOTHING;
  RETURN NEW;
END $$;

UPDATE sms_campaign c SET date = m.date, from_time = m.from_time, to_time = m.to_time, visit_type_id = m.visit_type_id
  FROM mass_cancellation m WHERE m.id = c.mass_cancellation_id;
