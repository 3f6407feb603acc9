-- Skills training sign-up: the courses of the reference data, and the course a sign-up case takes a seat of
-- (a plain code, not personal data: the seats left are counted from it).

-- AlterTable
ALTER TABLE "case" ADD COLUMN     "course_code" TEXT;

-- CreateTable
CREATE TABLE "course" (
    "code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "place_zh" TEXT NOT NULL,
    "place_en" TEXT NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "seats" INTEGER NOT NULL,
    "district_codes" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "course_pkey" PRIMARY KEY ("code")
);

-- CreateIndex
CREATE INDEX "case_course_code_status_idx" ON "case"("course_code", "status");
