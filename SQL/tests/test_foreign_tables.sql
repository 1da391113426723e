-- 0017: foreign tables served on their own (postgres_fdw: the tables of a
-- second database) log their row changes through row triggers, keyed by
-- table_settings.key_columns, which also gives foreign tables and views the
-- key the API's detail routes use. A wrapper without a handler stands in for
-- postgres_fdw here: nothing is written through it (the sidecar's
-- ForeignTableTests write through postgres_fdw end to end).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(30);

\ir support/errors.sql
\ir support/row_triggers.sql

DELETE FROM dynapi.table_settings;
CREATE FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE SERVER dynapi_test_server FOREIGN DATA WRAPPER dynapi_test_fdw;

----------------------------------------------------------------------------
-- Objects
SELECT function_returns('dynapi', 'api_foreign_table', ARRAY['text'], 'regclass');
SELECT function_returns('dynapi', 'settings_key_columns', ARRAY['regclass'], 'text[]');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.oid IN ('dynapi.api_foreign_table(text)'::regprocedure,
                                   'dynapi.settings_key_columns(regclass)'::regprocedure)
                     AND obj_description(p.oid, 'pg_proc') IS NULL$$,
                'the functions are documented');
SELECT col_type_is('dynapi', 'table_settings', 'key_columns', 'text[]', 'table_settings.key_columns is text[]');

----------------------------------------------------------------------------
-- key_columns is checked like the other lists, and may not name a column twice
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('t1', ARRAY['a', NULL])$$) - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "key_columns must not contain NULL", "column": "key_columns"}'::jsonb,
          'a NULL in key_columns is refused with 22023, COLUMN key_columns');
SELECT throws_ok($$INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('t1', '{""}')$$,
                 '22023', 'key_columns must not contain empty column names', 'an empty name in key_columns');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('t1', '{a,b,a}')$$) - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "key_columns must not name a column twice", "column": "key_columns"}'::jsonb,
          'a key naming a column twice is refused');
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.table_settings WHERE table_name = 't1'), 'refused settings were not written');

----------------------------------------------------------------------------
-- A foreign table of its own: three row triggers on log_row_changes, no key yet
CREATE FOREIGN TABLE public.dynapi_test_ft (code text, id int, v text) SERVER dynapi_test_server;
SELECT is(dynapi.api_foreign_table('dynapi_test_ft'), 'public.dynapi_test_ft'::regclass, 'api_foreign_table finds it by API name');
SELECT is(dynapi.api_table('dynapi_test_ft'), NULL, '... and api_table does not (actions lock rows of tables only)');
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_ft'::regclass ORDER BY tgname),
          ARRAY[1 | 8, 1 | 4, 1 | 16]::int2[], 'CREATE FOREIGN TABLE: AFTER row triggers (transition tables are refused on foreign tables)');
SELECT is(ARRAY(SELECT DISTINCT tgfoid::regproc::text FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_ft'::regclass),
          ARRAY['dynapi.log_row_changes'], '... on the generic log_row_changes');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['notify', 'dynapi_test_ft', '0'],
          '... arguments mode, API name, key position 0 and no key column');
SELECT is(dynapi.settings_key_columns('public.dynapi_test_ft'), '{}'::text[], 'no settings: no key');

-- Its key, from the settings
INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('dynapi_test_ft', '{id,code}');
SELECT is(dynapi.settings_key_columns('public.dynapi_test_ft'), '{id,code}'::text[], 'key_columns, in their order');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['notify', 'dynapi_test_ft', '0', 'id', 'code'],
          'setting key_columns re-attaches the triggers with that key');
UPDATE dynapi.table_settings SET key_columns = '{id,nope}' WHERE table_name = 'dynapi_test_ft';
SELECT is(dynapi.settings_key_columns('public.dynapi_test_ft'), '{}'::text[], 'a name that is not a column: no key at all');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['notify', 'dynapi_test_ft', '0'], '... and the triggers log none');
UPDATE dynapi.table_settings SET key_columns = '{id}' WHERE table_name = 'dynapi_test_ft';
ALTER FOREIGN TABLE public.dynapi_test_ft RENAME COLUMN id TO ident;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['notify', 'dynapi_test_ft', '0'],
          'renaming the key column away leaves it without a key');
ALTER FOREIGN TABLE public.dynapi_test_ft RENAME COLUMN ident TO id;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['notify', 'dynapi_test_ft', '0', 'id'],
          '... and renaming it back restores the key');

-- Event mode and exposed
UPDATE dynapi.table_settings SET event_mode = 'log' WHERE table_name = 'dynapi_test_ft';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['log', 'dynapi_test_ft', '0', 'id'], 'its event mode');
UPDATE dynapi.table_settings SET exposed = false WHERE table_name = 'dynapi_test_ft';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), NULL, 'exposed = false removes them');
UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'dynapi_test_ft';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft'), ARRAY['log', 'dynapi_test_ft', '0', 'id'], '... exposing it puts them back');
SELECT is(dynapi.attach_row_triggers(), pg_temp.logging_tables(), 'attach_row_triggers counts it among the logging tables');

-- Renamed: it logs its new name, whose settings give no key
ALTER FOREIGN TABLE public.dynapi_test_ft RENAME TO dynapi_test_ft2;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ft2'), ARRAY['notify', 'dynapi_test_ft2', '0'],
          'ALTER FOREIGN TABLE RENAME: the triggers log the new name');

-- Outside the exposed schemas it is not served, and logs nothing
CREATE SCHEMA dynapi_test_hidden;
ALTER FOREIGN TABLE public.dynapi_test_ft2 SET SCHEMA dynapi_test_hidden;
SELECT is(pg_temp.row_trigger_args('dynapi_test_hidden.dynapi_test_ft2'), NULL, 'moved to a schema that is not exposed: no triggers');

-- A foreign partition still logs nothing of its own (its tree's local leaves do)
CREATE TABLE public.dynapi_test_fp (id int, d date) PARTITION BY RANGE (d);
CREATE FOREIGN TABLE public.dynapi_test_fp_2019 PARTITION OF public.dynapi_test_fp FOR VALUES FROM ('2019-01-01') TO ('2020-01-01')
    SERVER dynapi_test_server;
SELECT is_empty($$SELECT 1 FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_fp_2019'::regclass$$, 'a foreign partition has none');
SELECT is(dynapi.api_foreign_table('dynapi_test_fp_2019'), NULL, '... and is not served on its own');

----------------------------------------------------------------------------
-- key_columns counts for relations without a primary key only
CREATE TABLE public.dynapi_test_plain (id int, v text);
CREATE VIEW public.dynapi_test_view AS SELECT id, v FROM public.dynapi_test_plain;
INSERT INTO dynapi.table_settings (table_name, key_columns) VALUES ('dynapi_test_plain', '{id}'), ('dynapi_test_view', '{id}');
SELECT is(dynapi.settings_key_columns('public.dynapi_test_view'), '{id}'::text[], 'a view has the key its settings name');
SELECT is(dynapi.settings_key_columns('public.dynapi_test_plain'), '{}'::text[],
          'a table does not: it can have a primary key of its own');

SELECT * FROM finish();
ROLLBACK;
