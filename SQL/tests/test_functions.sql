-- The function files (functions/, applied in order by apply_functions.sql)
-- run again at every install, on top of what is there: applying them once
-- more, and twice, must leave every definition as the install left it (the
-- functions replaced in place, the generated row-log functions untouched)
-- and write nothing to the change log or the schema change history. And
-- they must (re)define every function, view and trigger of the bundle, so
-- that none is defined only by a migration. (That install.sql and `dynapi install` list the same files,
-- and that no migration defines a function, is checked by the Swift tests,
-- which can read the files.)
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(10);

\ir support/row_triggers.sql

-- A served table, so that the upkeep has row-event triggers and generated
-- functions to leave alone.
CREATE TABLE public.dynapi_test_fn (id bigint PRIMARY KEY, v text);

-- Everything the function files define, as the catalog shows it: functions
-- and views (with their OID, privileges and comments: replaced in place,
-- they keep whatever was granted on them), the triggers that run the bundle's functions (on its own tables
-- and on served ones), the event triggers.
CREATE FUNCTION pg_temp.definitions() RETURNS TABLE (kind text, name text, definition text) LANGUAGE sql AS $$
    SELECT 'function', p.oid::regprocedure::text,
           concat_ws(E'\n', p.oid, pg_get_functiondef(p.oid), p.proacl, obj_description(p.oid, 'pg_proc'))
      FROM pg_proc AS p
     WHERE p.pronamespace = 'dynapi'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_depend AS d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'view', c.oid::regclass::text,
           concat_ws(E'\n', c.oid, pg_get_viewdef(c.oid), c.relacl, obj_description(c.oid, 'pg_class'),
                     (SELECT string_agg(format('%s: %s', a.attname, col_description(c.oid, a.attnum)), E'\n' ORDER BY a.attnum)
                        FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attnum > 0))
      FROM pg_class AS c
     WHERE c.relnamespace = 'dynapi'::regnamespace AND c.relkind = 'v'
    UNION ALL
    SELECT 'trigger', format('%s on %s', t.tgname, t.tgrelid::regclass),
           concat_ws(E'\n', pg_get_triggerdef(t.oid), t.tgenabled, obj_description(t.oid, 'pg_trigger'))
      FROM pg_trigger AS t
      JOIN pg_proc AS p ON p.oid = t.tgfoid
     WHERE p.pronamespace = 'dynapi'::regnamespace AND NOT t.tgisinternal
    UNION ALL
    SELECT 'event trigger', e.evtname::text,
           concat_ws(E'\n', e.evtevent, e.evtfoid::regprocedure, e.evtenabled, e.evttags)
      FROM pg_event_trigger AS e
      JOIN pg_proc AS p ON p.oid = e.evtfoid
     WHERE p.pronamespace = 'dynapi'::regnamespace
$$;

CREATE TEMPORARY TABLE dynapi_test_installed AS SELECT * FROM pg_temp.definitions();
SELECT count(*) AS log_before FROM dynapi.change_log \gset
SELECT count(*) AS history_before FROM dynapi.schema_changes \gset

-- As the installers run them (install.sql, Installer.applyFunctionFiles).
SET LOCAL dynapi.internal_ddl = on;
\ir ../apply_functions.sql
CREATE TEMPORARY TABLE dynapi_test_once AS SELECT * FROM pg_temp.definitions();

-- What the files just wrote is what this transaction wrote: every function
-- (but pgcrypto's and the generated ones), view and trigger of the bundle's
-- own, and both event triggers.
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'dynapi'::regnamespace AND p.xmin <> pg_current_xact_id()::xid
       AND NOT EXISTS (SELECT 1 FROM pg_depend AS d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
       AND NOT (p.proname LIKE 'row\_log\_%' AND p.pronargs = 0 AND p.prorettype = 'trigger'::regtype)
    $$, 'the function files define every function of the bundle (none is left to a migration)');
SELECT is_empty($$
    SELECT c.oid::regclass FROM pg_class AS c
      JOIN pg_rewrite AS r ON r.ev_class = c.oid
     WHERE c.relnamespace = 'dynapi'::regnamespace AND c.relkind = 'v' AND r.xmin <> pg_current_xact_id()::xid
    $$, '... every view');
SELECT is_empty($$
    SELECT t.tgname, t.tgrelid::regclass FROM pg_trigger AS t
      JOIN pg_class AS c ON c.oid = t.tgrelid
     WHERE c.relnamespace = 'dynapi'::regnamespace AND NOT t.tgisinternal AND t.xmin <> pg_current_xact_id()::xid
    $$, '... every trigger on its own tables and views');
SELECT is((SELECT count(*) FROM pg_event_trigger AS e
            WHERE e.evtname IN ('dynapi_ddl_command_end', 'dynapi_sql_drop') AND e.xmin = pg_current_xact_id()::xid),
          2::bigint, '... and both event triggers');

\ir ../apply_functions.sql
CREATE TEMPORARY TABLE dynapi_test_twice AS SELECT * FROM pg_temp.definitions();
SET LOCAL dynapi.internal_ddl = '';

SELECT set_eq('SELECT * FROM dynapi_test_once', 'SELECT * FROM dynapi_test_installed',
              'applied again, the function files leave every definition as the install left it');
SELECT set_eq('SELECT * FROM dynapi_test_twice', 'SELECT * FROM dynapi_test_once',
              '... and so a second time');
SELECT ok((SELECT count(*) FROM dynapi_test_twice WHERE kind = 'function') > 50
          AND (SELECT count(*) FROM dynapi_test_twice WHERE kind = 'view') = 3
          AND (SELECT count(*) FROM dynapi_test_twice WHERE kind = 'event trigger') = 2
          AND EXISTS (SELECT 1 FROM dynapi_test_twice WHERE kind = 'trigger' AND name LIKE '% on dynapi_test_fn'),
          '(what was compared: the functions, views, triggers and event triggers)');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_fn'), ARRAY['notify', 'dynapi_test_fn'],
          'a served table keeps its row-event triggers');
SELECT is((SELECT count(*) FROM dynapi.change_log), :log_before::bigint,
          'applying the function files logs nothing (the bundle''s own DDL is no change of the API)');
SELECT is((SELECT count(*) FROM dynapi.schema_changes), :history_before::bigint,
          '... and records nothing in the schema change history');

SELECT * FROM finish();
ROLLBACK;
