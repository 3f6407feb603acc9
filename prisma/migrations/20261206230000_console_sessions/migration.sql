-- The web console: one-time sign-in links (sent by the bot on /console) and browser sessions. Only keyed
-- hashes of their secrets are stored.
CREATE TABLE "console_login_link" (
    "token_hash" BYTEA NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),

    CONSTRAINT "console_login_link_pkey" PRIMARY KEY ("token_hash")
);

CREATE INDEX "console_login_link_expires_at_idx" ON "console_login_link"("expires_at");

CREATE TABLE "console_session" (
    "id_hash" BYTEA NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "console_session_pkey" PRIMARY KEY ("id_hash")
);

CREATE INDEX "console_session_telegram_id_idx" ON "console_session"("telegram_id");
CREATE INDEX "console_session_expires_at_idx" ON "console_session"("expires_at");
