-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CareProviderKind" AS ENUM ('REGION', 'PRIVATE', 'MUNICIPALITY');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('BOOKING', 'NURSE', 'NURSE_PRESCRIBER', 'PHYSICIAN', 'TIMEBOOK_ADMIN', 'STOCK_MANAGER', 'SMITTSKYDD', 'ADMIN');

-- CreateEnum
CREATE TYPE "IdentityType" AS ENUM ('PERSONNUMMER', 'SAMORDNINGSNUMMER', 'RESERVNUMMER');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('FEMALE', 'MALE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "StockMovementKind" AS ENUM ('RECEIPT', 'ADMINISTERED', 'WASTAGE', 'TRANSFER_IN', 'TRANSFER_OUT', 'COUNT_ADJUSTMENT');

-- CreateEnum
CREATE TYPE "WastageReason" AS ENUM ('EXPIRED', 'BROKEN', 'CONTAMINATED', 'OPEN_VIAL_TIME_LIMIT', 'COLD_CHAIN', 'OTHER');

-- CreateEnum
CREATE TYPE "ResourceKind" AS ENUM ('SKOTERSKA', 'LAKARE');

-- CreateEnum
CREATE TYPE "SlotStatus" AS ENUM ('FREE', 'HELD', 'BOOKED', 'BLOCKED');

-- CreateEnum
CREATE TYPE "BookingStatus" AS ENUM ('ACTIVE', 'CANCELLED', 'COMPLETED', 'NO_SHOW');

-- CreateEnum
CREATE TYPE "BookingSource" AS ENUM ('STAFF', 'WEB', 'SIMULATOR');

-- CreateEnum
CREATE TYPE "MassCancellationStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "DeclarationSource" AS ENUM ('CITIZEN', 'STAFF');

-- CreateEnum
CREATE TYPE "PrescriptionStatus" AS ENUM ('ACTIVE', 'ADMINISTERED', 'VOIDED');

-- CreateEnum
CREATE TYPE "VaccinationStatus" AS ENUM ('GIVEN', 'VOIDED');

-- CreateEnum
CREATE TYPE "ExportStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('BOOKING_CONFIRMATION', 'REMINDER', 'NEXT_DOSE_REMINDER', 'CANCELLATION', 'CAMPAIGN');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'DELIVERED', 'FAILED', 'SKIPPED');

-- CreateTable
CREATE TABLE "region" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hsa_id" TEXT NOT NULL,
    "citizen_view_hidden" BOOLEAN NOT NULL DEFAULT false,
    "citizen_view_min_age" INTEGER,
    "reserve_number_oid" TEXT,

    CONSTRAINT "region_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "municipality" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "population" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "municipality_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "care_provider" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "hsa_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "CareProviderKind" NOT NULL,
    "region_id" TEXT NOT NULL,

    CONSTRAINT "care_provider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unit" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "hsa_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "care_provider_id" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "municipality_code" TEXT NOT NULL,
    "address" TEXT,
    "day_ends_at" TEXT NOT NULL DEFAULT '17:00',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_user" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "hsa_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "user_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,

    CONSTRAINT "assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "identity_number" TEXT NOT NULL,
    "identity_type" "IdentityType" NOT NULL,
    "identity_issuer" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "birth_date" DATE,
    "sex" "Sex" NOT NULL DEFAULT 'UNKNOWN',
    "municipality_code" TEXT,
    "protected_identity" BOOLEAN NOT NULL DEFAULT false,
    "phone" TEXT,
    "email" TEXT,
    "address" TEXT,
    "sms_opt_out" BOOLEAN NOT NULL DEFAULT false,
    "sealed" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_identity_change" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "from_number" TEXT NOT NULL,
    "from_type" "IdentityType" NOT NULL,
    "to_number" TEXT NOT NULL,
    "to_type" "IdentityType" NOT NULL,
    "changed_by_id" TEXT NOT NULL,
    "assignment_id" TEXT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_identity_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guardianship" (
    "guardian_id" TEXT NOT NULL,
    "child_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guardianship_pkey" PRIMARY KEY ("guardian_id","child_id")
);

-- CreateTable
CREATE TABLE "cross_provider_consent" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "care_provider_id" TEXT NOT NULL,
    "recorded_by_id" TEXT NOT NULL,
    "assignment_id" TEXT,
    "given_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "cross_provider_consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_block" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "care_provider_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lifted_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_block_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "population_register" (
    "identity_number" TEXT NOT NULL,
    "region_id" TEXT NOT NULL,
    "municipality_code" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "sex" "Sex" NOT NULL,

    CONSTRAINT "population_register_pkey" PRIMARY KEY ("identity_number")
);

-- CreateTable
CREATE TABLE "product" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "name" TEXT NOT NULL,
    "manufacturer" TEXT,
    "atc_code" TEXT NOT NULL,
    "npl_id" TEXT NOT NULL,
    "disease_area" TEXT NOT NULL,
    "doses_per_vial" INTEGER NOT NULL DEFAULT 1,
    "open_vial_hours" INTEGER,
    "dose_interval_days" INTEGER,
    "doses_in_series" INTEGER NOT NULL DEFAULT 1,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_alias" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "product_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_alias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "product_id" TEXT NOT NULL,
    "batch_number" TEXT NOT NULL,
    "expires_on" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_balance" (
    "unit_id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "doses" INTEGER NOT NULL,
    "row_version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_balance_pkey" PRIMARY KEY ("unit_id","batch_id")
);

-- CreateTable
CREATE TABLE "stock_movement" (
    "id" BIGSERIAL NOT NULL,
    "unit_id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "kind" "StockMovementKind" NOT NULL,
    "delta" INTEGER NOT NULL,
    "balance_after" INTEGER NOT NULL,
    "reason" "WastageReason",
    "note" TEXT,
    "user_id" TEXT,
    "assignment_id" TEXT,
    "counterpart_unit_id" TEXT,
    "vaccination_id" TEXT,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "opened_vial" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doses_remaining" INTEGER NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "opened_vial_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_report" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "period_from" DATE NOT NULL,
    "period_to" DATE NOT NULL,
    "report" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconciliation_report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timebook_resource" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "kind" "ResourceKind" NOT NULL,
    "name" TEXT NOT NULL,
    "columns" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "timebook_resource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visit_category" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "visit_category_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visit_type" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "category_id" TEXT,
    "name" TEXT NOT NULL,
    "resource" "ResourceKind" NOT NULL,
    "duration_minutes" INTEGER NOT NULL DEFAULT 10,
    "product_id" TEXT,
    "dose_number" INTEGER,
    "allowed_weekdays" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "web_bookable" BOOLEAN NOT NULL DEFAULT true,
    "retired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "visit_type_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slot" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "column" INTEGER NOT NULL,
    "date" DATE NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "SlotStatus" NOT NULL DEFAULT 'FREE',
    "hold_id" TEXT,
    "held_until" TIMESTAMPTZ(3),
    "block_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slot_hold" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "slot_id" TEXT NOT NULL,
    "held_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "released_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slot_hold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timebook_block" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "note" TEXT NOT NULL,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timebook_block_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timebook_day" (
    "unit_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "note" TEXT,
    "web_booking_closed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "timebook_day_pkey" PRIMARY KEY ("unit_id","date")
);

-- CreateTable
CREATE TABLE "booking" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "slot_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "visit_type_id" TEXT NOT NULL,
    "status" "BookingStatus" NOT NULL DEFAULT 'ACTIVE',
    "source" "BookingSource" NOT NULL DEFAULT 'STAFF',
    "phone" TEXT,
    "booked_by_id" TEXT,
    "rebooked_from_id" TEXT,
    "cancelled_at" TIMESTAMPTZ(3),
    "cancelled_by_id" TEXT,
    "cancel_reason" TEXT,
    "mass_cancellation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "booking_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mass_cancellation" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "unit_id" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "from_time" TEXT,
    "to_time" TEXT,
    "visit_type_id" TEXT,
    "message" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "status" "MassCancellationStatus" NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "mass_cancellation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "health_declaration" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "booking_id" TEXT,
    "answers" JSONB NOT NULL,
    "flags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source" "DeclarationSource" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "health_declaration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prescription" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "unit_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "dose_number" INTEGER NOT NULL,
    "status" "PrescriptionStatus" NOT NULL DEFAULT 'ACTIVE',
    "declaration_id" TEXT,
    "prescribed_by_id" TEXT NOT NULL,
    "replaces_id" TEXT,
    "voided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prescription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vaccination" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "patient_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "batch_id" TEXT,
    "dose_number" INTEGER NOT NULL,
    "given_at" TIMESTAMPTZ(3) NOT NULL,
    "given_on" DATE NOT NULL,
    "unit_id" TEXT,
    "care_provider_id" TEXT,
    "prescription_id" TEXT,
    "administered_by_id" TEXT,
    "historical" BOOLEAN NOT NULL DEFAULT false,
    "comment" TEXT,
    "status" "VaccinationStatus" NOT NULL DEFAULT 'GIVEN',
    "voided_at" TIMESTAMPTZ(3),
    "void_reason" TEXT,
    "sealed_by_provider" BOOLEAN NOT NULL DEFAULT false,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "nvr_reported_rev" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vaccination_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "nvr_export_run" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "status" "ExportStatus" NOT NULL DEFAULT 'QUEUED',
    "trigger" TEXT NOT NULL DEFAULT 'manual',
    "requested_by" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "record_count" INTEGER NOT NULL DEFAULT 0,
    "correction_count" INTEGER NOT NULL DEFAULT 0,
    "error_count" INTEGER NOT NULL DEFAULT 0,
    "files" JSONB NOT NULL DEFAULT '[]',
    "errors" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "nvr_export_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "nvr_export_item" (
    "run_id" TEXT NOT NULL,
    "vaccination_id" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "correction" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "nvr_export_item_pkey" PRIMARY KEY ("vaccination_id","revision")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "dedupe_key" TEXT NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "patient_id" TEXT,
    "booking_id" TEXT,
    "campaign_id" TEXT,
    "to_phone" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "not_before" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "provider_message_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "topic_key" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "topic_version" (
    "topic_key" TEXT NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "topic_version_pkey" PRIMARY KEY ("topic_key")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_id" TEXT,
    "assignment_id" TEXT,
    "unit_id" TEXT,
    "role" "Role",
    "patient_id" TEXT,
    "action" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status_code" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "region_code_key" ON "region"("code");

-- CreateIndex
CREATE UNIQUE INDEX "region_hsa_id_key" ON "region"("hsa_id");

-- CreateIndex
CREATE UNIQUE INDEX "care_provider_hsa_id_key" ON "care_provider"("hsa_id");

-- CreateIndex
CREATE UNIQUE INDEX "unit_hsa_id_key" ON "unit"("hsa_id");

-- CreateIndex
CREATE INDEX "unit_region_id_idx" ON "unit"("region_id");

-- CreateIndex
CREATE INDEX "unit_care_provider_id_idx" ON "unit"("care_provider_id");

-- CreateIndex
CREATE UNIQUE INDEX "app_user_hsa_id_key" ON "app_user"("hsa_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignment_user_id_unit_id_role_key" ON "assignment"("user_id", "unit_id", "role");

-- CreateIndex
CREATE UNIQUE INDEX "patient_identity_number_key" ON "patient"("identity_number");

-- CreateIndex
CREATE INDEX "patient_last_name_first_name_idx" ON "patient"("last_name", "first_name");

-- CreateIndex
CREATE INDEX "patient_identity_change_patient_id_idx" ON "patient_identity_change"("patient_id");

-- CreateIndex
CREATE INDEX "cross_provider_consent_patient_id_care_provider_id_idx" ON "cross_provider_consent"("patient_id", "care_provider_id");

-- CreateIndex
CREATE INDEX "provider_block_patient_id_idx" ON "provider_block"("patient_id");

-- CreateIndex
CREATE INDEX "population_register_region_id_municipality_code_idx" ON "population_register"("region_id", "municipality_code");

-- CreateIndex
CREATE UNIQUE INDEX "product_name_key" ON "product"("name");

-- CreateIndex
CREATE UNIQUE INDEX "product_npl_id_key" ON "product"("npl_id");

-- CreateIndex
CREATE UNIQUE INDEX "product_alias_product_id_name_key" ON "product_alias"("product_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "batch_product_id_batch_number_key" ON "batch"("product_id", "batch_number");

-- CreateIndex
CREATE INDEX "stock_movement_unit_id_batch_id_id_idx" ON "stock_movement"("unit_id", "batch_id", "id");

-- CreateIndex
CREATE INDEX "stock_movement_unit_id_created_at_idx" ON "stock_movement"("unit_id", "created_at");

-- CreateIndex
CREATE INDEX "opened_vial_unit_id_batch_id_idx" ON "opened_vial"("unit_id", "batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "reconciliation_report_unit_id_period_from_period_to_key" ON "reconciliation_report"("unit_id", "period_from", "period_to");

-- CreateIndex
CREATE UNIQUE INDEX "timebook_resource_unit_id_kind_key" ON "timebook_resource"("unit_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "visit_category_unit_id_name_key" ON "visit_category"("unit_id", "name");

-- CreateIndex
CREATE INDEX "visit_type_unit_id_idx" ON "visit_type"("unit_id");

-- CreateIndex
CREATE INDEX "slot_unit_id_date_starts_at_idx" ON "slot"("unit_id", "date", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "slot_resource_id_column_starts_at_key" ON "slot"("resource_id", "column", "starts_at");

-- CreateIndex
CREATE INDEX "slot_hold_slot_id_idx" ON "slot_hold"("slot_id");

-- CreateIndex
CREATE INDEX "timebook_block_unit_id_starts_at_idx" ON "timebook_block"("unit_id", "starts_at");

-- CreateIndex
CREATE INDEX "booking_patient_id_idx" ON "booking"("patient_id");

-- CreateIndex
CREATE INDEX "booking_unit_id_status_idx" ON "booking"("unit_id", "status");

-- CreateIndex
CREATE INDEX "booking_visit_type_id_status_idx" ON "booking"("visit_type_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "health_declaration_booking_id_key" ON "health_declaration"("booking_id");

-- CreateIndex
CREATE INDEX "health_declaration_patient_id_idx" ON "health_declaration"("patient_id");

-- CreateIndex
CREATE INDEX "prescription_patient_id_idx" ON "prescription"("patient_id");

-- CreateIndex
CREATE INDEX "vaccination_patient_id_idx" ON "vaccination"("patient_id");

-- CreateIndex
CREATE INDEX "vaccination_given_on_idx" ON "vaccination"("given_on");

-- CreateIndex
CREATE INDEX "vaccination_unit_id_given_on_idx" ON "vaccination"("unit_id", "given_on");

-- CreateIndex
CREATE INDEX "nvr_export_item_run_id_idx" ON "nvr_export_item"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_dedupe_key_key" ON "notification"("dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "notification_provider_message_id_key" ON "notification"("provider_message_id");

-- CreateIndex
CREATE INDEX "notification_campaign_id_status_idx" ON "notification"("campaign_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_topic_key_version_key" ON "outbox_event"("topic_key", "version");

-- CreateIndex
CREATE INDEX "audit_log_patient_id_at_idx" ON "audit_log"("patient_id", "at");

-- AddForeignKey
ALTER TABLE "municipality" ADD CONSTRAINT "municipality_region_id_fkey" FOREIGN KEY ("region_id") REFERENCES "region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "care_provider" ADD CONSTRAINT "care_provider_region_id_fkey" FOREIGN KEY ("region_id") REFERENCES "region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_care_provider_id_fkey" FOREIGN KEY ("care_provider_id") REFERENCES "care_provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_region_id_fkey" FOREIGN KEY ("region_id") REFERENCES "region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "unit" ADD CONSTRAINT "unit_municipality_code_fkey" FOREIGN KEY ("municipality_code") REFERENCES "municipality"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_identity_change" ADD CONSTRAINT "patient_identity_change_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guardianship" ADD CONSTRAINT "guardianship_guardian_id_fkey" FOREIGN KEY ("guardian_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guardianship" ADD CONSTRAINT "guardianship_child_id_fkey" FOREIGN KEY ("child_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cross_provider_consent" ADD CONSTRAINT "cross_provider_consent_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cross_provider_consent" ADD CONSTRAINT "cross_provider_consent_care_provider_id_fkey" FOREIGN KEY ("care_provider_id") REFERENCES "care_provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_block" ADD CONSTRAINT "provider_block_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_block" ADD CONSTRAINT "provider_block_care_provider_id_fkey" FOREIGN KEY ("care_provider_id") REFERENCES "care_provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "population_register" ADD CONSTRAINT "population_register_region_id_fkey" FOREIGN KEY ("region_id") REFERENCES "region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_alias" ADD CONSTRAINT "product_alias_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batch" ADD CONSTRAINT "batch_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_balance" ADD CONSTRAINT "stock_balance_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_balance" ADD CONSTRAINT "stock_balance_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movement" ADD CONSTRAINT "stock_movement_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movement" ADD CONSTRAINT "stock_movement_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "opened_vial" ADD CONSTRAINT "opened_vial_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "opened_vial" ADD CONSTRAINT "opened_vial_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reconciliation_report" ADD CONSTRAINT "reconciliation_report_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timebook_resource" ADD CONSTRAINT "timebook_resource_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visit_category" ADD CONSTRAINT "visit_category_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visit_type" ADD CONSTRAINT "visit_type_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visit_type" ADD CONSTRAINT "visit_type_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "visit_category"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visit_type" ADD CONSTRAINT "visit_type_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "timebook_resource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_block_id_fkey" FOREIGN KEY ("block_id") REFERENCES "timebook_block"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_hold" ADD CONSTRAINT "slot_hold_slot_id_fkey" FOREIGN KEY ("slot_id") REFERENCES "slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timebook_block" ADD CONSTRAINT "timebook_block_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timebook_day" ADD CONSTRAINT "timebook_day_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_slot_id_fkey" FOREIGN KEY ("slot_id") REFERENCES "slot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_visit_type_id_fkey" FOREIGN KEY ("visit_type_id") REFERENCES "visit_type"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "booking" ADD CONSTRAINT "booking_mass_cancellation_id_fkey" FOREIGN KEY ("mass_cancellation_id") REFERENCES "mass_cancellation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mass_cancellation" ADD CONSTRAINT "mass_cancellation_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_declaration" ADD CONSTRAINT "health_declaration_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_declaration" ADD CONSTRAINT "health_declaration_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "booking"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_declaration_id_fkey" FOREIGN KEY ("declaration_id") REFERENCES "health_declaration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_unit_id_fkey" FOREIGN KEY ("unit_id") REFERENCES "unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_care_provider_id_fkey" FOREIGN KEY ("care_provider_id") REFERENCES "care_provider"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_prescription_id_fkey" FOREIGN KEY ("prescription_id") REFERENCES "prescription"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "nvr_export_item" ADD CONSTRAINT "nvr_export_item_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "nvr_export_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "nvr_export_item" ADD CONSTRAINT "nvr_export_item_vaccination_id_fkey" FOREIGN KEY ("vaccination_id") REFERENCES "vaccination"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification" ADD CONSTRAINT "notification_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written constraints (Prisma cannot express them) below.

-- R13: never a double booking. One active booking per slot, whatever the application does.
CREATE UNIQUE INDEX "booking_one_active_per_slot" ON "booking" ("slot_id") WHERE "status" = 'ACTIVE';

-- R24: a balance is never negative.
ALTER TABLE "stock_balance" ADD CONSTRAINT "stock_balance_doses_non_negative" CHECK ("doses" >= 0);
ALTER TABLE "stock_movement" ADD CONSTRAINT "stock_movement_balance_after_non_negative" CHECK ("balance_after" >= 0);
ALTER TABLE "stock_movement" ADD CONSTRAINT "stock_movement_wastage_has_reason" CHECK ("kind" <> 'WASTAGE' OR "reason" IS NOT NULL);
ALTER TABLE "opened_vial" ADD CONSTRAINT "opened_vial_doses_remaining_non_negative" CHECK ("doses_remaining" >= 0);

-- R3: protected identity: phone, address and e-mail are never stored.
ALTER TABLE "patient" ADD CONSTRAINT "patient_protected_identity_no_contact"
  CHECK (NOT "protected_identity" OR ("phone" IS NULL AND "email" IS NULL AND "address" IS NULL));
-- R1: personnummer and samordningsnummer are stored as 12 digits.
ALTER TABLE "patient" ADD CONSTRAINT "patient_identity_number_format"
  CHECK ("identity_type" = 'RESERVNUMMER' OR "identity_number" ~ '^[0-9]{12}$');

-- R21/R22: a dose given here has a batch, only historical doses may lack one.
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_batch_unless_historical" CHECK ("historical" OR "batch_id" IS NOT NULL);
ALTER TABLE "vaccination" ADD CONSTRAINT "vaccination_dose_number_positive" CHECK ("dose_number" >= 1);
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_dose_number_positive" CHECK ("dose_number" >= 1);

-- Timebook sanity.
ALTER TABLE "slot" ADD CONSTRAINT "slot_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "slot" ADD CONSTRAINT "slot_column_positive" CHECK ("column" >= 1);
ALTER TABLE "slot" ADD CONSTRAINT "slot_held_has_expiry" CHECK ("status" <> 'HELD' OR ("held_until" IS NOT NULL AND "hold_id" IS NOT NULL));
ALTER TABLE "timebook_resource" ADD CONSTRAINT "timebook_resource_columns_positive" CHECK ("columns" >= 1);
ALTER TABLE "timebook_block" ADD CONSTRAINT "timebook_block_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "visit_type" ADD CONSTRAINT "visit_type_duration_positive" CHECK ("duration_minutes" > 0);
ALTER TABLE "visit_type" ADD CONSTRAINT "visit_type_dose_number_positive" CHECK ("dose_number" IS NULL OR "dose_number" >= 1);
ALTER TABLE "product" ADD CONSTRAINT "product_doses_per_vial_positive" CHECK ("doses_per_vial" >= 1);
ALTER TABLE "mass_cancellation" ADD CONSTRAINT "mass_cancellation_progress" CHECK ("done" >= 0 AND "done" <= "total");

-- The outbox relay reads only what is unpublished.
CREATE INDEX "outbox_event_unpublished" ON "outbox_event" ("id") WHERE "published_at" IS NULL;

-- R24, R30: the stock ledger and the audit log are append-only.
CREATE FUNCTION "refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused', ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "stock_movement_append_only" BEFORE UPDATE OR DELETE ON "stock_movement"
  FOR EACH ROW EXECUTE FUNCTION "refuse_change"();
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "refuse_change"();
CREATE TRIGGER "stock_movement_no_truncate" BEFORE TRUNCATE ON "stock_movement"
  FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "refuse_change"();
