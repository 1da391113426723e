-- Applies migrations/:name.sql as version :version, unless dynapi.migrations
-- already lists it: one transaction, under the installers' advisory lock.
-- Included by install.sql once per migration, with both variables set; it
-- does what `dynapi install` does for each migration.

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
SET LOCAL client_min_messages = warning;
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = :version) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/:name.sql
INSERT INTO dynapi.migrations (version, name) VALUES (:version, :'name');
\endif
COMMIT;
