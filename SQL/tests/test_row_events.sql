-- 0004, as changed by 0013 and 0014: the row-event triggers and the
-- functions that attach and remove them. What the triggers write to
-- dynapi.change_log is checked in test_change_log.sql, the functions 0014
-- generates per table in test_row_log_functions.sql.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(50);

\ir support/row_triggers.sql

SELECT has_function('dynapi', 'api_name', ARRAY['regclass']);
-- 0013's generic function stays for the row triggers of trees with a
-- foreign table (see test_schema_events.sql).
SELECT function_returns('dynapi', 'log_row_changes', '{}'::name[], 'trigger');
SELECT is_definer('dynapi', 'log_row_changes', '{}'::name[]);
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc AS p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                       WHERE p.oid = 'dynapi.log_row_changes()'::regprocedure AND a.grantee = 0),
          'log_row_changes: EXECUTE revoked from PUBLIC');
-- No SET clause: every writer would pay for it. Everything in the function
-- is schema-qualified instead (test_change_log.sql writes with a hostile
-- search_path).
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'dynapi.log_row_changes()'::regprocedure),
          NULL, 'log_row_changes: no SET clause');
SELECT function_returns('dynapi', 'attach_row_trigger', ARRAY['regclass'], 'void');
SELECT function_returns('dynapi', 'detach_row_trigger', ARRAY['regclass'], 'void');
SELECT function_returns('dynapi', 'attach_row_triggers', '{}'::name[], 'integer');
-- 0013 replaced the per-row NOTIFY trigger and its helpers.
SELECT hasnt_function('dynapi', 'notify_row_event', '{}'::name[]);
SELECT hasnt_function('dynapi', 'row_event_payload', ARRAY['text', 'text', 'jsonb']);
SELECT hasnt_function('dynapi', 'row_event_pk', ARRAY['jsonb', 'text[]']);
SELECT is_empty($$SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'dynapi_row_events'$$,
                'no table has the old per-row dynapi_row_events trigger');

-- API names
CREATE SCHEMA dynapi_test_sales;
CREATE TABLE public.dynapi_test_customer (id serial PRIMARY KEY, name text);
CREATE TABLE dynapi_test_sales.invoice (no text PRIMARY KEY);
CREATE TABLE public."Dynapi Test Odd" (id int PRIMARY KEY);
SELECT is(dynapi.api_name('public.dynapi_test_customer'), 'dynapi_test_customer', 'api_name: public tables are bare');
SELECT is(dynapi.api_name('dynapi_test_sales.invoice'), 'dynapi_test_sales.invoice', 'api_name: others are schema-qualified');
SELECT is(dynapi.api_name('public."Dynapi Test Odd"'), 'Dynapi Test Odd', 'api_name: names are not quoted');

-- Triggers on tables in exposed schemas (attached by the 0005 event trigger on CREATE TABLE)
SELECT trigger_is('public', 'dynapi_test_customer', 'dynapi_row_events_' || op, 'dynapi',
                  dynapi.row_log_function_name('dynapi_test_customer', op),
                  format('exposed tables get the dynapi_row_events_%s trigger, running the table''s generated %1$s function', op))
  FROM unnest(ARRAY['insert', 'update', 'delete']) AS op;
-- tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate.
SELECT results_eq($$SELECT tgname::text COLLATE "default", tgtype::int, tgnewtable::text COLLATE "default",
                           tgoldtable::text COLLATE "default", tgenabled::text
                      FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal
                     ORDER BY tgname$$,
                  $$VALUES ('dynapi_row_events_delete', 8, NULL, 'dynapi_rows', 'O'),
                           ('dynapi_row_events_insert', 4, 'dynapi_rows', NULL, 'O'),
                           ('dynapi_row_events_update', 16, 'dynapi_rows', NULL, 'O')$$,
                  'AFTER INSERT / UPDATE / DELETE, FOR EACH STATEMENT, with the NEW or OLD transition table');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          'trigger arguments: the mode and the API name (the key is in the function)');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_customer'), ARRAY['id'], '... whose body reads the key column');
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), NULL, 'tables outside exposed schemas get none');
SELECT is(pg_temp.row_trigger_args('public."Dynapi Test Odd"'), ARRAY['notify', 'Dynapi Test Odd'],
          'the API name is not quoted');

CREATE TABLE public.dynapi_test_line (order_id int, line_no int, qty int, PRIMARY KEY (line_no, order_id));
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_line'), ARRAY['line_no', 'order_id'],
          'composite key: the functions read its columns in key order');
CREATE TABLE public.dynapi_test_nokey (v text);
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_nokey'), '{}'::text[],
          'a table without a key: its functions read no column');

SELECT lives_ok($$INSERT INTO public.dynapi_test_customer (name) VALUES ('a');
                  UPDATE public.dynapi_test_customer SET name = 'b';
                  DELETE FROM public.dynapi_test_customer$$, 'the triggers fire for insert, update and delete');
SELECT lives_ok($$INSERT INTO public."Dynapi Test Odd" VALUES (1)$$, 'quoted table names work');

-- Direct calls
SELECT lives_ok($$SELECT dynapi.detach_row_trigger('public.dynapi_test_customer')$$, 'detach_row_trigger');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), NULL, '... removes the triggers');
SELECT lives_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_customer')$$, 'attach_row_trigger');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          '... puts them back');
SELECT array_agg(oid ORDER BY oid) AS trigger_oids FROM pg_trigger
 WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal \gset
SELECT lives_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_customer')$$, 'attach_row_trigger twice is harmless');
SELECT is((SELECT array_agg(oid ORDER BY oid) FROM pg_trigger
            WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal),
          :'trigger_oids'::oid[], '... and leaves the same three triggers untouched');
CREATE VIEW public.dynapi_test_view AS SELECT 1 AS x;
SELECT throws_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_view')$$, '42809', NULL,
                 'attach_row_trigger refuses views');
CREATE TEMP TABLE dynapi_test_temp (id int PRIMARY KEY);
SELECT dynapi.attach_row_trigger('pg_temp.dynapi_test_temp');
SELECT is(pg_temp.row_trigger_args('pg_temp.dynapi_test_temp'), NULL, 'temporary tables never get the triggers');

-- A table that still has the old per-row trigger (an install before 0013) is moved to the new ones.
SELECT dynapi.detach_row_trigger('public.dynapi_test_line');
SELECT dynapi.run_internal_ddl('CREATE FUNCTION pg_temp.old_row_event() RETURNS trigger LANGUAGE plpgsql AS ''BEGIN RETURN NULL; END''');
SELECT dynapi.run_internal_ddl('CREATE TRIGGER dynapi_row_events AFTER INSERT OR UPDATE OR DELETE ON public.dynapi_test_line '
                               'FOR EACH ROW EXECUTE FUNCTION pg_temp.old_row_event(''line_no'', ''order_id'')');
SELECT dynapi.attach_row_trigger('public.dynapi_test_line');
SELECT is(ARRAY(SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_line'::regclass AND NOT tgisinternal
                 ORDER BY tgname),
          ARRAY['dynapi_row_events_delete', 'dynapi_row_events_insert', 'dynapi_row_events_update'],
          'attach_row_trigger replaces an old per-row dynapi_row_events trigger');

SELECT dynapi.detach_row_trigger('public.dynapi_test_customer');
SELECT is(dynapi.attach_row_triggers(), pg_temp.logging_tables(),
          'attach_row_triggers counts every table in the exposed schemas that logs events');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          '... and re-attaches missing triggers');

-- dynapi.exposed_schemas drives attachment
SELECT has_trigger('dynapi', 'exposed_schemas', 'dynapi_exposed_schemas_sync', 'exposed_schemas has its sync trigger');
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), ARRAY['notify', 'dynapi_test_sales.invoice'],
          'exposing a schema attaches its tables');
DELETE FROM dynapi.exposed_schemas WHERE name = 'dynapi_test_sales';
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), NULL, 'un-exposing it detaches them');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          '... and leaves other schemas alone');

-- Modes
UPDATE dynapi.event_settings SET event_mode = 'log';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['log', 'dynapi_test_customer'],
          'event_settings.event_mode = log re-attaches every table in mode log');
UPDATE dynapi.event_settings SET event_mode = 'off';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), NULL, 'mode off removes the triggers');
SELECT is(dynapi.attach_row_triggers(), 0, '... and attach_row_triggers counts no table');
CREATE TABLE public.dynapi_test_new (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_new'), NULL, '... nor does CREATE TABLE attach any');
INSERT INTO dynapi.table_settings (table_name, event_mode) VALUES ('dynapi_test_new', 'log');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_new'), ARRAY['log', 'dynapi_test_new'],
          'a table''s own event_mode beats the default');
UPDATE dynapi.event_settings SET event_mode = 'notify';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          'back to notify: the triggers come back');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_new'), ARRAY['log', 'dynapi_test_new'],
          '... except where the table says otherwise');

-- Writers need no access to schema dynapi
CREATE ROLE dynapi_test_writer NOLOGIN;
GRANT INSERT, SELECT, UPDATE, DELETE ON public.dynapi_test_customer TO dynapi_test_writer;
GRANT USAGE ON SEQUENCE public.dynapi_test_customer_id_seq TO dynapi_test_writer;
SET LOCAL ROLE dynapi_test_writer;
SELECT lives_ok($$INSERT INTO public.dynapi_test_customer (name) VALUES ('c');
                  UPDATE public.dynapi_test_customer SET name = 'd';
                  DELETE FROM public.dynapi_test_customer$$,
                'a role without USAGE on schema dynapi can still write to exposed tables');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
