-- psql driver for the DynAPI SQL bundle:
--     psql -v ON_ERROR_STOP=1 -f SQL/install.sql "$DATABASE_URL"
-- It does exactly what `dynapi install` does: each migration in its own
-- transaction, serialised by an advisory lock (so two installers never
-- interleave), applied only if dynapi.migrations does not list it yet; then
-- every function file (functions/, listed in apply_functions.sql), in one
-- transaction under the same lock, whatever was applied before.
-- Running it again is harmless. Needs a superuser (event triggers).
-- Keep the list below in step with SQL/migrations/ (a test checks it).

\set ON_ERROR_STOP on

\set version 1
\set name 0001_core_tables
\ir apply_migration.sql

\set version 2
\set name 0002_request_context
\ir apply_migration.sql

\set version 3
\set name 0003_passwords
\ir apply_migration.sql

\set version 4
\set name 0004_row_events
\ir apply_migration.sql

\set version 5
\set name 0005_schema_events
\ir apply_migration.sql

\set version 6
\set name 0006_acl_events
\ir apply_migration.sql

\set version 7
\set name 0007_admin_api
\ir apply_migration.sql

\set version 8
\set name 0008_configuration
\ir apply_migration.sql

\set version 9
\set name 0009_query_support
\ir apply_migration.sql

\set version 10
\set name 0010_validation
\ir apply_migration.sql

\set version 11
\set name 0011_actions
\ir apply_migration.sql

\set version 12
\set name 0012_table_settings
\ir apply_migration.sql

\set version 13
\set name 0013_change_log
\ir apply_migration.sql

\set version 14
\set name 0014_row_log_functions
\ir apply_migration.sql

\set version 15
\set name 0015_schema_change_relations
\ir apply_migration.sql

\set version 16
\set name 0016_ddl_cost
\ir apply_migration.sql

\set version 17
\set name 0017_key_columns
\ir apply_migration.sql

\set version 18
\set name 0018_schema_api
\ir apply_migration.sql

\set version 19
\set name 0019_row_history
\ir apply_migration.sql

-- The functions, views and triggers: re-applied every time, in one
-- transaction. dynapi.internal_ddl makes the bundle's event triggers ignore
-- this DDL (it is not a change of the API's schema, and the event triggers
-- may be half replaced while it runs).
BEGIN;
SELECT pg_advisory_xact_lock(4242000001);
SET LOCAL client_min_messages = warning;
SET LOCAL dynapi.internal_ddl = on;
\ir apply_functions.sql
COMMIT;
