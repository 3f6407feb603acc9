-- CreateEnum
CREATE TYPE "department_kind" AS ENUM ('education', 'health', 'civil_affairs', 'human_resources', 'public_security', 'neighbourhood');

-- CreateEnum
CREATE TYPE "school_stage" AS ENUM ('kindergarten', 'primary', 'junior');

-- CreateEnum
CREATE TYPE "calendar_day_kind" AS ENUM ('holiday', 'workday');

-- CreateEnum
CREATE TYPE "sex" AS ENUM ('male', 'female');

-- CreateEnum
CREATE TYPE "relation" AS ENUM ('spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'other');

-- CreateTable
CREATE TABLE "district" (
    "code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,

    CONSTRAINT "district_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "community" (
    "code" TEXT NOT NULL,
    "district_code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "community_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "building" (
    "id" UUID NOT NULL,
    "community_code" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "units" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "building_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "department" (
    "code" TEXT NOT NULL,
    "district_code" TEXT NOT NULL,
    "kind" "department_kind" NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "window_no" TEXT NOT NULL,
    "case_prefix" TEXT NOT NULL,
    "telegram_group_id" BIGINT,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "department_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "service" (
    "code" TEXT NOT NULL,
    "department_kind" "department_kind" NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sort_order" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "service_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "hospital" (
    "code" TEXT NOT NULL,
    "district_code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "hospital_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "school" (
    "code" TEXT NOT NULL,
    "district_code" TEXT NOT NULL,
    "stage" "school_stage" NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "school_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "calendar_day" (
    "date" DATE NOT NULL,
    "kind" "calendar_day_kind" NOT NULL,
    "note_zh" TEXT NOT NULL,

    CONSTRAINT "calendar_day_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "telegram_user" (
    "telegram_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "language_code" TEXT,
    "locale" TEXT,
    "unreachable" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "telegram_user_pkey" PRIMARY KEY ("telegram_id")
);

-- CreateTable
CREATE TABLE "household" (
    "id" UUID NOT NULL,
    "community_code" TEXT NOT NULL,
    "building_id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "room" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "household_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resident" (
    "id" UUID NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "household_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "phone_cipher" BYTEA NOT NULL,
    "id_number_cipher" BYTEA NOT NULL,
    "id_number_hash" BYTEA NOT NULL,
    "birth_date" DATE NOT NULL,
    "sex" "sex" NOT NULL,
    "consent_version" TEXT NOT NULL,
    "consent_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "resident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "household_member" (
    "id" UUID NOT NULL,
    "household_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "relation" "relation" NOT NULL,
    "sex" "sex" NOT NULL,
    "birth_date" DATE NOT NULL,
    "id_number_cipher" BYTEA,
    "id_number_hash" BYTEA,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "household_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_state" (
    "key" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "community_district_code_idx" ON "community"("district_code");

-- CreateIndex
CREATE UNIQUE INDEX "building_community_code_code_key" ON "building"("community_code", "code");

-- CreateIndex
CREATE UNIQUE INDEX "department_district_code_kind_key" ON "department"("district_code", "kind");

-- CreateIndex
CREATE INDEX "hospital_district_code_idx" ON "hospital"("district_code");

-- CreateIndex
CREATE INDEX "school_district_code_stage_idx" ON "school"("district_code", "stage");

-- CreateIndex
CREATE INDEX "household_community_code_building_id_idx" ON "household"("community_code", "building_id");

-- CreateIndex
CREATE UNIQUE INDEX "resident_telegram_id_key" ON "resident"("telegram_id");

-- CreateIndex
CREATE UNIQUE INDEX "resident_id_number_hash_key" ON "resident"("id_number_hash");

-- CreateIndex
CREATE INDEX "resident_household_id_idx" ON "resident"("household_id");

-- CreateIndex
CREATE INDEX "household_member_id_number_hash_idx" ON "household_member"("id_number_hash");

-- CreateIndex
CREATE UNIQUE INDEX "household_member_household_id_id_number_hash_key" ON "household_member"("household_id", "id_number_hash");

-- CreateIndex
CREATE INDEX "conversation_state_updated_at_idx" ON "conversation_state"("updated_at");

-- AddForeignKey
ALTER TABLE "community" ADD CONSTRAINT "community_district_code_fkey" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "building" ADD CONSTRAINT "building_community_code_fkey" FOREIGN KEY ("community_code") REFERENCES "community"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "department" ADD CONSTRAINT "department_district_code_fkey" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hospital" ADD CONSTRAINT "hospital_district_code_fkey" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "school" ADD CONSTRAINT "school_district_code_fkey" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "household" ADD CONSTRAINT "household_community_code_fkey" FOREIGN KEY ("community_code") REFERENCES "community"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "household" ADD CONSTRAINT "household_building_id_fkey" FOREIGN KEY ("building_id") REFERENCES "building"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resident" ADD CONSTRAINT "resident_telegram_id_fkey" FOREIGN KEY ("telegram_id") REFERENCES "telegram_user"("telegram_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resident" ADD CONSTRAINT "resident_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "household_member" ADD CONSTRAINT "household_member_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "household"("id") ON DELETE CASCADE ON UPDATE CASCADE;
