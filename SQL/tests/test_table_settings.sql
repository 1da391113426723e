-- 0012: live table settings: the column lists are checked, exposed = false
-- removes the row trigger and keeps it off through DDL, exposing again (or
-- deleting the settings) puts it back, and changes notify dynapi_schema.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(66);

-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql
\ir support/row_triggers.sql

-- Whether a table carries the row-event triggers (since 0013 three
-- statement triggers, dynapi_row_events_insert, _update and _delete; since
-- 0014 each runs its tree root's generated function for its command).
CREATE FUNCTION pg_temp.has_row_trigger(rel regclass) RETURNS boolean LANGUAGE sql AS $$
    SELECT count(*) = 3 FROM pg_trigger AS t
      JOIN pg_proc AS p ON p.oid = t.tgfoid
     WHERE t.tgrelid = rel AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
       AND p.pronamespace = 'dynapi'::regnamespace
       AND p.proname = dynapi.row_log_function_name(dynapi.api_name(coalesce(pg_partition_root(rel), rel)), substr(t.tgname, 19))
$$;
-- Tables among rels that carry them.
CREATE FUNCTION pg_temp.with_trigger(VARIADIC rels regclass[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(r::text ORDER BY r::text), '{}')
      FROM unnest(rels) AS r
     WHERE pg_temp.has_row_trigger(r)
$$;

DELETE FROM dynapi.table_settings;

----------------------------------------------------------------------------
-- Objects. tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate.
SELECT function_returns('dynapi', 'check_table_settings', '{}'::name[], 'trigger');
SELECT function_returns('dynapi', 'on_table_settings_change', '{}'::name[], 'trigger');
SELECT is_definer('dynapi', 'on_table_settings_change', '{}'::name[]);
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc AS p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                       WHERE p.oid = 'dynapi.on_table_settings_change()'::regprocedure AND a.grantee = 0),
          'on_table_settings_change: EXECUTE revoked from PUBLIC');
SELECT function_returns('dynapi', 'attach_row_trigger', ARRAY['regclass'], 'void');
SELECT function_returns('dynapi', 'attach_row_triggers', '{}'::name[], 'integer');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.oid IN ('dynapi.check_table_settings()'::regprocedure, 'dynapi.on_table_settings_change()'::regprocedure,
                                   'dynapi.attach_row_trigger(regclass)'::regprocedure, 'dynapi.attach_row_triggers()'::regprocedure)
                     AND obj_description(p.oid, 'pg_proc') IS NULL$$,
                'the functions are documented');
SELECT trigger_is('dynapi', 'table_settings', 'dynapi_check_table_settings', 'dynapi', 'check_table_settings');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.table_settings'::regclass AND tgname = 'dynapi_check_table_settings'),
          (1 | 2 | 4 | 16)::int2, 'dynapi_check_table_settings: BEFORE INSERT OR UPDATE, FOR EACH ROW');
SELECT trigger_is('dynapi', 'table_settings', 'dynapi_table_settings_sync', 'dynapi', 'on_table_settings_change');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.table_settings'::regclass AND tgname = 'dynapi_table_settings_sync'),
          (1 | 4 | 8 | 16)::int2, 'dynapi_table_settings_sync: AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW');
SELECT trigger_is('dynapi', 'table_settings', 'dynapi_table_settings_truncate', 'dynapi', 'on_table_settings_change');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.table_settings'::regclass AND tgname = 'dynapi_table_settings_truncate'),
          32::int2, 'dynapi_table_settings_truncate: AFTER TRUNCATE, FOR EACH STATEMENT');
SELECT trigger_is('dynapi', 'table_settings', 'dynapi_schema_events', 'dynapi', 'notify_schema_change');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.table_settings'::regclass AND tgname = 'dynapi_schema_events'),
          (4 | 8 | 16 | 32)::int2, 'dynapi_schema_events (NOTIFY dynapi_schema): AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE, FOR EACH STATEMENT');
SELECT trigger_is('dynapi', 'table_settings', 'dynapi_acl_events', 'dynapi', 'notify_acl_change');

----------------------------------------------------------------------------
-- Column lists
SELECT lives_ok($$INSERT INTO dynapi.table_settings (table_name, hidden_columns, read_only_columns)
                  VALUES ('dynapi_test_future', '{no_such_column,"Odd Name"}', '{" "}')$$,
                'settings for a table that does not exist, naming columns that do not exist, are accepted');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, hidden_columns) VALUES ('t1', ARRAY['a', NULL])$$) - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "hidden_columns must not contain NULL", "column": "hidden_columns"}'::jsonb,
          'a NULL in hidden_columns is refused with 22023, COLUMN hidden_columns');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, read_only_columns) VALUES ('t1', ARRAY[NULL::text])$$) - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "read_only_columns must not contain NULL", "column": "read_only_columns"}'::jsonb,
          'a NULL in read_only_columns too');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, hidden_columns) VALUES ('t1', '{a,""}')$$) - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "hidden_columns must not contain empty column names", "column": "hidden_columns"}'::jsonb,
          'an empty name in hidden_columns is refused');
SELECT throws_ok($$INSERT INTO dynapi.table_settings (table_name, read_only_columns) VALUES ('t1', '{""}')$$,
                 '22023', 'read_only_columns must not contain empty column names', 'an empty name in read_only_columns too');
SELECT throws_ok($$INSERT INTO dynapi.table_settings (table_name, hidden_columns) VALUES ('t1', '{{a,b},{c,d}}')$$,
                 '22023', 'hidden_columns must be a list of column names, not a 2 dimensional array', 'a two-dimensional list');
SELECT throws_ok($$UPDATE dynapi.table_settings SET read_only_columns = read_only_columns || NULL::text
                    WHERE table_name = 'dynapi_test_future'$$,
                 '22023', 'read_only_columns must not contain NULL', 'UPDATE is checked too');
SELECT throws_ok($$INSERT INTO dynapi.table_settings (table_name, hidden_columns) VALUES ('t1', NULL)$$,
                 '23502', NULL, 'a NULL list is left to NOT NULL');
SELECT throws_ok($$SELECT dynapi.import_config('{"table_settings": [{"table_name": "t1", "hidden_columns": ["a", ""]}]}')$$,
                 '22023', 'hidden_columns must not contain empty column names', 'import_config is checked the same way');
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.table_settings WHERE table_name = 't1'), 'refused settings were not written');

----------------------------------------------------------------------------
-- exposed = false removes the row trigger; exposing again puts it back.
CREATE TABLE public.dynapi_test_customer (id int PRIMARY KEY, name text);
CREATE TABLE public.dynapi_test_other (id int PRIMARY KEY);
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer'), 'a new exposed table has its row trigger');

INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_customer', false);
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), 'INSERT exposed = false removes it');
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_other'), '... from that table only');
SELECT lives_ok($$INSERT INTO public.dynapi_test_customer VALUES (1, 'a')$$, 'the table is still writable');
UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'dynapi_test_customer';
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer'), 'UPDATE exposed = true puts it back');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal),
          3::bigint, '... once');
SELECT array_agg(oid ORDER BY oid) AS trigger_oids FROM pg_trigger
 WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal \gset
UPDATE dynapi.table_settings SET label = 'Customers', hidden_columns = '{name}' WHERE table_name = 'dynapi_test_customer';
SELECT is((SELECT array_agg(oid ORDER BY oid) FROM pg_trigger
            WHERE tgrelid = 'public.dynapi_test_customer'::regclass AND NOT tgisinternal),
          :'trigger_oids'::oid[], 'changing only the label or lists leaves the triggers alone');
UPDATE dynapi.table_settings SET exposed = false WHERE table_name = 'dynapi_test_customer';
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), 'UPDATE exposed = false removes it');
DELETE FROM dynapi.table_settings WHERE table_name = 'dynapi_test_customer';
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer'), 'deleting the settings puts it back');
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_customer', true);
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer'), 'settings with exposed = true keep it');

-- Settings renamed from one table to another
UPDATE dynapi.table_settings SET exposed = false WHERE table_name = 'dynapi_test_customer';
UPDATE dynapi.table_settings SET table_name = 'dynapi_test_other' WHERE table_name = 'dynapi_test_customer';
SELECT is(pg_temp.with_trigger('public.dynapi_test_customer', 'public.dynapi_test_other'), ARRAY['dynapi_test_customer'],
          'moving unexposed settings to another table moves the absence of a trigger');
DELETE FROM dynapi.table_settings WHERE table_name = 'dynapi_test_other';

-- Several rows in one statement, and import_config
SELECT is(dynapi.import_config('{"table_settings": [{"table_name": "dynapi_test_customer", "exposed": false},
                                                    {"table_name": "dynapi_test_other", "exposed": false}]}') -> 'table_settings',
          '2'::jsonb, 'import_config with two unexposed tables');
SELECT is(pg_temp.with_trigger('public.dynapi_test_customer', 'public.dynapi_test_other'), '{}'::text[], '... removes both triggers');
UPDATE dynapi.table_settings SET exposed = true;
SELECT is(pg_temp.with_trigger('public.dynapi_test_customer', 'public.dynapi_test_other'),
          ARRAY['dynapi_test_customer', 'dynapi_test_other'], 'one UPDATE exposing both puts both back');
DELETE FROM dynapi.table_settings;

-- Names that resolve to nothing are skipped silently.
SELECT lives_ok($$INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_nothing', false), ('a.b.c', false);
                  UPDATE dynapi.table_settings SET exposed = true WHERE table_name IN ('dynapi_test_nothing', 'a.b.c');
                  DELETE FROM dynapi.table_settings WHERE table_name IN ('dynapi_test_nothing', 'a.b.c')$$,
                'settings for tables that do not exist can be toggled and deleted');
CREATE SCHEMA dynapi_test_hidden;
CREATE TABLE dynapi_test_hidden.secret (id int PRIMARY KEY);
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_hidden.secret', false);
DELETE FROM dynapi.table_settings WHERE table_name = 'dynapi_test_hidden.secret';
SELECT ok(NOT pg_temp.has_row_trigger('dynapi_test_hidden.secret'),
          'deleting the settings of a table outside the exposed schemas attaches nothing');

-- Other exposed schemas
CREATE SCHEMA dynapi_test_sales;
CREATE TABLE dynapi_test_sales.invoice (no text PRIMARY KEY);
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
SELECT ok(pg_temp.has_row_trigger('dynapi_test_sales.invoice'), 'a table in another exposed schema has its trigger');
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_sales.invoice', false);
SELECT ok(NOT pg_temp.has_row_trigger('dynapi_test_sales.invoice'), '... which its settings (by API name) remove');
DELETE FROM dynapi.exposed_schemas WHERE name = 'dynapi_test_sales';
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
SELECT ok(NOT pg_temp.has_row_trigger('dynapi_test_sales.invoice'), 're-exposing its schema does not bring it back');

----------------------------------------------------------------------------
-- DDL on an unexposed table does not bring events back.
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_customer', false);
ALTER TABLE public.dynapi_test_customer ADD COLUMN email text;
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), 'ALTER TABLE ADD COLUMN on an unexposed table');
ALTER TABLE public.dynapi_test_customer DROP CONSTRAINT dynapi_test_customer_pkey, ADD PRIMARY KEY (id, name);
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), 'changing its primary key');
SELECT lives_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_customer')$$, 'attach_row_trigger on it');
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), '... does nothing');
SELECT is(dynapi.attach_row_triggers(), pg_temp.logging_tables(),
          'attach_row_triggers counts only the tables that emit events (not those set exposed = false)');
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer') AND NOT pg_temp.has_row_trigger('dynapi_test_sales.invoice'),
          '... and skips the unexposed ones');
CREATE TABLE public.dynapi_test_customer_copy (LIKE public.dynapi_test_customer);
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer_copy'), 'other tables still get their trigger on CREATE TABLE');

-- A table created after its settings
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_later', false);
CREATE TABLE public.dynapi_test_later (id int PRIMARY KEY);
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_later'), 'a table created after its exposed = false settings gets no trigger');

-- Renames: settings go by name.
ALTER TABLE public.dynapi_test_later RENAME TO dynapi_test_renamed;
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_renamed'), 'renaming a table away from an unexposed name attaches it');
ALTER TABLE public.dynapi_test_renamed RENAME TO dynapi_test_later;
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_later'), '... renaming it onto an unexposed name removes it');

-- Partitioned tables
CREATE TABLE public.dynapi_test_log (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_log_2020 PARTITION OF public.dynapi_test_log FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_log_2020'), 'a partition of an exposed table has the trigger');
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_log', false);
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_log_2020'), 'unexposing the partitioned table removes it from its partitions');
CREATE TABLE public.dynapi_test_log_2021 PARTITION OF public.dynapi_test_log FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_log_2021'), 'a new partition of an unexposed table gets none');
CREATE TABLE public.dynapi_test_log_2022 (id int, d date, PRIMARY KEY (id, d));
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_log_2022'), 'a standalone table has its own trigger ...');
ALTER TABLE public.dynapi_test_log ATTACH PARTITION public.dynapi_test_log_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_log_2022'), '... which it loses when attached to an unexposed table');
UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'dynapi_test_log';
SELECT is(pg_temp.with_trigger('public.dynapi_test_log', 'public.dynapi_test_log_2020', 'public.dynapi_test_log_2021',
                               'public.dynapi_test_log_2022'),
          ARRAY['dynapi_test_log', 'dynapi_test_log_2020', 'dynapi_test_log_2021', 'dynapi_test_log_2022'],
          'exposing it again puts the triggers on the partitioned table and every partition');

----------------------------------------------------------------------------
-- TRUNCATE: no settings at all, every table exposed.
TRUNCATE dynapi.table_settings;
SELECT is(pg_temp.with_trigger('public.dynapi_test_customer', 'public.dynapi_test_later', 'dynapi_test_sales.invoice'),
          ARRAY['dynapi_test_customer', 'dynapi_test_later', 'dynapi_test_sales.invoice'],
          'TRUNCATE dynapi.table_settings puts every trigger back');

-- Whoever may write the settings can toggle tables they do not own.
CREATE ROLE dynapi_test_admin NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynapi.table_settings TO dynapi_test_admin;
SET LOCAL ROLE dynapi_test_admin;
SELECT lives_ok($$INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_customer', false)$$,
                'a role that does not own the table can unexpose it');
RESET ROLE;
SELECT ok(NOT pg_temp.has_row_trigger('public.dynapi_test_customer'), '... and its trigger is gone');
SET LOCAL ROLE dynapi_test_admin;
SELECT lives_ok($$DELETE FROM dynapi.table_settings WHERE table_name = 'dynapi_test_customer'$$, '... and expose it again');
RESET ROLE;
SELECT ok(pg_temp.has_row_trigger('public.dynapi_test_customer'), '... with its trigger back');

SELECT * FROM finish();
ROLLBACK;
