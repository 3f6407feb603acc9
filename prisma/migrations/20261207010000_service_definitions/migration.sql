-- Services as data: every version of every service definition loaded, and the version a case was filed under.
CREATE TABLE "service_definition" (
    "code" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "first_loaded_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_definition_pkey" PRIMARY KEY ("code","hash")
);

ALTER TABLE "case" ADD COLUMN "service_version" INTEGER;
ALTER TABLE "case" ADD COLUMN "service_hash" TEXT;
