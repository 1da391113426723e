-- The state an install leaves behind, and that it is stable: the bootstrap
-- can run again, every migration is recorded once, and exposed tables that
-- existed before the install were given their trigger by 0004 (except those
-- set exposed = false, 0012).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(10);

SELECT results_eq('SELECT version, name FROM dynapi.migrations ORDER BY version',
                  $$VALUES (1, '0001_core_tables'), (2, '0002_request_context'), (3, '0003_passwords'),
                           (4, '0004_row_events'), (5, '0005_schema_events'), (6, '0006_acl_events'),
                           (7, '0007_admin_api'), (8, '0008_configuration'), (9, '0009_query_support'),
                           (10, '0010_validation'), (11, '0011_actions'), (12, '0012_table_settings')$$,
                  'every migration is recorded exactly once');
SELECT is_empty('SELECT 1 FROM dynapi.migrations WHERE applied_at IS NULL OR applied_at > now()',
                'applied_at is recorded');

-- What the installer runs before every migration must stay harmless.
\ir ../bootstrap.sql
SELECT is((SELECT count(*) FROM dynapi.migrations), 12::bigint, 'running the bootstrap again keeps the migration log');
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
                           ('table_settings.dynapi_schema_events'), ('table_settings.dynapi_table_settings_sync'),
                           ('table_settings.dynapi_table_settings_truncate')$$,
                  'actions and table_settings have their triggers, once each');

-- Every leaf table under an exposed, non-temporary, non-extension root has
-- exactly one dynapi_row_events trigger unless its settings say
-- exposed = false, and nothing else has one.
SELECT is_empty($$
    WITH leaf AS (
        SELECT c.oid, coalesce(pg_partition_root(c.oid), c.oid) AS root
          FROM pg_class c WHERE c.relkind = 'r' AND c.relpersistence <> 't'
    ), expected AS (
        SELECT leaf.oid FROM leaf
          JOIN pg_class r ON r.oid = leaf.root
          JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname IN (SELECT name FROM dynapi.exposed_schemas)
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                      AND d.objid = r.oid AND d.deptype = 'e')
           AND NOT EXISTS (SELECT 1 FROM dynapi.table_settings s
                            WHERE s.table_name = dynapi.api_name(r.oid) AND NOT s.exposed)
    )
    SELECT oid::regclass FROM expected
     WHERE (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = expected.oid AND t.tgname = 'dynapi_row_events') <> 1
    $$, 'every exposed table has exactly one row trigger');
SELECT is_empty($$
    SELECT t.tgrelid::regclass FROM pg_trigger t
     WHERE t.tgname = 'dynapi_row_events'
       AND EXISTS (SELECT 1 FROM dynapi.table_settings s
                    WHERE s.table_name = dynapi.api_name(coalesce(pg_partition_root(t.tgrelid), t.tgrelid)) AND NOT s.exposed)
    $$, 'no table set exposed = false has one');
SELECT is_empty($$
    SELECT t.tgrelid::regclass FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
     WHERE t.tgfoid = 'dynapi.notify_row_event()'::regprocedure
       AND (c.relkind <> 'r' OR c.relnamespace = 'dynapi'::regnamespace)
    $$, 'no row trigger on partitioned tables or on dynapi''s own tables');

SELECT * FROM finish();
ROLLBACK;
