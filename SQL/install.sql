-- psql driver for the DynAPI SQL bundle:
--     psql -v ON_ERROR_STOP=1 -f SQL/install.sql "$DATABASE_URL"
-- It does exactly what `dynapi install` does: each migration in its own
-- transaction, serialised by an advisory lock (so two installers never
-- interleave), applied only if dynapi.migrations does not list it yet.
-- Running it again is harmless. Needs a superuser (event triggers).
-- Keep the list below in step with SQL/migrations/.

\set ON_ERROR_STOP on

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 1) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0001_core_tables.sql
INSERT INTO dynapi.migrations (version, name) VALUES (1, '0001_core_tables');
\endif
COMMIT;

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 2) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0002_request_context.sql
INSERT INTO dynapi.migrations (version, name) VALUES (2, '0002_request_context');
\endif
COMMIT;

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 3) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0003_passwords.sql
INSERT INTO dynapi.migrations (version, name) VALUES (3, '0003_passwords');
\endif
COMMIT;

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 4) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0004_row_events.sql
INSERT INTO dynapi.migrations (version, name) VALUES (4, '0004_row_events');
\endif
COMMIT;

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 5) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0005_schema_events.sql
INSERT INTO dynapi.migrations (version, name) VALUES (5, '0005_schema_events');
\endif
COMMIT;

BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
\ir bootstrap.sql
SELECT NOT EXISTS (SELECT 1 FROM dynapi.migrations WHERE version = 6) AS dynapi_apply \gset
\if :dynapi_apply
\ir migrations/0006_acl_events.sql
INSERT INTO dynapi.migrations (version, name) VALUES (6, '0006_acl_events');
\endif
COMMIT;
