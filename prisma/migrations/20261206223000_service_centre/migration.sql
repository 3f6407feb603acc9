-- Community service centres (address, phone, opening hours) and which centre serves each community.
CREATE TABLE "service_centre" (
    "code" TEXT NOT NULL,
    "name_zh" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "address_zh" TEXT NOT NULL,
    "address_en" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "hours" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "service_centre_pkey" PRIMARY KEY ("code")
);

ALTER TABLE "community" ADD COLUMN "service_centre_code" TEXT;

ALTER TABLE "community" ADD CONSTRAINT "community_service_centre_code_fkey" FOREIGN KEY ("service_centre_code") REFERENCES "service_centre"("code") ON DELETE SET NULL ON UPDATE CASCADE;
