-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "sending_since" TIMESTAMPTZ(3);


-- Hand-written constraints (Prisma cannot express them) below.
