-- AlterTable
ALTER TABLE "health_declaration" ADD COLUMN     "comment" TEXT,
ADD COLUMN     "disease_area" TEXT NOT NULL DEFAULT 'COVID-19',
ADD COLUMN     "filled_by_id" TEXT,
ADD COLUMN     "unit_id" TEXT;

-- AlterTable
ALTER TABLE "prescription" ADD COLUMN     "disease_area" TEXT NOT NULL,
ADD COLUMN     "void_reason" TEXT,
ADD COLUMN     "voided_by_id" TEXT;

-- AlterTable
ALTER TABLE "vaccination" ADD COLUMN     "recorded_unit_id" TEXT,
ADD COLUMN     "voided_by_id" TEXT;


-- Hand-written constraints (Prisma cannot express them) below.

-- R20: one active prescription per patient, disease area and dose; voided ones carry when.
CREATE UNIQUE INDEX "prescription_one_active_per_dose" ON "prescription" ("patient_id", "disease_area", "dose_number")
  WHERE "status" = 'ACTIVE';
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_voided_has_time"
  CHECK (("status" = 'VOIDED') = ("voided_at" IS NOT NULL));

-- R9/R21: a prescription is given at most once.
CREATE UNIQUE INDEX "vaccination_one_dose_per_prescription" ON "vaccination" ("prescription_id")
  WHERE "prescription_id" IS NOT NULL AND "status" = 'GIVEN';

-- R22: a historical dose has no batch (it was not taken from this region's stock).
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_historical_without_batch"
  CHECK (NOT "historical" OR "batch_id" IS NULL);
-- Voiding (makulering) records when.
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_voided_has_time"
  CHECK (("status" = 'VOIDED') = ("voided_at" IS NOT NULL));

-- The control report finds the few historical and voided doses of a period without scanning the rest.
CREATE INDEX "vaccination_historical_recorded" ON "vaccination" ("created_at") WHERE "historical";
CREATE INDEX "vaccination_voided_at" ON "vaccination" ("voided_at") WHERE "status" = 'VOIDED';

-- R7: one open consent per patient and care provider.
CREATE UNIQUE INDEX "cross_provider_consent_one_open" ON "cross_provider_consent" ("patient_id", "care_provider_id")
  WHERE "revoked_at" IS NULL;
CREATE INDEX "health_declaration_patient_created" ON "health_declaration" ("patient_id", "created_at");
CREATE INDEX "prescription_patient_status" ON "prescription" ("patient_id", "status");

-- NVR accepts personnummer and samordningsnummer: 12 digits, a real date (day + 60 for
-- samordningsnummer) and a correct Luhn digit. Reserve numbers are never valid for NVR.
CREATE FUNCTION "nvr_identity_valid"(num text, kind "IdentityType") RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  day int;
  sum int := 0;
  d int;
BEGIN
  IF kind NOT IN ('PERSONNUMMER', 'SAMORDNINGSNUMMER') OR num !~ '^[0-9]{12}$' THEN
    RETURN false;
  END IF;
  day := substr(num, 7, 2)::int - CASE WHEN kind = 'SAMORDNINGSNUMMER' THEN 60 ELSE 0 END;
  IF day < 1 OR day > 31 THEN
    RETURN false;
  END IF;
  BEGIN
    PERFORM make_date(substr(num, 1, 4)::int, substr(num, 5, 2)::int, day);
  EXCEPTION WHEN others THEN
    RETURN false;
  END;
  FOR i IN 1..10 LOOP
    d := substr(num, 2 + i, 1)::int;
    IF i % 2 = 1 THEN
      d := d * 2;
      IF d > 9 THEN d := d - 9; END IF;
    END IF;
    sum := sum + d;
  END LOOP;
  RETURN sum % 10 = 0;
END;
$$;
