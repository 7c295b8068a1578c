-- R28 at volume: the NVR export claims a million doses in one transaction. Two per-row costs made
-- that slow, and are gone here:
--
-- 1. "Reported" is no longer a column of vaccination that every run UPDATEs (a non-HOT update of
--    each exported dose, four index entries each, and the coverage triggers' transition tables of
--    a million rows). The ledger nvr_export_item already holds every (dose, revision) a completed
--    run covers, written in the same transaction that completes the run: the revision last
--    reported is the highest one there. `v.nvr_reported_rev` still reads as before (a function on
--    the row, below), so readers keep their SQL.
-- 2. nvr_export_item's foreign keys checked each claimed row one by one (two lookups per dose).
--    Items are written only by the claim, from doses and a run that exist in its snapshot; the
--    guarantee that matters afterwards — a reported dose and a run with items are never deleted —
--    is kept by triggers that fire on the (rare) deletes instead of on every claimed row.

-- DropForeignKey
ALTER TABLE "nvr_export_item" DROP CONSTRAINT "nvr_export_item_run_id_fkey";

-- DropForeignKey
ALTER TABLE "nvr_export_item" DROP CONSTRAINT "nvr_export_item_vaccination_id_fkey";

-- AlterTable
DROP VIEW "nvr_pending_dose";
DROP INDEX "vaccination_nvr_pending_idx";
ALTER TABLE "vaccination" DROP COLUMN "nvr_reported_rev";


-- Hand-written SQL (Prisma cannot express it) below.

-- The revision of a dose last included in a completed NVR run; null = never reported. Callable as
-- a column of the row (`v.nvr_reported_rev`). Claimed items commit together with their run's
-- COMPLETED, so every item another transaction can see belongs to a completed run.
CREATE FUNCTION "nvr_reported_rev"("vaccination") RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT max(i."revision") FROM "nvr_export_item" i WHERE i."vaccination_id" = $1."id"
$$;

-- The same check as before (R1: 12 digits, a real date — day + 60 for samordningsnummer — and a
-- correct Luhn digit; reserve numbers are never valid for NVR), as one SQL expression: no PL/pgSQL
-- call and no exception block (a subtransaction per call, which also broke parallel plans) per dose.
CREATE OR REPLACE FUNCTION "nvr_identity_valid"(num text, kind "IdentityType") RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN kind IS NULL OR kind NOT IN ('PERSONNUMMER', 'SAMORDNINGSNUMMER') OR num IS NULL OR num !~ '^[0-9]{12}$'
      THEN false
    WHEN substr(num, 1, 4)::int < 1 OR substr(num, 5, 2)::int NOT BETWEEN 1 AND 12
      THEN false
    ELSE
      substr(num, 7, 2)::int - CASE WHEN kind = 'SAMORDNINGSNUMMER' THEN 60 ELSE 0 END
        BETWEEN 1 AND extract(day FROM make_date(substr(num, 1, 4)::int, substr(num, 5, 2)::int, 1)
                                       + interval '1 month' - interval '1 day')::int
      AND (  (2 * substr(num, 3, 1)::int) - CASE WHEN substr(num, 3, 1)::int >= 5 THEN 9 ELSE 0 END
           + substr(num, 4, 1)::int
           + (2 * substr(num, 5, 1)::int) - CASE WHEN substr(num, 5, 1)::int >= 5 THEN 9 ELSE 0 END
           + substr(num, 6, 1)::int
           + (2 * substr(num, 7, 1)::int) - CASE WHEN substr(num, 7, 1)::int >= 5 THEN 9 ELSE 0 END
           + substr(num, 8, 1)::int
           + (2 * substr(num, 9, 1)::int) - CASE WHEN substr(num, 9, 1)::int >= 5 THEN 9 ELSE 0 END
           + substr(num, 10, 1)::int
           + (2 * substr(num, 11, 1)::int) - CASE WHEN substr(num, 11, 1)::int >= 5 THEN 9 ELSE 0 END
           + substr(num, 12, 1)::int) % 10 = 0
  END
$$;

-- A reported dose is never deleted (it was the foreign key's ON DELETE RESTRICT), nor a run that
-- covers doses.
CREATE FUNCTION "nvr_refuse_delete_reported"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'vaccination' THEN
    IF EXISTS (SELECT 1 FROM "nvr_export_item" WHERE "vaccination_id" = OLD."id") THEN
      RAISE EXCEPTION 'vaccination % was reported to NVR: void it instead of deleting it', OLD."id"
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM "nvr_export_item" WHERE "run_id" = OLD."id") THEN
    RAISE EXCEPTION 'NVR export run % covers doses and cannot be deleted', OLD."id"
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END
$$;
CREATE TRIGGER "vaccination_nvr_reported_no_delete" BEFORE DELETE ON "vaccination"
  FOR EACH ROW EXECUTE FUNCTION "nvr_refuse_delete_reported"();
CREATE TRIGGER "nvr_export_run_with_items_no_delete" BEFORE DELETE ON "nvr_export_run"
  FOR EACH ROW EXECUTE FUNCTION "nvr_refuse_delete_reported"();

-- Every dose that NVR has not yet heard about in its current revision (unchanged meaning, see
-- 20261122024000_nvr_export): the reported revision is the ledger's highest, one hash
-- aggregate over the ledger rather than a lookup per dose.
CREATE VIEW "nvr_pending_dose" AS
SELECT v."id" AS "vaccination_id",
       v."revision",
       r."rev" AS "previous_revision",
       coalesce(u."region_id", cp."region_id") AS "region_id",
       CASE WHEN v."status" = 'VOIDED' THEN CASE WHEN r."rev" IS NULL THEN 'NONE' ELSE 'VOID' END
            WHEN r."rev" IS NULL THEN 'NEW' ELSE 'CORRECTION' END AS "action",
       p."identity_number",
       p."identity_type",
       (b."id" IS NULL OR btrim(b."batch_number") = '') AS "missing_batch",
       NOT "nvr_identity_valid"(p."identity_number", p."identity_type") AS "invalid_identity",
       (pr."npl_id" !~ '^[0-9]{14}$' OR pr."atc_code" !~ '^J07[A-Z]{2}[0-9]{2}$') AS "unknown_product"
  FROM "vaccination" v
  LEFT JOIN (SELECT "vaccination_id", max("revision") AS "rev" FROM "nvr_export_item" GROUP BY "vaccination_id") r
         ON r."vaccination_id" = v."id"
  JOIN "patient" p ON p."id" = v."patient_id"
  JOIN "product" pr ON pr."id" = v."product_id"
  LEFT JOIN "batch" b ON b."id" = v."batch_id"
  LEFT JOIN "unit" u ON u."id" = v."unit_id"
  LEFT JOIN "care_provider" cp ON cp."id" = v."care_provider_id"
 WHERE NOT v."historical" AND v."revision" > coalesce(r."rev", 0);
