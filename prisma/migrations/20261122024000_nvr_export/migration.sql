-- DropIndex
DROP INDEX "nvr_export_item_run_id_idx";

-- AlterTable
ALTER TABLE "nvr_export_run" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "dir" TEXT,
ADD COLUMN     "dose_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "job_id" TEXT,
ADD COLUMN     "progress_done" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "progress_total" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "region_id" TEXT NOT NULL,
ADD COLUMN     "window_from" TIMESTAMPTZ(3),
ADD COLUMN     "window_to" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "nvr_export_item" ADD COLUMN     "action" TEXT NOT NULL DEFAULT 'NEW',
ADD COLUMN     "identity_number" TEXT,
ADD COLUMN     "identity_type" "IdentityType",
ADD COLUMN     "previous_revision" INTEGER;

-- CreateTable
CREATE TABLE "nvr_export_error" (
    "id" BIGSERIAL NOT NULL,
    "run_id" TEXT NOT NULL,
    "vaccination_id" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "nvr_export_error_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "nvr_export_error_run_id_idx" ON "nvr_export_error"("run_id");

-- CreateIndex
CREATE INDEX "nvr_export_run_region_id_created_at_idx" ON "nvr_export_run"("region_id", "created_at");

-- CreateIndex
CREATE INDEX "nvr_export_item_run_id_vaccination_id_idx" ON "nvr_export_item"("run_id", "vaccination_id");

-- AddForeignKey
ALTER TABLE "nvr_export_run" ADD CONSTRAINT "nvr_export_run_region_id_fkey" FOREIGN KEY ("region_id") REFERENCES "region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "nvr_export_error" ADD CONSTRAINT "nvr_export_error_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "nvr_export_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written constraints (Prisma cannot express them) below.

-- R28: at most one unfinished export per region. A second request finds the running one, and two
-- workers can never claim the same region's doses at once.
CREATE UNIQUE INDEX "nvr_export_run_one_active_per_region" ON "nvr_export_run" ("region_id")
  WHERE "status" IN ('QUEUED', 'RUNNING');

ALTER TABLE "nvr_export_item" ADD CONSTRAINT "nvr_export_item_action"
  CHECK ("action" IN ('NEW', 'CORRECTION', 'VOID', 'NONE'));
ALTER TABLE "nvr_export_item" ADD CONSTRAINT "nvr_export_item_correction_matches_action"
  CHECK ("correction" = ("action" IN ('CORRECTION', 'VOID')));

-- The doses still to report: small in steady state, so the nightly run starts from this index.
CREATE INDEX "vaccination_nvr_pending_idx" ON "vaccination" ("id")
  WHERE NOT "historical" AND "revision" > coalesce("nvr_reported_rev", 0);

-- Identity numbers are checked with nvr_identity_valid() from the journal migration (R1 in SQL:
-- personnummer and samordningsnummer; reserve numbers are never valid for NVR).

-- Every dose that NVR has not yet heard about in its current revision, with what to send and
-- why it may not be sent (R28): never a historical dose (R22). `action`: NEW (first report),
-- CORRECTION (changed after it was reported: old record entered-in-error, a new record), VOID
-- (voided after it was reported: old record entered-in-error), NONE (voided before it was ever
-- reported: nothing to send). The region is the unit's, else the care provider's.
CREATE VIEW "nvr_pending_dose" AS
SELECT v."id" AS "vaccination_id",
       v."revision",
       v."nvr_reported_rev" AS "previous_revision",
       coalesce(u."region_id", cp."region_id") AS "region_id",
       CASE WHEN v."status" = 'VOIDED' THEN CASE WHEN v."nvr_reported_rev" IS NULL THEN 'NONE' ELSE 'VOID' END
            WHEN v."nvr_reported_rev" IS NULL THEN 'NEW' ELSE 'CORRECTION' END AS "action",
       p."identity_number",
       p."identity_type",
       (b."id" IS NULL OR btrim(b."batch_number") = '') AS "missing_batch",
       NOT "nvr_identity_valid"(p."identity_number", p."identity_type") AS "invalid_identity",
       (pr."npl_id" !~ '^[0-9]{14}$' OR pr."atc_code" !~ '^J07[A-Z]{2}[0-9]{2}$') AS "unknown_product"
  FROM "vaccination" v
  JOIN "patient" p ON p."id" = v."patient_id"
  JOIN "product" pr ON pr."id" = v."product_id"
  LEFT JOIN "batch" b ON b."id" = v."batch_id"
  LEFT JOIN "unit" u ON u."id" = v."unit_id"
  LEFT JOIN "care_provider" cp ON cp."id" = v."care_provider_id"
 WHERE NOT v."historical" AND v."revision" > coalesce(v."nvr_reported_rev", 0);
