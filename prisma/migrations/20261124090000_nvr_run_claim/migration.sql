-- R28, two steps instead of one transaction: a run first claims its doses and commits the claim
-- (the items, the errors and these counts), then writes its files, then is marked COMPLETED.
-- A committed claim lets the files be written by several connections at once (each reads the
-- committed items), and a worker killed while writing leaves a claim that the next attempt
-- resumes: it writes the files again from the same items. Each dose revision is still in exactly
-- one run (the ledger's primary key), and that run ends COMPLETED, or FAILED after its last
-- attempt, which releases the claim in the same statement (the doses go out with the next run).

-- AlterTable
ALTER TABLE "nvr_export_run" ADD COLUMN "claim" JSONB;

-- Hand-written SQL (Prisma cannot express it) below.

-- Reported = in a COMPLETED run (a claim still being written is not yet reported).
CREATE OR REPLACE FUNCTION "nvr_reported_rev"("vaccination") RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT max(i."revision") FROM "nvr_export_item" i JOIN "nvr_export_run" r ON r."id" = i."run_id"
   WHERE i."vaccination_id" = $1."id" AND r."status" = 'COMPLETED'
$$;

-- What a claim checks per dose, computed once when the row is written instead of per dose on
-- every claim (a third of a million-dose claim's time went into these expressions): whether a
-- patient's identity number can be reported (R1, nvr_identity_valid), and whether a product's
-- codes can (a 14-digit NPL-id and a vaccine ATC code).
ALTER TABLE "patient" ADD COLUMN "nvr_identity_ok" boolean
  GENERATED ALWAYS AS ("nvr_identity_valid"("identity_number", "identity_type")) STORED;
ALTER TABLE "product" ADD COLUMN "nvr_codes_ok" boolean
  GENERATED ALWAYS AS ("npl_id" ~ '^[0-9]{14}$' AND "atc_code" ~ '^J07[A-Z]{2}[0-9]{2}$') STORED;

CREATE OR REPLACE VIEW "nvr_pending_dose" AS
SELECT v."id" AS "vaccination_id",
       v."revision",
       r."rev" AS "previous_revision",
       coalesce(u."region_id", cp."region_id") AS "region_id",
       CASE WHEN v."status" = 'VOIDED' THEN CASE WHEN r."rev" IS NULL THEN 'NONE' ELSE 'VOID' END
            WHEN r."rev" IS NULL THEN 'NEW' ELSE 'CORRECTION' END AS "action",
       p."identity_number",
       p."identity_type",
       (b."id" IS NULL OR btrim(b."batch_number") = '') AS "missing_batch",
       NOT p."nvr_identity_ok" AS "invalid_identity",
       NOT pr."nvr_codes_ok" AS "unknown_product"
  FROM "vaccination" v
  LEFT JOIN (SELECT "vaccination_id", max("revision") AS "rev" FROM "nvr_export_item" GROUP BY "vaccination_id") r
         ON r."vaccination_id" = v."id"
  JOIN "patient" p ON p."id" = v."patient_id"
  JOIN "product" pr ON pr."id" = v."product_id"
  LEFT JOIN "batch" b ON b."id" = v."batch_id"
  LEFT JOIN "unit" u ON u."id" = v."unit_id"
  LEFT JOIN "care_provider" cp ON cp."id" = v."care_provider_id"
 WHERE NOT v."historical" AND v."revision" > coalesce(r."rev", 0);

-- A run's items are written together by its claim, so they lie together in the table: a BRIN
-- index finds them at a fraction of a B-tree's cost per claimed dose (the B-tree on
-- (run_id, vaccination_id) was a third of the claim's writes).
DROP INDEX "nvr_export_item_run_id_vaccination_id_idx";
CREATE INDEX "nvr_export_item_run_id_idx" ON "nvr_export_item" USING brin ("run_id") WITH (autosummarize = on);
