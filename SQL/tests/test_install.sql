-- The state an install leaves behind, and that it is stable: the bootstrap
-- can run again, every migration is recorded once, the function files'
-- objects are there once each (what they define, and that applying them
-- again changes nothing, is test_functions.sql's), nothing retired is left,
-- and exposed tables that existed before the install were given their
-- row-event triggers (functions/16_upkeep.sql): three statement triggers on
-- functions generated per table, none for tables set exposed = false.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(14);

SELECT results_eq('SELECT version, name FROM dynapi.migrations ORDER BY version',
                  $$VALUES (1, '0001_core_tables'), (2, '0002_request_context'), (3, '0003_passwords'),
                           (4, '0004_row_events'), (5, '0005_schema_events'), (6, '0006_acl_events'),
                           (7, '0007_admin_api'), (8, '0008_configuration'), (9, '0009_query_support'),
                           (10, '0010_validation'), (11, '0011_actions'), (12, '0012_table_settings'),
                           (13, '0013_change_log'), (14, '0014_row_log_functions'),
                           (15, '0015_schema_change_relations'), (16, '0016_ddl_cost'),
                           (17, '0017_key_columns'), (18, '0018_schema_api'), (19, '0019_row_history')$$,
                  'every migration is recorded exactly once');
SELECT is_empty('SELECT 1 FROM dynapi.migrations WHERE applied_at IS NULL OR applied_at > now()',
                'applied_at is recorded');

-- What the installer runs before every migration must stay harmless.
\ir ../bootstrap.sql
SELECT is((SELECT count(*) FROM dynapi.migrations), 19::bigint, 'running the bootstrap again keeps the migration log');
SELECT lives_ok($$SELECT pg_advisory_xact_lock(4242000001)$$, 'the installer''s advisory lock can be taken');

SELECT is((SELECT count(*) FROM pg_event_trigger WHERE evtfoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'dynapi'::regnamespace)),
          2::bigint, 'two event triggers, no duplicates');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'dynapi.exposed_schemas'::regclass AND NOT tgisinternal),
          1::bigint, 'one sync trigger on exposed_schemas');
SELECT results_eq($$SELECT format('%s.%s', c.relname, t.tgname) COLLATE "default" FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
                    WHERE c.oid IN ('dynapi.actions'::regclass, 'dynapi.table_settings'::regclass)
                      AND NOT t.tgisinternal ORDER BY 1$$,
                  $$VALUES ('actions.dynapi_acl_events'), ('actions.dynapi_check_action'), ('actions.dynapi_schema_events'),
                           ('table_settings.dynapi_acl_events'), ('table_settings.dynapi_check_table_settings'),
                           ('table_settings.dynapi_history_sync'), ('table_settings.dynapi_history_truncate'),
                           ('table_settings.dynapi_schema_events'), ('table_settings.dynapi_table_settings_sync'),
                           ('table_settings.dynapi_table_settings_truncate')$$,
                  'actions and table_settings have their triggers, once each');

SELECT results_eq($$SELECT t.tgname::text COLLATE "default" FROM pg_trigger AS t
                    WHERE t.tgrelid = 'dynapi.event_settings'::regclass AND NOT t.tgisinternal ORDER BY 1$$,
                  $$VALUES ('dynapi_acl_events'), ('dynapi_event_settings_sync'), ('dynapi_keep_event_settings'),
                           ('dynapi_schema_events')$$,
                  'event_settings has its triggers, once each');
SELECT is((SELECT count(*) FROM dynapi.event_settings), 1::bigint, 'event_settings has its one row');

-- Every member of a table tree (root, intermediate, leaf) under an exposed,
-- non-temporary, non-extension root whose event mode is not off (nor
-- exposed = false) has exactly the three row-event triggers, with the
-- root's mode and name as arguments, each running the root's generated
-- function for its command (0014), or, in a tree with a foreign table,
-- log_row_changes per row (partitioned tables above a foreign partition have
-- none), as a foreign table of its own does (0017); nothing else has any.
SELECT is_empty($$
    WITH member AS (
        SELECT c.oid, coalesce(pg_partition_root(c.oid), c.oid) AS root
          FROM pg_class c WHERE (c.relkind IN ('r', 'p') OR (c.relkind = 'f' AND NOT c.relispartition))
           AND c.relpersistence <> 't'
           AND NOT (c.relkind = 'p' AND EXISTS (SELECT 1 FROM pg_partition_tree(c.oid) AS t
                                                  JOIN pg_class AS f ON f.oid = t.relid WHERE f.relkind = 'f'))
    ), expected AS (
        SELECT member.oid, member.root FROM member
          JOIN pg_class r ON r.oid = member.root
          JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname IN (SELECT name FROM dynapi.exposed_schemas)
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                      AND d.objid = r.oid AND d.deptype = 'e')
           AND dynapi.event_mode(dynapi.api_name(r.oid)) <> 'off'
    )
    SELECT oid::regclass FROM expected
     WHERE (SELECT count(*) FROM pg_trigger t
             JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgrelid = expected.oid
               AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
               AND (p.oid = 'dynapi.log_row_changes()'::regprocedure AND t.tgtype & 1 = 1
                    OR p.pronamespace = 'dynapi'::regnamespace
                       AND p.proname = dynapi.row_log_function_name(dynapi.api_name(expected.root), substr(t.tgname, 19)))
               AND (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1:2]
                   = ARRAY[dynapi.event_mode(dynapi.api_name(expected.root)), dynapi.api_name(expected.root)]) <> 3
    $$, 'every exposed table has exactly its three row-event triggers');
SELECT is_empty($$
    SELECT t.tgrelid::regclass FROM pg_trigger t
     WHERE (t.tgname LIKE 'dynapi\_row\_events%' OR t.tgfoid = 'dynapi.log_row_changes()'::regprocedure
            OR t.tgfoid::regproc::text LIKE 'dynapi.row\_log\_%')
       AND dynapi.event_mode(dynapi.api_name(coalesce(pg_partition_root(t.tgrelid), t.tgrelid))) = 'off'
    $$, 'no table whose event mode is off (or set exposed = false) has one');
SELECT is_empty($$
    SELECT t.tgrelid::regclass FROM pg_trigger t
     WHERE t.tgname = 'dynapi_row_events'
        OR ((t.tgname LIKE 'dynapi\_row\_events%' OR t.tgfoid = 'dynapi.log_row_changes()'::regprocedure
             OR t.tgfoid::regproc::text LIKE 'dynapi.row\_log\_%')
            AND (SELECT c.relnamespace FROM pg_class c WHERE c.oid = t.tgrelid) = 'dynapi'::regnamespace)
    $$, 'no old per-row trigger anywhere, no row-event trigger on dynapi''s own tables');
-- 0004's per-row NOTIFY, retired by 0013: never created by a fresh install,
-- dropped by an upgrade once the tables have their new triggers.
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'dynapi'::regnamespace
       AND p.proname IN ('notify_row_event', 'row_event_payload', 'row_event_pk')
    $$, 'no retired function is left');
-- Generated functions that no trigger runs are dropped as they fall out of
-- use (0014), so an install leaves none behind.
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'dynapi'::regnamespace AND p.proname LIKE 'row\_log\_%' AND p.pronargs = 0
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid)
    $$, 'no generated row-log function without a trigger');

SELECT * FROM finish();
ROLLBACK;
