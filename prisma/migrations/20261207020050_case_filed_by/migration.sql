-- Who filed a case for the resident (walk-in filing at the window, proxy filing by a community worker).
CREATE TYPE "filed_via" AS ENUM ('bot', 'window', 'proxy');

ALTER TABLE "case" ADD COLUMN "filed_by_staff_id" UUID,
ADD COLUMN "filed_via" "filed_via" NOT NULL DEFAULT 'bot';
