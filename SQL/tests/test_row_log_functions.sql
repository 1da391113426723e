-- 0014: the row-log trigger functions generated per table (API name, key and
-- mode), which replaced 0013's generic log_row_changes for the statement
-- triggers: their names, their properties, their bodies, and that they
-- follow the table through mode changes, renames, new keys, partitioning
-- and drops, and are dropped once no trigger runs them. What they log in
-- every case (and with a hostile search_path) is checked in
-- test_change_log.sql, change_log_follow there too.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(75);

\ir support/row_triggers.sql
-- The three (delete, insert, update) of a table, NULL for those missing.
CREATE FUNCTION pg_temp.fns(api_name text) RETURNS regprocedure[] LANGUAGE sql AS $$
    SELECT ARRAY[pg_temp.fn(api_name, 'delete'), pg_temp.fn(api_name, 'insert'), pg_temp.fn(api_name, 'update')]
$$;
-- What the three should be called, as the triggers show them.
CREATE FUNCTION pg_temp.names(api_name text) RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT 'dynapi.' || quote_ident(dynapi.row_log_function_name(api_name, c)) || '()'
                   FROM unnest(ARRAY['delete', 'insert', 'update']) AS c)
$$;
-- The functions a table's row-event triggers run (delete, insert, update);
-- {} without triggers.
CREATE FUNCTION pg_temp.trigger_functions(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT t.tgfoid::regprocedure::text FROM pg_trigger AS t
                  WHERE t.tgrelid = rel AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update',
                                                         'dynapi_row_events_delete')
                  ORDER BY t.tgname)
$$;
-- The generated functions there are whose names are like those of a table
-- (by API name), whatever their hash and command.
CREATE FUNCTION pg_temp.generated_like(api_name text) RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc AS p
                  WHERE p.pronamespace = 'dynapi'::regnamespace AND p.pronargs = 0
                    AND p.proname ~ ('^' || left(dynapi.row_log_function_name(api_name, 'x'), -11) || '_[0-9a-f]{8}_[a-z]+$')
                  ORDER BY p.proname)
$$;
-- The bodies of a table's three functions (delete, insert, update).
CREATE FUNCTION pg_temp.sources(api_name text) RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT (SELECT p.prosrc FROM pg_proc AS p WHERE p.oid = f) FROM unnest(pg_temp.fns(api_name)) WITH ORDINALITY AS u(f, o)
                  ORDER BY o)
$$;

-- Start from the defaults.
DELETE FROM dynapi.table_settings;
UPDATE dynapi.event_settings SET event_mode = DEFAULT;

----------------------------------------------------------------------------
-- Objects
SELECT function_returns('dynapi', 'row_log_function_name', ARRAY['text', 'text'], 'text');
SELECT volatility_is('dynapi', 'row_log_function_name', ARRAY['text', 'text'], 'immutable');
SELECT function_returns('dynapi', 'ensure_row_log_function', ARRAY['text', 'text', 'text', 'text[]'], 'regprocedure');
SELECT function_returns('dynapi', 'drop_unused_row_log_functions', ARRAY['oid[]'], 'integer');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.oid IN ('dynapi.row_log_function_name(text, text)'::regprocedure,
                                   'dynapi.ensure_row_log_function(text, text, text, text[])'::regprocedure,
                                   'dynapi.drop_unused_row_log_functions(oid[])'::regprocedure,
                                   'dynapi.change_log_follow(bigint)'::regprocedure)
                     AND obj_description(p.oid, 'pg_proc') IS NULL$$,
                'the functions are documented');
SELECT is(ARRAY[dynapi.row_log_function_name('customer', 'INSERT'), dynapi.row_log_function_name('Sales.Odd "Name"', 'Delete')],
          ARRAY['row_log_customer_91ec1f93_insert', 'row_log_sales_odd_name__baecd242_delete'],
          'row_log_function_name: row_log_, the API name folded to lower-case letters, digits and _, 8 hex digits of its md5, the command');
SELECT is(dynapi.row_log_function_name(repeat('x', 63) || '.' || repeat('y', 63), 'update'),
          'row_log_' || repeat('x', 32) || '_c7c643f0_update',
          '... the name cut to 32 characters, so that the longest is 56 (an identifier may have 63)');

----------------------------------------------------------------------------
-- A served table has its three functions, and its triggers run them.
CREATE TABLE public.dynapi_test_customer (id int PRIMARY KEY, name text);
SELECT is(pg_temp.generated_like('dynapi_test_customer'), pg_temp.names('dynapi_test_customer'),
          'a served table has exactly three generated functions, named by row_log_function_name');
SELECT is(pg_temp.trigger_functions('public.dynapi_test_customer'), pg_temp.names('dynapi_test_customer'),
          '... which its three triggers run, one each');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          '... with the mode and the API name as arguments');
SELECT is(ARRAY(SELECT format('%s %s %s %s', l.lanname, p.prorettype::regtype,
                                CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' ELSE 'SECURITY INVOKER' END,
                                coalesce(p.proconfig::text, 'no SET'))
                  FROM unnest(pg_temp.fns('dynapi_test_customer')) AS f
                  JOIN pg_proc AS p ON p.oid = f JOIN pg_language AS l ON l.oid = p.prolang),
          ARRAY['plpgsql trigger SECURITY DEFINER no SET', 'plpgsql trigger SECURITY DEFINER no SET',
                'plpgsql trigger SECURITY DEFINER no SET'],
          '... plpgsql trigger functions, SECURITY DEFINER (the writer usually has no access to schema dynapi), '
          'without SET clause (every writing statement would pay for it)');
SELECT is_definer('dynapi', dynapi.row_log_function_name('dynapi_test_customer', c), '{}'::name[],
                  format('the %s function is SECURITY DEFINER', c))
  FROM unnest(ARRAY['insert', 'update', 'delete']) AS c;
SELECT is_empty($$SELECT f FROM unnest(pg_temp.fns('dynapi_test_customer')) AS f
                   JOIN pg_proc AS p ON p.oid = f
                  CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                  WHERE a.grantee = 0$$,
                '... EXECUTE is revoked from PUBLIC (firing needs no EXECUTE privilege)');
SELECT is(ARRAY(SELECT obj_description(f, 'pg_proc') FROM unnest(pg_temp.fns('dynapi_test_customer')) AS f),
          ARRAY['Generated by DynAPI (dynapi.attach_row_trigger): AFTER DELETE statement trigger of table dynapi_test_customer, mode notify: logs each row''s key to dynapi.change_log as deleted and NOTIFYs dynapi_events.',
                'Generated by DynAPI (dynapi.attach_row_trigger): AFTER INSERT statement trigger of table dynapi_test_customer, mode notify: logs each row''s key to dynapi.change_log as created and NOTIFYs dynapi_events.',
                'Generated by DynAPI (dynapi.attach_row_trigger): AFTER UPDATE statement trigger of table dynapi_test_customer, mode notify: logs each row''s key to dynapi.change_log as updated and NOTIFYs dynapi_events.'],
          '... and a comment naming the table, the command and the mode');
-- The body: one INSERT ... SELECT with the API name, the event and the key
-- as constants, everything schema-qualified; in mode notify the NOTIFY.
-- (NOTIFY is only delivered at commit, which this test never reaches: its
-- call in the body is what is checked.)
SELECT is(ARRAY(SELECT substring(s FROM 'INSERT INTO dynapi.change_log \(table_name, event, pks\)\s+SELECT ([^\n]*)\n\s+FROM dynapi_rows AS r\n')
                  FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          ARRAY['''dynapi_test_customer'', ''deleted'', pg_catalog.jsonb_build_array(r.id)',
                '''dynapi_test_customer'', ''created'', pg_catalog.jsonb_build_array(r.id)',
                '''dynapi_test_customer'', ''updated'', pg_catalog.jsonb_build_array(r.id)'],
          'the body logs the API name, the event and the key of every row of the transition table');
SELECT ok((SELECT bool_and(s LIKE '%IF FOUND THEN%PERFORM pg_catalog.pg_notify(''dynapi_events'', pg_catalog.pg_current_xact_id()::pg_catalog.text);%')
             FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          'mode notify: after logging a row, the body NOTIFYs dynapi_events with the transaction id');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer VALUES (1, 'a'), (2, 'b');
UPDATE public.dynapi_test_customer SET name = 'c' WHERE id = 2;
DELETE FROM public.dynapi_test_customer WHERE id = 1;
SELECT results_eq('SELECT * FROM pg_temp.logged(false)',
                  $$VALUES ('dynapi_test_customer', 'created', '[1]'::jsonb), ('dynapi_test_customer', 'created', '[2]'::jsonb),
                           ('dynapi_test_customer', 'updated', '[2]'::jsonb), ('dynapi_test_customer', 'deleted', '[1]'::jsonb)$$,
                  '... and writes log through them, one entry per row');

-- Idempotent: nothing is re-created that is already as wanted.
SELECT array_agg(p.ctid::text ORDER BY p.oid) AS customer_versions FROM pg_proc AS p
 WHERE p.oid = ANY (pg_temp.fns('dynapi_test_customer')) \gset
SELECT array_agg(t.oid ORDER BY t.oid) AS customer_triggers FROM pg_trigger AS t
 WHERE t.tgrelid = 'public.dynapi_test_customer'::regclass AND NOT t.tgisinternal \gset
SELECT dynapi.attach_row_trigger('public.dynapi_test_customer');
SELECT is(dynapi.ensure_row_log_function('dynapi_test_customer', 'notify', 'INSERT', ARRAY['id']),
          pg_temp.fn('dynapi_test_customer', 'insert'), 'ensure_row_log_function returns the function');
SELECT ok((SELECT array_agg(p.ctid::text ORDER BY p.oid) FROM pg_proc AS p
            WHERE p.oid = ANY (pg_temp.fns('dynapi_test_customer'))) = :'customer_versions'::text[]
          AND (SELECT array_agg(t.oid ORDER BY t.oid) FROM pg_trigger AS t
                WHERE t.tgrelid = 'public.dynapi_test_customer'::regclass AND NOT t.tgisinternal) = :'customer_triggers'::oid[],
          '... and, like attach_row_trigger again, leaves functions and triggers that are as wanted untouched');
SELECT throws_ok($$SELECT dynapi.ensure_row_log_function('dynapi_test_customer', 'loud', 'INSERT', ARRAY['id'])$$, '22023', NULL,
                 'ensure_row_log_function refuses a mode other than notify or log');
SELECT throws_ok($$SELECT dynapi.ensure_row_log_function('dynapi_test_customer', 'log', 'TRUNCATE', ARRAY['id'])$$, '22023', NULL,
                 '... and a command other than INSERT, UPDATE or DELETE');

----------------------------------------------------------------------------
-- Mode changes replace the bodies of the same functions.
SELECT pg_temp.fns('dynapi_test_customer') AS customer_fns \gset
INSERT INTO dynapi.table_settings (table_name, event_mode) VALUES ('dynapi_test_customer', 'log');
SELECT is(pg_temp.fns('dynapi_test_customer'), :'customer_fns'::regprocedure[],
          'mode notify to log: the same functions (same names, same oids) ...');
SELECT ok((SELECT bool_and(s NOT LIKE '%pg_notify%' AND s LIKE '%INSERT INTO dynapi.change_log%')
             FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          '... whose bodies log without NOTIFY now');
SELECT ok((SELECT bool_and(obj_description(f, 'pg_proc') LIKE '%, mode log: logs each row''s key to dynapi.change_log as %d.')
             FROM unnest(pg_temp.fns('dynapi_test_customer')) AS f),
          '... and whose comments say mode log');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['log', 'dynapi_test_customer'],
          '... and the triggers'' arguments say log');
UPDATE dynapi.table_settings SET event_mode = 'notify' WHERE table_name = 'dynapi_test_customer';
SELECT ok(pg_temp.fns('dynapi_test_customer') = :'customer_fns'::regprocedure[]
          AND (SELECT bool_and(s LIKE '%pg_catalog.pg_notify(''dynapi_events''%') FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          'back to notify: the same functions NOTIFY again');
UPDATE dynapi.event_settings SET event_mode = 'log';
SELECT ok(pg_temp.fns('dynapi_test_customer') = :'customer_fns'::regprocedure[]
          AND (SELECT bool_and(s LIKE '%pg_catalog.pg_notify(''dynapi_events''%') FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          'a table whose own mode is notify keeps it when the default becomes log');
DELETE FROM dynapi.table_settings;
SELECT ok((SELECT bool_and(s NOT LIKE '%pg_notify%') FROM unnest(pg_temp.sources('dynapi_test_customer')) AS s),
          '... and follows the default once its own setting is gone');
UPDATE dynapi.event_settings SET event_mode = DEFAULT;

----------------------------------------------------------------------------
-- Off: exposed = false, or event_mode off, removes the triggers and the
-- functions; back on, both are made again.
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_customer', false);
SELECT is(pg_temp.trigger_functions('public.dynapi_test_customer'), '{}'::text[], 'exposed = false: no triggers');
SELECT is(pg_temp.generated_like('dynapi_test_customer'), '{}'::text[], '... and no generated functions');
UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'dynapi_test_customer';
SELECT is(pg_temp.trigger_functions('public.dynapi_test_customer'), pg_temp.names('dynapi_test_customer'),
          'exposed again: the triggers and their functions are back');
UPDATE dynapi.table_settings SET event_mode = 'off' WHERE table_name = 'dynapi_test_customer';
SELECT ok(pg_temp.trigger_functions('public.dynapi_test_customer') = '{}' AND pg_temp.generated_like('dynapi_test_customer') = '{}',
          'event_mode off: neither triggers nor functions');
DELETE FROM dynapi.table_settings;
SELECT is(pg_temp.trigger_functions('public.dynapi_test_customer'), pg_temp.names('dynapi_test_customer'),
          'settings gone: both back');
CREATE TABLE public.dynapi_test_other (id int PRIMARY KEY);
UPDATE dynapi.event_settings SET event_mode = 'off';
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'dynapi'::regnamespace AND p.proname LIKE 'row\_log\_%' AND p.pronargs = 0$$,
                'event_settings.event_mode off: no generated function is left');
UPDATE dynapi.event_settings SET event_mode = DEFAULT;
SELECT ok(pg_temp.trigger_functions('public.dynapi_test_customer') = pg_temp.names('dynapi_test_customer')
          AND pg_temp.trigger_functions('public.dynapi_test_other') = pg_temp.names('dynapi_test_other'),
          '... and back to notify, every table has them again');

----------------------------------------------------------------------------
-- New keys: the body follows the primary key, in the same functions.
SELECT pg_temp.fns('dynapi_test_other') AS other_fns \gset
ALTER TABLE public.dynapi_test_other ADD COLUMN code text, ADD COLUMN n int;
ALTER TABLE public.dynapi_test_other DROP CONSTRAINT dynapi_test_other_pkey;
SELECT ok((SELECT bool_and(s LIKE '%SELECT ''dynapi_test_other'', ''%'', ''[null]''::pg_catalog.jsonb%')
             FROM unnest(pg_temp.sources('dynapi_test_other')) AS s),
          'dropping the primary key: the body logs null');
ALTER TABLE public.dynapi_test_other ADD PRIMARY KEY (code);
SELECT ok((SELECT bool_and(s LIKE '%pg_catalog.jsonb_build_array(r.code)%') FROM unnest(pg_temp.sources('dynapi_test_other')) AS s),
          'a primary key on another column: the body logs that column');
ALTER TABLE public.dynapi_test_other DROP CONSTRAINT dynapi_test_other_pkey, ADD PRIMARY KEY (n, code);
SELECT ok((SELECT bool_and(s LIKE '%pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(''n'', r.n, ''code'', r.code))%')
             FROM unnest(pg_temp.sources('dynapi_test_other')) AS s),
          'a composite primary key: the body logs an object of its columns, in key order');
SELECT is(pg_temp.fns('dynapi_test_other'), :'other_fns'::regprocedure[], '... all in the same functions');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_other VALUES (1, 'a', 5);
SELECT results_eq('SELECT * FROM pg_temp.logged(false)', $$VALUES ('dynapi_test_other', 'created', '[{"n": 5, "code": "a"}]'::jsonb)$$,
                  '... and a write in the same session logs the new key');

----------------------------------------------------------------------------
-- Renames: functions for the new name, the old ones dropped.
SELECT pg_temp.names('dynapi_test_customer') AS customer_names \gset
ALTER TABLE public.dynapi_test_customer RENAME TO dynapi_test_client;
SELECT is(pg_temp.trigger_functions('public.dynapi_test_client'), pg_temp.names('dynapi_test_client'),
          'a renamed table: its triggers run functions generated for the new name');
SELECT is(ARRAY(SELECT to_regprocedure(n) FROM unnest(:'customer_names'::text[]) AS n), ARRAY[NULL, NULL, NULL]::regprocedure[],
          '... and those of the old name are dropped');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_client'), ARRAY['notify', 'dynapi_test_client'], '... its arguments say the new name');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_client VALUES (3, 'd');
SELECT results_eq('SELECT * FROM pg_temp.logged(false)', $$VALUES ('dynapi_test_client', 'created', '[3]'::jsonb)$$,
                  '... and writes are logged under it');
-- A renamed schema changes the API names of its tables.
CREATE SCHEMA dynapi_test_s1;
CREATE TABLE dynapi_test_s1.t (id int PRIMARY KEY);
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_s1'), ('dynapi_test_s2');
SELECT is(pg_temp.trigger_functions('dynapi_test_s1.t'), pg_temp.names('dynapi_test_s1.t'),
          'a table in another exposed schema: functions named after schema.table');
ALTER SCHEMA dynapi_test_s1 RENAME TO dynapi_test_s2;
SELECT ok(pg_temp.trigger_functions('dynapi_test_s2.t') = pg_temp.names('dynapi_test_s2.t')
          AND pg_temp.generated_like('dynapi_test_s1.t') = '{}',
          'renaming its schema: functions for the new name, those of the old one dropped');
ALTER SCHEMA dynapi_test_s2 RENAME TO dynapi_test_s3;
SELECT ok(pg_temp.trigger_functions('dynapi_test_s3.t') = '{}' AND pg_temp.generated_like('dynapi_test_s2.t') = '{}',
          'renaming it to a schema that is not exposed: neither triggers nor functions');

----------------------------------------------------------------------------
-- Partition trees: every member runs the root's functions.
CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_m_2020 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE public.dynapi_test_m_2021 (d date NOT NULL, id int NOT NULL);
SELECT is(pg_temp.trigger_functions('public.dynapi_test_m_2021'), pg_temp.names('dynapi_test_m_2021'),
          'a standalone table has functions of its own');
ALTER TABLE public.dynapi_test_m ATTACH PARTITION public.dynapi_test_m_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
SELECT is(ARRAY[pg_temp.trigger_functions('public.dynapi_test_m'), pg_temp.trigger_functions('public.dynapi_test_m_2020'),
                pg_temp.trigger_functions('public.dynapi_test_m_2021')],
          ARRAY[pg_temp.names('dynapi_test_m'), pg_temp.names('dynapi_test_m'), pg_temp.names('dynapi_test_m')],
          'the root and its partitions, old and new, run the root''s functions');
SELECT is(pg_temp.generated_like('dynapi_test_m_2021'), '{}'::text[], '... and the attached table''s own are dropped');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_m_2021 (id, d) VALUES (1, '2021-05-05');
SELECT results_eq('SELECT * FROM pg_temp.logged(false)', $$VALUES ('dynapi_test_m', 'created', '[{"d": "2021-05-05", "id": 1}]'::jsonb)$$,
                  '... and a write through it logs the root''s name and key (its columns are in another order)');
ALTER TABLE public.dynapi_test_m DETACH PARTITION public.dynapi_test_m_2021;
SELECT ok(pg_temp.trigger_functions('public.dynapi_test_m_2021') = pg_temp.names('dynapi_test_m_2021')
          AND pg_temp.trigger_functions('public.dynapi_test_m_2020') = pg_temp.names('dynapi_test_m'),
          'a detached partition gets functions of its own again; the tree keeps the root''s');
DROP TABLE public.dynapi_test_m_2020;
SELECT is(pg_temp.generated_like('dynapi_test_m'), pg_temp.names('dynapi_test_m'),
          'dropping a partition leaves the root''s functions, still in use');

----------------------------------------------------------------------------
-- Drops: functions no trigger runs any more go.
DROP TABLE public.dynapi_test_m;
SELECT is(pg_temp.generated_like('dynapi_test_m'), '{}'::text[], 'dropping a table drops its generated functions');
SELECT is(pg_temp.generated_like('dynapi_test_client'), pg_temp.names('dynapi_test_client'), '... and no other table''s');
DROP TRIGGER dynapi_row_events_update ON public.dynapi_test_client;
SELECT is(ARRAY[pg_temp.fn('dynapi_test_client', 'delete') IS NOT NULL, pg_temp.fn('dynapi_test_client', 'insert') IS NOT NULL,
                pg_temp.fn('dynapi_test_client', 'update') IS NOT NULL],
          ARRAY[true, true, false], 'dropping a trigger by hand drops the function it ran, the others stay');
SELECT dynapi.attach_row_trigger('public.dynapi_test_client');
SELECT is(pg_temp.trigger_functions('public.dynapi_test_client'), pg_temp.names('dynapi_test_client'),
          'attach_row_trigger makes it again');
DROP TABLE public.dynapi_test_client, public.dynapi_test_other, dynapi_test_s3.t, public.dynapi_test_m_2021;
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'dynapi'::regnamespace AND p.proname LIKE 'row\_log\_%' AND p.pronargs = 0$$,
                'dropping the last tables leaves no generated function');

-- drop_unused_row_log_functions itself: only unused generated functions
-- among the candidates (all of them for NULL).
SELECT dynapi.ensure_row_log_function('dynapi_test_nowhere', 'log', 'INSERT', NULL) AS stray \gset
SELECT is(dynapi.drop_unused_row_log_functions(ARRAY['dynapi.log_row_changes()'::regprocedure::oid]), 0,
          'drop_unused_row_log_functions: not a candidate, not dropped (and never log_row_changes)');
SELECT is(dynapi.drop_unused_row_log_functions(), 1, '... NULL: every unused generated function');
SELECT ok(to_regprocedure(:'stray') IS NULL AND to_regprocedure('dynapi.log_row_changes()') IS NOT NULL,
          '... which is gone; log_row_changes stays');

----------------------------------------------------------------------------
-- Names: whatever the table's name, a function of a name an identifier
-- allows, logging the API name exactly.
CREATE TABLE public."Dynapi Test Odd ""Name""" (id int PRIMARY KEY);
CREATE SCHEMA "Dynapi Test Sales";
INSERT INTO dynapi.exposed_schemas VALUES ('Dynapi Test Sales');
CREATE TABLE "Dynapi Test Sales"."it's a\table" (no text PRIMARY KEY);
CREATE TABLE public.dynapi_test_63_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (id int PRIMARY KEY);
CREATE TABLE public."dynapi_test_a-b" (id int PRIMARY KEY);
CREATE TABLE public."dynapi_test_a b" (id int PRIMARY KEY);
SELECT is(length('dynapi_test_63_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), 63, '(a table name of 63 characters)');
SELECT is(ARRAY(SELECT pg_temp.trigger_functions(t) = pg_temp.names(dynapi.api_name(t))
                  FROM unnest(ARRAY['public."Dynapi Test Odd ""Name"""', '"Dynapi Test Sales"."it''s a\table"',
                                    'public.dynapi_test_63_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
                                    'public."dynapi_test_a-b"', 'public."dynapi_test_a b"']::regclass[]) AS t),
          ARRAY[true, true, true, true, true],
          'names that need quoting, a 63-character name: each table''s triggers run its generated functions');
SELECT is(ARRAY[dynapi.row_log_function_name('Dynapi Test Odd "Name"', 'insert'),
                dynapi.row_log_function_name('Dynapi Test Sales.it''s a\table', 'insert')],
          ARRAY['row_log_dynapi_test_odd_name__' || left(md5('Dynapi Test Odd "Name"'), 8) || '_insert',
                'row_log_dynapi_test_sales_it_s_a_table_' || left(md5('Dynapi Test Sales.it''s a\table'), 8) || '_insert'],
          '... of readable names');
SELECT isnt(pg_temp.names('dynapi_test_a-b'), pg_temp.names('dynapi_test_a b'),
            'two names that fold to the same readable part get distinct functions');
SELECT pg_temp.mark();
INSERT INTO public."Dynapi Test Odd ""Name""" VALUES (1);
INSERT INTO "Dynapi Test Sales"."it's a\table" VALUES ('x''y');
INSERT INTO public.dynapi_test_63_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx VALUES (63);
INSERT INTO public."dynapi_test_a-b" VALUES (1);
INSERT INTO public."dynapi_test_a b" VALUES (2);
SELECT results_eq('SELECT * FROM pg_temp.logged(false)',
                  $$VALUES ('Dynapi Test Odd "Name"', 'created', '[1]'::jsonb),
                           ('Dynapi Test Sales.it''s a\table', 'created', '["x''y"]'::jsonb),
                           ('dynapi_test_63_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'created', '[63]'::jsonb),
                           ('dynapi_test_a-b', 'created', '[1]'::jsonb), ('dynapi_test_a b', 'created', '[2]'::jsonb)$$,
                  '... and each logs its API name exactly');
-- A key column whose name needs quoting.
CREATE TABLE public.dynapi_test_qk ("Key ""1""" int, "it's" text, PRIMARY KEY ("Key ""1""", "it's"));
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_qk VALUES (1, 'a');
SELECT results_eq('SELECT * FROM pg_temp.logged(false)', $$VALUES ('dynapi_test_qk', 'created', '[{"it''s": "a", "Key \"1\"": 1}]'::jsonb)$$,
                  'key columns whose names need quoting are logged under their names');

----------------------------------------------------------------------------
-- Trees with a foreign table keep 0013's row triggers on log_row_changes,
-- and need no generated function.
CREATE FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE SERVER dynapi_test_server FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE TABLE public.dynapi_test_ip (id int PRIMARY KEY, v text);
SELECT is(pg_temp.trigger_functions('public.dynapi_test_ip'), pg_temp.names('dynapi_test_ip'),
          'an inheritance parent alone: generated functions');
CREATE FOREIGN TABLE public.dynapi_test_ip_f () INHERITS (public.dynapi_test_ip) SERVER dynapi_test_server;
SELECT is(pg_temp.trigger_functions('public.dynapi_test_ip'),
          ARRAY['dynapi.log_row_changes()', 'dynapi.log_row_changes()', 'dynapi.log_row_changes()'],
          'with a foreign child: row triggers on log_row_changes');
SELECT is(ARRAY(SELECT t.tgtype & 1 FROM pg_trigger AS t WHERE t.tgrelid = 'public.dynapi_test_ip'::regclass AND NOT t.tgisinternal),
          ARRAY[1, 1, 1], '... FOR EACH ROW');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ip'), ARRAY['notify', 'dynapi_test_ip', '0', 'id'],
          '... with 0013''s arguments: mode, API name, key position 0, key columns');
SELECT is(pg_temp.generated_like('dynapi_test_ip'), '{}'::text[], '... and the generated functions are dropped');
DROP FOREIGN TABLE public.dynapi_test_ip_f;
SELECT dynapi.attach_row_trigger('public.dynapi_test_ip');
SELECT is(pg_temp.trigger_functions('public.dynapi_test_ip'), pg_temp.names('dynapi_test_ip'),
          'without it again: statement triggers on generated functions');

SELECT * FROM finish();
ROLLBACK;
