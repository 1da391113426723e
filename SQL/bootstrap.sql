-- Run before every migration, inside the migration's transaction and after
-- the advisory lock, so it must stay idempotent and must not end the
-- transaction. It only creates what is needed to ask "is migration N applied?".
CREATE SCHEMA IF NOT EXISTS dynapi;
CREATE TABLE IF NOT EXISTS dynapi.migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
