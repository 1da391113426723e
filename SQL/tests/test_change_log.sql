-- 0013 and 0014: the change log. What the row triggers write in each mode
-- (since 0014 through functions generated per table, one entry per row),
-- schema and ACL entries, ticks and batches, change_log_events,
-- change_log_follow, pruning, the event settings. Nothing can commit here, so
-- batches are checked with hand-made snapshots and entries carrying made-up
-- transaction ids far above any real one (from 10^12 on), and NOTIFY only
-- through the trigger arguments and the generated functions' bodies (its
-- delivery needs a commit; see test_row_log_functions.sql).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(147);

\ir support/row_triggers.sql
-- The functions a table's row-event triggers run (delete, insert, update),
-- 'generated' when they are those generated for the API name they log, or
-- NULL without triggers.
CREATE FUNCTION pg_temp.row_trigger_functions(rel regclass) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL
                WHEN count(*) = 3
                     AND bool_and(p.pronamespace = 'dynapi'::regnamespace
                                  AND p.proname = dynapi.row_log_function_name(
                                      (string_to_array(encode(t.tgargs, 'escape'), '\000'))[2], substr(t.tgname, 19)))
                    THEN 'generated'
                ELSE string_agg(t.tgfoid::regproc::text, ', ' ORDER BY t.tgname) END
      FROM pg_trigger AS t
      JOIN pg_proc AS p ON p.oid = t.tgfoid
     WHERE t.tgrelid = rel AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
$$;
-- The body of the generated function of a table (by API name) for a command.
CREATE FUNCTION pg_temp.row_log_source(api_name text, command text) RETURNS text LANGUAGE sql AS $$
    SELECT p.prosrc FROM pg_proc AS p
     WHERE p.pronamespace = 'dynapi'::regnamespace AND p.proname = dynapi.row_log_function_name(api_name, command)
$$;
-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql

-- Start from the defaults.
DELETE FROM dynapi.table_settings;
UPDATE dynapi.event_settings SET event_mode = DEFAULT, retention = DEFAULT;

----------------------------------------------------------------------------
-- Objects
SELECT columns_are('dynapi', 'change_log', ARRAY['id', 'xid', 'at', 'table_name', 'event', 'pks']);
SELECT is((SELECT attidentity FROM pg_attribute WHERE attrelid = 'dynapi.change_log'::regclass AND attname = 'id'),
          'a'::"char", 'change_log.id is GENERATED ALWAYS AS IDENTITY');
SELECT is((SELECT s.seqcache FROM pg_sequence AS s WHERE s.seqrelid = pg_get_serial_sequence('dynapi.change_log', 'id')::regclass),
          1::bigint, '... without CACHE, so that it orders entries as they were written');
SELECT col_type_is('dynapi', 'change_log', 'xid', 'xid8', 'change_log.xid is xid8');
SELECT col_default_is('dynapi', 'change_log', 'xid', 'pg_current_xact_id()', '... the writing transaction');
SELECT col_type_is('dynapi', 'change_log', 'pks', 'jsonb', 'change_log.pks is jsonb');
SELECT is(ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index AS i WHERE i.indrelid = 'dynapi.change_log'::regclass),
          ARRAY['CREATE INDEX change_log_xid_idx ON dynapi.change_log USING btree (xid)'],
          'change_log has one index, on xid, and no primary key');
SELECT ok((SELECT reloptions @> ARRAY['vacuum_truncate=false', 'autovacuum_vacuum_scale_factor=0']
             FROM pg_class WHERE oid = 'dynapi.change_log'::regclass),
          'change_log: vacuum never truncates it (that would lock writers out), and runs by row count');
SELECT is_empty($$SELECT conname FROM pg_constraint WHERE conrelid = 'dynapi.change_log'::regclass AND contype = 'c'$$,
                'no CHECK constraint on change_log (each would cost every writing statement)');
SELECT columns_are('dynapi', 'change_log_ticks', ARRAY['tick', 'snapshot', 'xid', 'at']);
SELECT col_is_pk('dynapi', 'change_log_ticks', 'tick', 'change_log_ticks.tick is the primary key');
SELECT col_type_is('dynapi', 'change_log_ticks', 'snapshot', 'pg_snapshot', 'change_log_ticks.snapshot is pg_snapshot');
SELECT ok((SELECT count(*) FROM dynapi.change_log_ticks) >= 1, 'there is a tick from the install on');

SELECT function_returns('dynapi', 'change_log_tick', '{}'::name[], 'bigint');
SELECT volatility_is('dynapi', 'change_log_tick', '{}'::name[], 'volatile');
SELECT is((SELECT pg_get_function_identity_arguments(p.oid) || ' -> ' || pg_get_function_result(p.oid)
             FROM pg_proc AS p WHERE p.oid = 'dynapi.change_log_events(bigint, bigint, integer, bigint, text)'::regprocedure),
          'since_tick bigint, since_id bigint, since_ord integer, upto_tick bigint, only_table text -> '
          'TABLE(tick bigint, id bigint, ord integer, table_name text, event text, pk jsonb)',
          'change_log_events: arguments and result columns');
SELECT is((SELECT pg_get_expr(p.proargdefaults, 0) FROM pg_proc AS p
            WHERE p.oid = 'dynapi.change_log_events(bigint, bigint, integer, bigint, text)'::regprocedure),
          'NULL::text', '... only_table defaults to NULL');
SELECT volatility_is('dynapi', 'change_log_events', ARRAY['bigint', 'bigint', 'integer', 'bigint', 'text'], 'stable');
SELECT is((SELECT pg_get_function_result('dynapi.change_log_bounds()'::regprocedure)),
          'TABLE(oldest_tick bigint, newest_tick bigint)', 'change_log_bounds: result columns');
SELECT function_returns('dynapi', 'prune_change_log', '{}'::name[], 'bigint');
SELECT function_returns('dynapi', 'event_mode', ARRAY['text'], 'text');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.pronamespace = 'dynapi'::regnamespace
                     AND p.proname IN ('change_log_between', 'change_log_tick', 'change_log_bounds', 'change_log_check_since',
                                       'change_log_events', 'change_log_follow', 'prune_change_log', 'event_mode', 'log_row_changes',
                                       'fix_stale_row_triggers', 'on_event_settings_change', 'keep_event_settings')
                     AND obj_description(p.oid, 'pg_proc') IS NULL$$,
                'the functions are documented');

-- event_settings: one row, always
SELECT results_eq('SELECT event_mode, retention FROM dynapi.event_settings',
                  $$VALUES ('notify', interval '24 hours')$$, 'event_settings: one row, notify, 24 hours');
SELECT throws_ok($$INSERT INTO dynapi.event_settings DEFAULT VALUES$$, '23505', NULL, 'a second row is refused');
SELECT throws_ok($$INSERT INTO dynapi.event_settings (singleton) VALUES (false)$$, '23514', NULL, '... whatever its key');
SELECT throws_ok($$DELETE FROM dynapi.event_settings$$, '22023', 'dynapi.event_settings always has exactly one row',
                 'deleting the row is refused');
SELECT throws_ok($$TRUNCATE dynapi.event_settings$$, '22023', 'dynapi.event_settings always has exactly one row',
                 '... and so is TRUNCATE');
SELECT throws_ok($$UPDATE dynapi.event_settings SET event_mode = 'loud'$$, '23514', NULL, 'event_mode is notify, log or off');
SELECT throws_ok($$UPDATE dynapi.event_settings SET retention = '0'$$, '23514', NULL, 'the retention must be positive');
SELECT throws_ok($$INSERT INTO dynapi.table_settings (table_name, event_mode) VALUES ('t', 'loud')$$, '23514', NULL,
                 'table_settings.event_mode is notify, log, off or NULL');

----------------------------------------------------------------------------
-- Row events (mode notify, the default)
CREATE TABLE public.dynapi_test_customer (id serial PRIMARY KEY, name text);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          'mode notify: the triggers say notify');

SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (name) VALUES ('a');
SELECT results_eq('SELECT * FROM pg_temp.logged()', $$VALUES ('dynapi_test_customer', 'created', '[1]'::jsonb)$$,
                  'INSERT of one row: one entry, the key as a bare value');
SELECT ok((SELECT bool_and(l.xid = pg_current_xact_id() AND l.at = now()) FROM dynapi.change_log AS l
            WHERE l.id > current_setting('dynapi_test.mark')::bigint),
          '... with the writing transaction and its time');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (name) VALUES ('b'), ('c'), ('d');
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_customer', 'created', '[2]'::jsonb), ('dynapi_test_customer', 'created', '[3]'::jsonb),
                           ('dynapi_test_customer', 'created', '[4]'::jsonb)$$,
                  'INSERT of three rows: one entry per row, in the order written');
SELECT pg_temp.mark();
UPDATE public.dynapi_test_customer SET name = 'x' WHERE id IN (2, 3);
SELECT bag_eq('SELECT * FROM pg_temp.logged()',
              $$VALUES ('dynapi_test_customer', 'updated', '[2]'::jsonb), ('dynapi_test_customer', 'updated', '[3]'::jsonb)$$,
              'UPDATE: updated, one entry per row');
SELECT pg_temp.mark();
UPDATE public.dynapi_test_customer SET name = 'y' WHERE id > 1000;
DELETE FROM public.dynapi_test_customer WHERE false;
SELECT is_empty('SELECT * FROM pg_temp.logged()', 'statements that change no row log nothing');
SELECT pg_temp.mark();
UPDATE public.dynapi_test_customer SET id = 40 WHERE id = 4;
SELECT results_eq('SELECT * FROM pg_temp.logged()', $$VALUES ('dynapi_test_customer', 'updated', '[40]'::jsonb)$$,
                  'an UPDATE of the key logs the new key');
SELECT pg_temp.mark();
DELETE FROM public.dynapi_test_customer WHERE id = 1;
SELECT results_eq('SELECT * FROM pg_temp.logged()', $$VALUES ('dynapi_test_customer', 'deleted', '[1]'::jsonb)$$,
                  'DELETE: deleted, with the old row''s key');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id, name) VALUES (2, 'again'), (50, 'new')
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
SELECT set_eq('SELECT * FROM pg_temp.logged()',
              $$VALUES ('dynapi_test_customer', 'created', '[50]'::jsonb), ('dynapi_test_customer', 'updated', '[2]'::jsonb)$$,
                  'INSERT ... ON CONFLICT DO UPDATE: created and updated');

-- Bulk statements (0014): up to 1,000 rows, one entry per row; more, one
-- entry per 1,000 keys, in the order the statement wrote the rows.
TRUNCATE public.dynapi_test_customer;
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id) SELECT g FROM generate_series(1, 2500) AS g;
SELECT results_eq($$SELECT event, jsonb_array_length(pks), pks ->> 0, pks ->> -1 FROM pg_temp.logged()$$,
                  $$VALUES ('created', 1000, '1', '1000'), ('created', 1000, '1001', '2000'), ('created', 500, '2001', '2500')$$,
                  '2,500 rows in one statement: three entries of 1,000, 1,000 and 500 keys, in order');
SELECT is((SELECT jsonb_agg(k ORDER BY n, o) FROM pg_temp.logged() WITH ORDINALITY AS l(t, e, pks, n), jsonb_array_elements(l.pks) WITH ORDINALITY AS x(k, o)),
          (SELECT jsonb_agg(g ORDER BY g) FROM generate_series(1, 2500) AS g),
          '... every key once, in the order written');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id) SELECT g FROM generate_series(3001, 4000) AS g;
SELECT results_eq($$SELECT count(*), min(jsonb_array_length(pks)), max(jsonb_array_length(pks)), min(pks ->> 0), max(pks ->> 0)
                      FROM pg_temp.logged()$$,
                  $$VALUES (1000::bigint, 1, 1, '3001', '4000')$$, '1,000 rows: 1,000 entries of one key');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id) SELECT g FROM generate_series(5001, 6001) AS g;
SELECT results_eq($$SELECT jsonb_array_length(pks), pks ->> -1 FROM pg_temp.logged()$$,
                  $$VALUES (1000, '6000'), (1, '6001')$$, '1,001 rows: two entries, the last row''s last');
SELECT pg_temp.mark();
DELETE FROM public.dynapi_test_customer;
SELECT results_eq($$SELECT count(*), sum(jsonb_array_length(pks)),
                           (SELECT count(DISTINCT k) FROM pg_temp.logged() AS x, jsonb_array_elements(x.pks) AS k
                             WHERE x.event = 'deleted')
                      FROM pg_temp.logged() WHERE event = 'deleted'$$,
                  $$VALUES (5::bigint, 4501::bigint, 4501::bigint)$$,
                  'a DELETE of 4,501 rows logs every key in five entries');

-- Keys
CREATE TABLE public.dynapi_test_line (order_id int, line_no int, qty int, PRIMARY KEY (line_no, order_id));
CREATE TABLE public.dynapi_test_nokey (v text);
CREATE TABLE public.dynapi_test_doc (key text PRIMARY KEY, body text);
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_line VALUES (1, 1, 5), (1, 2, 6);
INSERT INTO public.dynapi_test_nokey VALUES ('a'), ('b');
INSERT INTO public.dynapi_test_doc VALUES (repeat('k', 100000), 'x');
SELECT results_eq('SELECT table_name, event, pks FROM pg_temp.logged() WHERE table_name <> ''dynapi_test_doc''',
                  $$VALUES ('dynapi_test_line', 'created', '[{"line_no": 1, "order_id": 1}]'::jsonb),
                           ('dynapi_test_line', 'created', '[{"line_no": 2, "order_id": 1}]'::jsonb),
                           ('dynapi_test_nokey', 'created', '[null]'::jsonb), ('dynapi_test_nokey', 'created', '[null]'::jsonb)$$,
                  'a composite key is an object; a table without a key logs null per row');
SELECT is((SELECT pks ->> 0 FROM pg_temp.logged() WHERE table_name = 'dynapi_test_doc'), repeat('k', 100000),
          'a 100 kB key is logged whole');

-- Partitioned tables: the root's name, whichever member the statement names
CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_m_2020 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE public.dynapi_test_m_2021 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')
    PARTITION BY RANGE (id);
CREATE TABLE public.dynapi_test_m_2021_a PARTITION OF public.dynapi_test_m_2021 FOR VALUES FROM (0) TO (100);
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_m VALUES (1, '2020-06-01'), (2, '2021-06-01');
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_m', 'created', '[{"d": "2020-06-01", "id": 1}]'::jsonb),
                           ('dynapi_test_m', 'created', '[{"d": "2021-06-01", "id": 2}]'::jsonb)$$,
                  'a write through the partitioned table: one entry per row, in two partitions, under its name');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_m_2020 VALUES (3, '2020-07-01');
INSERT INTO public.dynapi_test_m_2021 VALUES (4, '2021-07-01');
INSERT INTO public.dynapi_test_m_2021_a VALUES (5, '2021-08-01');
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_m', 'created', '[{"d": "2020-07-01", "id": 3}]'::jsonb),
                           ('dynapi_test_m', 'created', '[{"d": "2021-07-01", "id": 4}]'::jsonb),
                           ('dynapi_test_m', 'created', '[{"d": "2021-08-01", "id": 5}]'::jsonb)$$,
                  'writes through a leaf or an intermediate partition: once each, under the root''s name');
SELECT pg_temp.mark();
UPDATE public.dynapi_test_m SET d = '2021-01-05' WHERE id = 1;
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_m', 'updated', '[{"d": "2021-01-05", "id": 1}]'::jsonb)$$,
                  'an UPDATE moving a row to another partition is one update');
SELECT pg_temp.mark();
DELETE FROM public.dynapi_test_m_2021_a;
SELECT bag_eq('SELECT * FROM pg_temp.logged()',
              $$VALUES ('dynapi_test_m', 'deleted', '[{"d": "2021-01-05", "id": 1}]'::jsonb),
                       ('dynapi_test_m', 'deleted', '[{"d": "2021-06-01", "id": 2}]'::jsonb),
                       ('dynapi_test_m', 'deleted', '[{"d": "2021-07-01", "id": 4}]'::jsonb),
                       ('dynapi_test_m', 'deleted', '[{"d": "2021-08-01", "id": 5}]'::jsonb)$$,
              'a DELETE through a leaf');

-- A tree with a foreign partition logs through row triggers on its local
-- leaves: one entry per row (see test_schema_events.sql).
CREATE FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE SERVER dynapi_test_server FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE TABLE public.dynapi_test_f (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_f_2020 PARTITION OF public.dynapi_test_f FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE FOREIGN TABLE public.dynapi_test_f_2019 PARTITION OF public.dynapi_test_f FOR VALUES FROM ('2019-01-01') TO ('2020-01-01')
    SERVER dynapi_test_server;
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_f VALUES (1, '2020-01-01'), (2, '2020-02-02');
DELETE FROM public.dynapi_test_f_2020 WHERE id = 1;
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_f', 'created', '[null]'::jsonb), ('dynapi_test_f', 'created', '[null]'::jsonb),
                           ('dynapi_test_f', 'deleted', '[null]'::jsonb)$$,
                  'a tree with a foreign partition: one entry per row of its local partitions, under the root''s name');

-- Renames, other schemas, tables that log nothing
ALTER TABLE public.dynapi_test_line RENAME TO dynapi_test_row;
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_row VALUES (2, 1, 1);
SELECT results_eq('SELECT table_name FROM pg_temp.logged()', $$VALUES ('dynapi_test_row')$$, 'a renamed table logs its new name');
CREATE SCHEMA dynapi_test_sales;
CREATE TABLE dynapi_test_sales.invoice (no text PRIMARY KEY);
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
SELECT pg_temp.mark();
INSERT INTO dynapi_test_sales.invoice VALUES ('INV-1');
SELECT results_eq('SELECT * FROM pg_temp.logged()', $$VALUES ('dynapi_test_sales.invoice', 'created', '["INV-1"]'::jsonb)$$,
                  'a table in another exposed schema logs schema.table');
CREATE SCHEMA dynapi_test_private;
CREATE TABLE dynapi_test_private.p (id int PRIMARY KEY);
CREATE TEMP TABLE dynapi_test_tmp (id int PRIMARY KEY);
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_nokey', false);
SELECT pg_temp.mark();
INSERT INTO dynapi_test_private.p VALUES (1);
INSERT INTO pg_temp.dynapi_test_tmp VALUES (1);
INSERT INTO public.dynapi_test_nokey VALUES ('c');
SELECT is_empty('SELECT * FROM pg_temp.logged()',
                'tables outside the exposed schemas, temporary tables and tables set exposed = false log nothing');

-- Writers need no access to schema dynapi
CREATE ROLE dynapi_test_writer NOLOGIN;
GRANT INSERT, SELECT, UPDATE, DELETE ON public.dynapi_test_customer TO dynapi_test_writer;
SELECT pg_temp.mark();
SET LOCAL ROLE dynapi_test_writer;
INSERT INTO public.dynapi_test_customer (id) VALUES (77);
DELETE FROM public.dynapi_test_customer WHERE id = 77;
RESET ROLE;
SELECT results_eq('SELECT event, pks FROM pg_temp.logged()', $$VALUES ('created', '[77]'::jsonb), ('deleted', '[77]'::jsonb)$$,
                  'a role without access to schema dynapi writes, and its changes are logged');

----------------------------------------------------------------------------
-- Keys wherever they are. 0013 read a one-column key among the first three
-- columns by its position in the rows (and re-created the triggers when it
-- moved); since 0014 the generated functions read it by name, so its place
-- among the columns, dropped columns before it, a column named dynapi_key
-- and a partition with another column order change nothing.
CREATE TABLE public.dynapi_test_k2 (v text, code text PRIMARY KEY);
CREATE TABLE public.dynapi_test_k3 (a int, b int, id int PRIMARY KEY, c int);
CREATE TABLE public.dynapi_test_k4 (a int, b int, c int, id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_kx (id int PRIMARY KEY, dynapi_key int);
SELECT is(ARRAY(SELECT substring(pg_temp.row_log_source(t, 'INSERT') FROM 'jsonb_build_array\((r\.\w+)\)')
                  FROM unnest(ARRAY['dynapi_test_k2', 'dynapi_test_k3', 'dynapi_test_k4', 'dynapi_test_kx']) AS t),
          ARRAY['r.code', 'r.id', 'r.id', 'r.id'],
          'the key is read by its name: in the second, third or fourth column, and beside a column named dynapi_key');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_k2 (code) VALUES ('a');
INSERT INTO public.dynapi_test_k2 (code) VALUES ('b'), ('c');
INSERT INTO public.dynapi_test_k3 (id, a) VALUES (1, 10);
INSERT INTO public.dynapi_test_k3 (id, a) VALUES (2, 20), (3, 30);
INSERT INTO public.dynapi_test_k4 (id) VALUES (1);
INSERT INTO public.dynapi_test_k4 (id) VALUES (2), (3);
INSERT INTO public.dynapi_test_kx (id, dynapi_key) VALUES (1, 100);
INSERT INTO public.dynapi_test_kx (id, dynapi_key) VALUES (2, 200), (3, 300);
UPDATE public.dynapi_test_k3 SET c = 1 WHERE id = 2;
DELETE FROM public.dynapi_test_k2 WHERE code = 'a';
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_k2', 'created', '["a"]'::jsonb), ('dynapi_test_k2', 'created', '["b"]'),
                           ('dynapi_test_k2', 'created', '["c"]'),
                           ('dynapi_test_k3', 'created', '[1]'), ('dynapi_test_k3', 'created', '[2]'), ('dynapi_test_k3', 'created', '[3]'),
                           ('dynapi_test_k4', 'created', '[1]'), ('dynapi_test_k4', 'created', '[2]'), ('dynapi_test_k4', 'created', '[3]'),
                           ('dynapi_test_kx', 'created', '[1]'), ('dynapi_test_kx', 'created', '[2]'), ('dynapi_test_kx', 'created', '[3]'),
                           ('dynapi_test_k3', 'updated', '[2]'), ('dynapi_test_k2', 'deleted', '["a"]')$$,
                  '... and every one logs the key, for one row and for several');
-- Dropping a column before the key no longer concerns the triggers. A new
-- type for the key re-plans.
SELECT array_agg(t.oid ORDER BY t.oid) AS k3_triggers, array_agg(DISTINCT t.tgfoid) AS k3_functions
  FROM pg_trigger AS t WHERE t.tgrelid = 'public.dynapi_test_k3'::regclass AND NOT t.tgisinternal \gset
SELECT pg_temp.row_log_source('dynapi_test_k3', 'INSERT') AS k3_source \gset
SELECT pg_temp.mark();
ALTER TABLE public.dynapi_test_k3 DROP COLUMN a;
INSERT INTO public.dynapi_test_k3 (id) VALUES (4);
SELECT ok((SELECT array_agg(t.oid ORDER BY t.oid) = :'k3_triggers'::oid[] AND array_agg(DISTINCT t.tgfoid) = :'k3_functions'::oid[]
             FROM pg_trigger AS t WHERE t.tgrelid = 'public.dynapi_test_k3'::regclass AND NOT t.tgisinternal)
          AND pg_temp.row_log_source('dynapi_test_k3', 'INSERT') = :'k3_source',
          'dropping a column before the key leaves the triggers and their functions as they were');
ALTER TABLE public.dynapi_test_k3 DROP COLUMN b;
INSERT INTO public.dynapi_test_k3 (id) VALUES (5), (6);
ALTER TABLE public.dynapi_test_k3 ALTER COLUMN id TYPE text;
INSERT INTO public.dynapi_test_k3 (id) VALUES ('x');
ALTER TABLE public.dynapi_test_k3 ADD COLUMN d int;
ALTER TABLE public.dynapi_test_k3 ALTER COLUMN id TYPE bigint USING CASE WHEN id = 'x' THEN 7 ELSE id::bigint END;
UPDATE public.dynapi_test_k3 SET d = 1 WHERE id = 7;
SELECT results_eq($$SELECT * FROM pg_temp.logged() WHERE event <> 'schema'$$,
                  $$VALUES ('dynapi_test_k3', 'created', '[4]'::jsonb), ('dynapi_test_k3', 'created', '[5]'),
                           ('dynapi_test_k3', 'created', '[6]'),
                           ('dynapi_test_k3', 'created', '["x"]'), ('dynapi_test_k3', 'updated', '[7]')$$,
                  '... and the key is read right in this session through dropped columns, new columns and new types');
-- The members of a tree run the root's functions, whatever their column order.
CREATE TABLE public.dynapi_test_pp (id int PRIMARY KEY, v text, w text) PARTITION BY RANGE (id);
CREATE TABLE public.dynapi_test_pp_1 (v text, w text, id int NOT NULL);
ALTER TABLE public.dynapi_test_pp ATTACH PARTITION public.dynapi_test_pp_1 FOR VALUES FROM (0) TO (100);
SELECT is(ARRAY[pg_temp.row_trigger_args('public.dynapi_test_pp'), pg_temp.row_trigger_args('public.dynapi_test_pp_1')],
          ARRAY[ARRAY['notify', 'dynapi_test_pp'], ARRAY['notify', 'dynapi_test_pp']],
          'a partition whose columns are in another order: the root''s mode and name');
SELECT is(ARRAY(SELECT t.tgfoid::regproc::text FROM pg_trigger AS t
                 WHERE t.tgrelid = 'public.dynapi_test_pp_1'::regclass AND NOT t.tgisinternal ORDER BY t.tgname),
          ARRAY(SELECT 'dynapi.' || dynapi.row_log_function_name('dynapi_test_pp', c)
                  FROM unnest(ARRAY['delete', 'insert', 'update']) AS c),
          '... and the root''s functions');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_pp (id, v) VALUES (1, 'a');
INSERT INTO public.dynapi_test_pp_1 (id, v) VALUES (2, 'b'), (3, 'c');
DELETE FROM public.dynapi_test_pp_1 WHERE id = 1;
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_pp', 'created', '[1]'::jsonb), ('dynapi_test_pp', 'created', '[2]'),
                           ('dynapi_test_pp', 'created', '[3]'), ('dynapi_test_pp', 'deleted', '[1]')$$,
                  '... so writes through the root and through the partition log the key');

----------------------------------------------------------------------------
-- The generated functions (0014), and log_row_changes for the row triggers
-- of trees with a foreign table, run with the writer's search_path (no SET
-- clause: every writer would pay for it) and name everything with its
-- schema. A writer whose search_path starts with a schema shadowing what
-- they use (jsonb_build_array, jsonb_build_object, pg_notify,
-- pg_current_xact_id, the types text and jsonb; for log_row_changes also
-- operators on text, integers, jsonb and bigint, to_jsonb, jsonb_agg,
-- jsonb_object_agg, unnest) gets the same entries, and none of those is
-- called.
CREATE SCHEMA dynapi_test_evil;
CREATE FUNCTION dynapi_test_evil.hijacked(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hijacked: %', what;
END;
$$;
CREATE FUNCTION dynapi_test_evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('= (text, text)'); RETURN true; END; $$;
CREATE OPERATOR dynapi_test_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = dynapi_test_evil.text_eq);
CREATE FUNCTION dynapi_test_evil.int_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('= (integer, integer)'); RETURN true; END; $$;
CREATE OPERATOR dynapi_test_evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = dynapi_test_evil.int_eq);
CREATE FUNCTION dynapi_test_evil.field_text(jsonb, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('->> (jsonb, text)'); RETURN 'created'; END; $$;
CREATE OPERATOR dynapi_test_evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = dynapi_test_evil.field_text);
CREATE FUNCTION dynapi_test_evil.field(jsonb, text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('-> (jsonb, text)'); RETURN '0'; END; $$;
CREATE OPERATOR dynapi_test_evil.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = dynapi_test_evil.field);
CREATE FUNCTION dynapi_test_evil.div(bigint, integer) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('/ (bigint, integer)'); RETURN 0; END; $$;
CREATE OPERATOR dynapi_test_evil./ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = dynapi_test_evil.div);
CREATE FUNCTION dynapi_test_evil.minus(bigint, integer) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('- (bigint, integer)'); RETURN 0; END; $$;
CREATE OPERATOR dynapi_test_evil.- (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = dynapi_test_evil.minus);
CREATE FUNCTION dynapi_test_evil.to_jsonb(anyelement) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('to_jsonb'); RETURN '0'; END; $$;
CREATE FUNCTION dynapi_test_evil.jsonb_build_array(integer) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('jsonb_build_array(integer)'); RETURN '[0]'; END; $$;
CREATE FUNCTION dynapi_test_evil.jsonb_build_array(text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('jsonb_build_array(text)'); RETURN '[0]'; END; $$;
CREATE FUNCTION dynapi_test_evil.jsonb_build_object(text, integer, text, integer) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('jsonb_build_object(text, integer, text, integer)'); RETURN '{}'; END; $$;
CREATE FUNCTION dynapi_test_evil.jsonb_build_object(text, text, text, integer) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('jsonb_build_object(text, text, text, integer)'); RETURN '{}'; END; $$;
CREATE FUNCTION dynapi_test_evil.agg_step(jsonb, anyelement) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('an aggregate'); RETURN '[0]'; END; $$;
CREATE AGGREGATE dynapi_test_evil.jsonb_agg(integer) (SFUNC = dynapi_test_evil.agg_step, STYPE = jsonb);
CREATE AGGREGATE dynapi_test_evil.jsonb_agg(text) (SFUNC = dynapi_test_evil.agg_step, STYPE = jsonb);
CREATE AGGREGATE dynapi_test_evil.jsonb_agg(jsonb) (SFUNC = dynapi_test_evil.agg_step, STYPE = jsonb);
CREATE FUNCTION dynapi_test_evil.agg_step2(jsonb, text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('jsonb_object_agg'); RETURN '{}'; END; $$;
CREATE AGGREGATE dynapi_test_evil.jsonb_object_agg(text, jsonb) (SFUNC = dynapi_test_evil.agg_step2, STYPE = jsonb);
CREATE FUNCTION dynapi_test_evil.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('unnest(text[])'); END; $$;
CREATE FUNCTION dynapi_test_evil.pg_notify(text, text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('pg_notify'); END; $$;
CREATE FUNCTION dynapi_test_evil.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql AS $$
BEGIN PERFORM dynapi_test_evil.hijacked('pg_current_xact_id'); RETURN '1'; END; $$;
CREATE TYPE dynapi_test_evil.jsonb AS (hijacked int);
CREATE TYPE dynapi_test_evil.text AS (hijacked int);
-- Runs sql with the given search_path; its error message, or NULL.
CREATE FUNCTION pg_temp.error_with_search_path(path text, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    old_path text := pg_catalog.current_setting('search_path');
BEGIN
    PERFORM pg_catalog.set_config('search_path', path, true);
    EXECUTE sql;
    PERFORM pg_catalog.set_config('search_path', old_path, true);
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLERRM;
END;
$$;
-- Fresh tables, so that their functions are first generated, compiled and
-- planned with the hostile search_path: every shape of key (one column of
-- several types and places, composite, none) in both modes, and the row
-- triggers of the families with a foreign table.
CREATE TABLE public.dynapi_test_h1 (id int PRIMARY KEY, v text);
CREATE TABLE public.dynapi_test_h2 (v text, code text PRIMARY KEY);
CREATE TABLE public.dynapi_test_h3 (a int, b int, id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_h4 (a int, b int, c int, id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_h5 (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE public.dynapi_test_h6 (v text);
CREATE TABLE public.dynapi_test_h7 (a text, b int, PRIMARY KEY (a, b));
CREATE TABLE public.dynapi_test_h8 (v text);
CREATE TABLE public.dynapi_test_hf (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_hf_2020 PARTITION OF public.dynapi_test_hf FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE FOREIGN TABLE public.dynapi_test_hf_2019 PARTITION OF public.dynapi_test_hf FOR VALUES FROM ('2019-01-01') TO ('2020-01-01')
    SERVER dynapi_test_server;
CREATE TABLE public.dynapi_test_hi (id int PRIMARY KEY, v text);
CREATE FOREIGN TABLE public.dynapi_test_hi_f () INHERITS (public.dynapi_test_hi) SERVER dynapi_test_server;
CREATE TABLE public.dynapi_test_hj (a int, b int, PRIMARY KEY (a, b));
CREATE FOREIGN TABLE public.dynapi_test_hj_f () INHERITS (public.dynapi_test_hj) SERVER dynapi_test_server;
INSERT INTO dynapi.table_settings (table_name, event_mode)
VALUES ('dynapi_test_h1', 'log'), ('dynapi_test_h3', 'log'), ('dynapi_test_h6', 'log'), ('dynapi_test_h7', 'log'),
       ('dynapi_test_hi', 'log');
SELECT is(ARRAY(SELECT format('%s: %s, %s', t, (pg_temp.row_trigger_args(t))[1], pg_temp.row_trigger_functions(t))
                  FROM unnest(ARRAY['public.dynapi_test_h1', 'public.dynapi_test_h2', 'public.dynapi_test_h3', 'public.dynapi_test_h4',
                                    'public.dynapi_test_h5', 'public.dynapi_test_h6', 'public.dynapi_test_h7', 'public.dynapi_test_h8',
                                    'public.dynapi_test_hf_2020', 'public.dynapi_test_hi', 'public.dynapi_test_hj']::regclass[]) AS t),
          ARRAY['dynapi_test_h1: log, generated', 'dynapi_test_h2: notify, generated', 'dynapi_test_h3: log, generated',
                'dynapi_test_h4: notify, generated', 'dynapi_test_h5: notify, generated', 'dynapi_test_h6: log, generated',
                'dynapi_test_h7: log, generated', 'dynapi_test_h8: notify, generated',
                'dynapi_test_hf_2020: notify, dynapi.log_row_changes, dynapi.log_row_changes, dynapi.log_row_changes',
                'dynapi_test_hi: log, dynapi.log_row_changes, dynapi.log_row_changes, dynapi.log_row_changes',
                'dynapi_test_hj: notify, dynapi.log_row_changes, dynapi.log_row_changes, dynapi.log_row_changes'],
          'hostile search_path: tables for every shape of key, in both modes, and row triggers');
SELECT pg_temp.mark();
SELECT is(pg_temp.error_with_search_path('dynapi_test_evil, pg_catalog, public', $$
    INSERT INTO public.dynapi_test_h1 (id) VALUES (1);
    INSERT INTO public.dynapi_test_h1 (id) VALUES (2), (3);
    UPDATE public.dynapi_test_h1 SET v = 'x';
    DELETE FROM public.dynapi_test_h1;
    INSERT INTO public.dynapi_test_h2 (code) VALUES ('a');
    INSERT INTO public.dynapi_test_h2 (code) VALUES ('b'), ('c');
    UPDATE public.dynapi_test_h2 SET v = 'x';
    DELETE FROM public.dynapi_test_h2;
    INSERT INTO public.dynapi_test_h3 (id) VALUES (1);
    INSERT INTO public.dynapi_test_h3 (id) VALUES (2), (3);
    UPDATE public.dynapi_test_h3 SET a = 0;
    DELETE FROM public.dynapi_test_h3;
    INSERT INTO public.dynapi_test_h4 (id) VALUES (1);
    INSERT INTO public.dynapi_test_h4 (id) VALUES (2), (3);
    UPDATE public.dynapi_test_h4 SET a = 0;
    DELETE FROM public.dynapi_test_h4;
    INSERT INTO public.dynapi_test_h5 (a, b) VALUES (1, 1);
    INSERT INTO public.dynapi_test_h5 (a, b) VALUES (2, 2), (3, 3);
    UPDATE public.dynapi_test_h5 SET a = a;
    DELETE FROM public.dynapi_test_h5;
    INSERT INTO public.dynapi_test_h6 (v) VALUES ('a');
    INSERT INTO public.dynapi_test_h6 (v) VALUES ('b'), ('c');
    UPDATE public.dynapi_test_h6 SET v = 'x';
    DELETE FROM public.dynapi_test_h6;
    INSERT INTO public.dynapi_test_h7 (a, b) VALUES ('a', 1);
    INSERT INTO public.dynapi_test_h7 (a, b) VALUES ('b', 2), ('c', 3);
    UPDATE public.dynapi_test_h7 SET a = a;
    DELETE FROM public.dynapi_test_h7;
    INSERT INTO public.dynapi_test_h8 (v) VALUES ('a');
    INSERT INTO public.dynapi_test_h8 (v) VALUES ('b'), ('c');
    UPDATE public.dynapi_test_h8 SET v = 'x';
    DELETE FROM public.dynapi_test_h8;
    INSERT INTO public.dynapi_test_hf VALUES (1, '2020-01-01'), (2, '2020-01-02');
    UPDATE public.dynapi_test_hf_2020 SET id = 3;
    DELETE FROM public.dynapi_test_hf_2020;
    INSERT INTO public.dynapi_test_hi (id) VALUES (1), (2);
    UPDATE ONLY public.dynapi_test_hi SET v = 'x';
    DELETE FROM ONLY public.dynapi_test_hi;
    INSERT INTO public.dynapi_test_hj VALUES (1, 1), (2, 2);
    UPDATE ONLY public.dynapi_test_hj SET a = a;
    DELETE FROM ONLY public.dynapi_test_hj;
$$), NULL, 'hostile search_path: writes through every shape, none of its functions, operators or types is called');
-- What they log: for h1 to h8, keys 1, 2 and 3 (as the shape has them),
-- each created, updated and deleted, one entry per row.
SELECT bag_eq('SELECT * FROM pg_temp.logged()',
              $$SELECT 'dynapi_test_h' || h, e,
                       jsonb_build_array(CASE WHEN h IN (1, 3, 4) THEN to_jsonb(k)
                                              WHEN h = 2 THEN to_jsonb(chr(96 + k))
                                              WHEN h = 5 THEN jsonb_build_object('a', k, 'b', k)
                                              WHEN h = 7 THEN jsonb_build_object('a', chr(96 + k), 'b', k)
                                              ELSE 'null' END)
                  FROM generate_series(1, 8) AS h, unnest(ARRAY['created', 'updated', 'deleted']) AS e, generate_series(1, 3) AS k
                UNION ALL
                VALUES ('dynapi_test_hf', 'created', '[null]'::jsonb), ('dynapi_test_hf', 'created', '[null]'::jsonb),
                       ('dynapi_test_hf', 'updated', '[null]'), ('dynapi_test_hf', 'updated', '[null]'),
                       ('dynapi_test_hf', 'deleted', '[null]'), ('dynapi_test_hf', 'deleted', '[null]'),
                       ('dynapi_test_hi', 'created', '[1]'), ('dynapi_test_hi', 'created', '[2]'),
                       ('dynapi_test_hi', 'updated', '[1]'), ('dynapi_test_hi', 'updated', '[2]'),
                       ('dynapi_test_hi', 'deleted', '[1]'), ('dynapi_test_hi', 'deleted', '[2]'),
                       ('dynapi_test_hj', 'created', '[{"a": 1, "b": 1}]'), ('dynapi_test_hj', 'created', '[{"a": 2, "b": 2}]'),
                       ('dynapi_test_hj', 'updated', '[{"a": 1, "b": 1}]'), ('dynapi_test_hj', 'updated', '[{"a": 2, "b": 2}]'),
                       ('dynapi_test_hj', 'deleted', '[{"a": 1, "b": 1}]'), ('dynapi_test_hj', 'deleted', '[{"a": 2, "b": 2}]')$$,
              '... and they log what they log with the default search_path');
-- Statements of more than 1,000 rows take the functions' other branch
-- (an aggregate, a window function, arithmetic operators).
SELECT pg_temp.mark();
SELECT is(pg_temp.error_with_search_path('dynapi_test_evil, pg_catalog, public', $$
    INSERT INTO public.dynapi_test_h1 (id) SELECT g FROM generate_series(1, 1001) AS g;
    DELETE FROM public.dynapi_test_h1;
    INSERT INTO public.dynapi_test_h5 (a, b) SELECT g, g FROM generate_series(1, 1001) AS g;
    DELETE FROM public.dynapi_test_h5;
    INSERT INTO public.dynapi_test_h8 (v) SELECT 'x' FROM generate_series(1, 1001) AS g;
    DELETE FROM public.dynapi_test_h8;
$$), NULL, 'hostile search_path: statements of 1,001 rows, none of its functions, operators or types is called');
SELECT results_eq($$SELECT table_name, event, jsonb_array_length(pks), pks -> -1 FROM pg_temp.logged()$$,
                  $$VALUES ('dynapi_test_h1', 'created', 1000, '1000'::jsonb), ('dynapi_test_h1', 'created', 1, '1001'),
                           ('dynapi_test_h1', 'deleted', 1000, '1000'), ('dynapi_test_h1', 'deleted', 1, '1001'),
                           ('dynapi_test_h5', 'created', 1000, '{"a": 1000, "b": 1000}'), ('dynapi_test_h5', 'created', 1, '{"a": 1001, "b": 1001}'),
                           ('dynapi_test_h5', 'deleted', 1000, '{"a": 1000, "b": 1000}'), ('dynapi_test_h5', 'deleted', 1, '{"a": 1001, "b": 1001}'),
                           ('dynapi_test_h8', 'created', 1000, 'null'), ('dynapi_test_h8', 'created', 1, 'null'),
                           ('dynapi_test_h8', 'deleted', 1000, 'null'), ('dynapi_test_h8', 'deleted', 1, 'null')$$,
                  '... and they log 1,000 keys an entry, as with the default search_path');
SELECT is(current_setting('search_path'), (SELECT reset_val FROM pg_settings WHERE name = 'search_path'),
          '(the search_path is back to normal)');
DELETE FROM dynapi.table_settings;

----------------------------------------------------------------------------
-- Modes
DELETE FROM dynapi.table_settings;
SELECT is(dynapi.event_mode('dynapi_test_customer'), 'notify', 'event_mode: the database default');
UPDATE dynapi.event_settings SET event_mode = 'log';
SELECT is(dynapi.event_mode('dynapi_test_customer'), 'log', 'event_mode follows event_settings');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['log', 'dynapi_test_customer'],
          'mode log: the triggers are re-attached saying log (so they do not NOTIFY)');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2021_a'), ARRAY['log', 'dynapi_test_m'],
          '... partitions too');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id) VALUES (1), (2);
UPDATE public.dynapi_test_customer SET name = 'n' WHERE id = 1;
DELETE FROM public.dynapi_test_customer WHERE id = 2;
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES ('dynapi_test_customer', 'created', '[1]'::jsonb), ('dynapi_test_customer', 'created', '[2]'::jsonb),
                           ('dynapi_test_customer', 'updated', '[1]'::jsonb), ('dynapi_test_customer', 'deleted', '[2]'::jsonb)$$,
                  'mode log logs the same entries');
INSERT INTO dynapi.table_settings (table_name, event_mode) VALUES ('dynapi_test_row', 'notify'), ('dynapi_test_doc', 'off');
SELECT is(dynapi.event_mode('dynapi_test_row'), 'notify', 'event_mode: a table''s own mode beats the default');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_row'), ARRAY['notify', 'dynapi_test_row'],
          '... and its triggers say so');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_doc'), NULL, 'a table set to off has no triggers');
UPDATE dynapi.event_settings SET event_mode = 'off';
SELECT is(dynapi.event_mode('dynapi_test_customer'), 'off', 'event_mode off');
SELECT ok(pg_temp.row_trigger_args('public.dynapi_test_customer') IS NULL AND pg_temp.row_trigger_args('public.dynapi_test_m') IS NULL
          AND pg_temp.row_trigger_args('public.dynapi_test_m_2020') IS NULL, 'mode off: no triggers at all');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_row'), ARRAY['notify', 'dynapi_test_row'],
          '... except on a table whose own mode says otherwise');
SELECT pg_temp.mark();
INSERT INTO public.dynapi_test_customer (id) VALUES (3);
INSERT INTO public.dynapi_test_m VALUES (9, '2020-09-09');
INSERT INTO public.dynapi_test_row VALUES (9, 9, 9);
SELECT results_eq('SELECT table_name, event FROM pg_temp.logged()', $$VALUES ('dynapi_test_row', 'created')$$,
                  'mode off logs nothing; the overriding table logs');
INSERT INTO dynapi.table_settings (table_name, exposed, event_mode) VALUES ('dynapi_test_customer', false, 'log');
SELECT is(dynapi.event_mode('dynapi_test_customer'), 'off', 'event_mode: exposed = false is off whatever the mode says');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), NULL, '... and gets no triggers');
UPDATE dynapi.table_settings SET exposed = true WHERE table_name = 'dynapi_test_customer';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['log', 'dynapi_test_customer'],
          'exposed again: its own mode applies');
UPDATE dynapi.table_settings SET event_mode = NULL WHERE table_name = 'dynapi_test_customer';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), NULL, 'event_mode NULL: the default (off) again');
DELETE FROM dynapi.table_settings;
UPDATE dynapi.event_settings SET event_mode = 'notify';
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['notify', 'dynapi_test_customer'],
          'back to notify: every table has its triggers again');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m'), ARRAY['notify', 'dynapi_test_m'], '... partitioned ones too');
SELECT is(dynapi.event_mode('no such table'), 'notify', 'event_mode of a name without settings: the default');

----------------------------------------------------------------------------
-- Schema and ACL entries
SELECT pg_temp.mark();
CREATE TABLE public.dynapi_test_new (id int PRIMARY KEY);
ALTER TABLE public.dynapi_test_new ADD COLUMN v text;
DROP TABLE public.dynapi_test_new;
CREATE TEMP TABLE dynapi_test_tmp2 (id int);
DROP TABLE dynapi_test_tmp2;
SELECT dynapi.detach_row_trigger('public.dynapi_test_customer');
SELECT dynapi.attach_row_trigger('public.dynapi_test_customer');
SELECT results_eq('SELECT * FROM pg_temp.logged()',
                  $$VALUES (NULL, 'schema', '["CREATE TABLE"]'::jsonb), (NULL, 'schema', '["ALTER TABLE"]'::jsonb),
                           (NULL, 'schema', '["DROP"]'::jsonb)$$,
                  'DDL logs schema entries with the command tag (DROP for drops); not for temporary objects nor the bundle''s own trigger DDL');
SELECT pg_temp.mark();
INSERT INTO dynapi.roles (name) VALUES ('dynapi_test_role');
UPDATE dynapi.users SET last_login = now();
SELECT results_eq('SELECT * FROM pg_temp.logged()', $$VALUES (NULL, 'acl', '["roles"]'::jsonb)$$,
                  'ACL changes log acl entries with the table''s name; logins do not');
SELECT pg_temp.mark();
INSERT INTO dynapi.table_settings (table_name, label) VALUES ('dynapi_test_customer', 'Customers');
UPDATE dynapi.event_settings SET retention = '2 days';
DELETE FROM dynapi.exposed_schemas WHERE name = 'dynapi_test_sales';
SELECT set_eq('SELECT * FROM pg_temp.logged()',
              $$VALUES (NULL, 'acl', '["table_settings"]'::jsonb), (NULL, 'schema', '["table_settings"]'::jsonb),
                       (NULL, 'acl', '["event_settings"]'::jsonb), (NULL, 'schema', '["event_settings"]'::jsonb),
                       (NULL, 'schema', '["exposed_schemas"]'::jsonb)$$,
              'settings log what they NOTIFY: table_settings and event_settings on both channels, exposed_schemas as schema');
CREATE ROLE dynapi_test_admin NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynapi.roles, dynapi.table_settings, dynapi.event_settings TO dynapi_test_admin;
SELECT pg_temp.mark();
SET LOCAL ROLE dynapi_test_admin;
SELECT lives_ok($$INSERT INTO dynapi.roles (name) VALUES ('dynapi_test_role2');
                  UPDATE dynapi.table_settings SET label = 'C' WHERE table_name = 'dynapi_test_customer';
                  UPDATE dynapi.event_settings SET event_mode = 'log'$$,
                'a role that may change settings but not write the log can change them');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_temp.logged()), 5::bigint, '... and the changes are logged');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['log', 'dynapi_test_customer'],
          '... and the triggers follow its change of mode');
UPDATE dynapi.event_settings SET event_mode = 'notify', retention = DEFAULT;

----------------------------------------------------------------------------
-- Batches. Made-up transactions from x = 10^12 on; snapshots are
-- xmin:xmax:running, given as offsets from x.
CREATE FUNCTION pg_temp.snap(xmin_offset int, xmax_offset int, VARIADIC running int[] DEFAULT '{}') RETURNS pg_snapshot
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('%s:%s:%s', 1000000000000 + xmin_offset, 1000000000000 + xmax_offset,
                  (SELECT string_agg((1000000000000 + r)::text, ',' ORDER BY r) FROM unnest(running) AS r))::pg_snapshot
$$;
CREATE FUNCTION pg_temp.entry(xid_offset bigint, table_name text, event text, pks jsonb) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO dynapi.change_log (xid, table_name, event, pks)
    VALUES ((1000000000000 + xid_offset)::text::xid8, table_name, event, pks) RETURNING id
$$;
CREATE FUNCTION pg_temp.tick(snapshot pg_snapshot, at timestamptz DEFAULT now()) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO dynapi.change_log_ticks (snapshot, xid, at) VALUES (snapshot, '3', at) RETURNING tick
$$;
CREATE FUNCTION pg_temp.plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END;
$$;
-- Only made-up entries from here on (ours would depend on the moment).
DELETE FROM dynapi.change_log;
SELECT pg_temp.entry(11, 'c', 'created', '[1, 2, 3]') AS e1 \gset
SELECT pg_temp.entry(12, 'c', 'updated', '[1]') AS e2 \gset
SELECT pg_temp.entry(13, NULL, 'schema', '["CREATE TABLE"]') AS e3 \gset
SELECT pg_temp.entry(15, 'o', 'created', '[9]') AS e4 \gset
SELECT pg_temp.entry(21, 'c', 'deleted', '[2]') AS e5 \gset
SELECT pg_temp.entry(31, NULL, 'acl', '["users"]') AS e6 \gset
SELECT pg_temp.entry(45, 'c', 'created', '[99]') AS e7 \gset
SELECT pg_temp.entry(5, 'c', 'created', '[0]') AS e0 \gset

-- change_log_between(since, upto)
SELECT results_eq($$SELECT id FROM dynapi.change_log_between(pg_temp.snap(10, 20, 12, 15), pg_temp.snap(15, 30, 15, 25)) ORDER BY id$$,
                  ARRAY[:e2, :e5]::bigint[],
                  'a batch: transactions running at since and now visible, and those started since and now visible');
SELECT is_empty($$SELECT id FROM dynapi.change_log_between(pg_temp.snap(10, 20, 12, 15), pg_temp.snap(10, 20, 12, 15))$$,
                'nothing between a snapshot and itself');
SELECT results_eq($$SELECT id FROM dynapi.change_log_between(pg_temp.snap(10, 10), pg_temp.snap(40, 40)) ORDER BY id$$,
                  ARRAY[:e1, :e2, :e3, :e4, :e5, :e6]::bigint[], 'a wide batch: everything from xmax(since) to xmax(upto)');
SET LOCAL enable_seqscan = off;
SELECT matches(pg_temp.plan('SELECT * FROM dynapi.change_log_between(pg_temp.snap(10, 20, 12, 15), pg_temp.snap(15, 30, 15, 25))'),
               'Index Cond: \(\(xid >= .*\n(.*\n)*.*Index Cond: \(xid = ANY',
               'both halves of a batch can be read through the xid index (no scan from xmin(since))');
RESET enable_seqscan;

-- Ticks with those snapshots
SELECT pg_temp.tick(pg_temp.snap(10, 10)) AS t1 \gset
SELECT pg_temp.tick(pg_temp.snap(10, 20, 12, 15)) AS t2 \gset
SELECT pg_temp.tick(pg_temp.snap(15, 30, 15, 25)) AS t3 \gset
SELECT pg_temp.tick(pg_temp.snap(40, 40)) AS t4 \gset
SELECT results_eq(format('SELECT tick, id, ord, table_name, event, pk
                            FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %s)', :t1, :t4),
                  format($$VALUES (%7$s::bigint, %1$s::bigint, 0, 'c', 'created', '1'::jsonb),
                                  (%7$s, %1$s, 1, 'c', 'created', '2'), (%7$s, %1$s, 2, 'c', 'created', '3'),
                                  (%7$s, %2$s, 0, NULL, 'schema', '"CREATE TABLE"'),
                                  (%8$s, %3$s, 0, 'c', 'updated', '1'), (%8$s, %4$s, 0, 'c', 'deleted', '2'),
                                  (%9$s, %5$s, 0, 'o', 'created', '9'), (%9$s, %6$s, 0, NULL, 'acl', '"users"')$$,
                         :e1, :e3, :e2, :e5, :e4, :e6, :t2, :t3, :t4),
                  'events of the batches after a tick: one row per key, by tick, id and position; a transaction open across a tick comes in the batch where it became visible');
SELECT results_eq(format('SELECT tick, id, ord FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %s)', :t2, :t3),
                  format($$VALUES (%1$s::bigint, %2$s::bigint, 0), (%1$s, %3$s, 0)$$, :t3, :e2, :e5),
                  'the live tailer''s call (t, max, max, u): exactly the batches after t up to u');
SELECT results_eq(format('SELECT tick, id, ord FROM dynapi.change_log_events(%s, %s, 0, %s)', :t2, :e1, :t4),
                  format($$VALUES (%7$s::bigint, %1$s::bigint, 1), (%7$s, %1$s, 2), (%7$s, %2$s, 0),
                                  (%8$s, %3$s, 0), (%8$s, %4$s, 0), (%9$s, %5$s, 0), (%9$s, %6$s, 0)$$,
                         :e1, :e3, :e2, :e5, :e4, :e6, :t2, :t3, :t4),
                  'resuming after an event: everything after its position');
SELECT results_eq(format('SELECT tick, id, ord FROM dynapi.change_log_events(%s, %s, 2, %s)', :t2, :e1, :t3),
                  format($$VALUES (%1$s::bigint, %2$s::bigint, 0), (%3$s, %4$s, 0), (%3$s, %5$s, 0)$$, :t2, :e3, :t3, :e2, :e5),
                  '... after the last key of an entry');
SELECT results_eq(format($$SELECT tick, pk FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %s, 'c')$$, :t1, :t4),
                  format($$VALUES (%1$s::bigint, '1'::jsonb), (%1$s, '2'), (%1$s, '3'), (%2$s, '1'), (%2$s, '2')$$, :t2, :t3),
                  'only_table: that table''s row events only (no schema or acl entries)');
SELECT is_empty(format('SELECT * FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %1$s)', :t4),
                'nothing after the newest tick');
SELECT is_empty(format('SELECT * FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %s)', :t3, :t2),
                'upto before since: nothing');
SELECT is((SELECT count(*) FROM (SELECT * FROM dynapi.change_log_events(:t1, 9223372036854775807, 2147483647, :t4) LIMIT 3) AS e),
          3::bigint, 'a caller''s LIMIT applies');
SELECT is(pg_temp.error_of($$SELECT * FROM dynapi.change_log_events(-1, 0, 0, 10)$$) - 'column' - 'hint' - 'detail',
          '{"sqlstate": "P0002", "message": "change log tick -1 does not exist (pruned, or never made)"}'::jsonb,
          'an unknown since_tick: P0002');
SELECT throws_ok($$SELECT * FROM dynapi.change_log_events(-1, 9223372036854775807, 2147483647, -1)$$,
                 'P0002', NULL, '... even when nothing would be read');
SELECT results_eq('SELECT oldest_tick < ' || :t1 || ', newest_tick FROM dynapi.change_log_bounds()',
                  format('VALUES (true, %s::bigint)', :t4), 'change_log_bounds: oldest and newest tick');
DELETE FROM dynapi.change_log_ticks WHERE tick < :t1;
SELECT throws_ok(format('SELECT * FROM dynapi.change_log_events(%s, %s, 0, %s)', :t1, :e1, :t4), 'P0002',
                 format('change log batch %s is no longer complete (the tick before it was pruned)', :t1),
                 'the rest of the oldest tick''s batch: P0002, its base is gone');
SELECT is((SELECT count(*) FROM dynapi.change_log_events(:t1, 9223372036854775807, 2147483647, :t4)), 8::bigint,
          '... but the batches after it are all there');

-- change_log_tick (durable commits first, whatever the cluster runs with: the test clusters run without)
SET LOCAL synchronous_commit = on;
SELECT is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on before a tick');
UPDATE dynapi.change_log_ticks SET xid = '999999999999999' WHERE tick = :t4;
SELECT is(dynapi.change_log_tick(), :t4::bigint,
          'the newest tick''s transaction is not visible to the caller (an older snapshot): that tick, no new one');
UPDATE dynapi.change_log_ticks SET xid = '3' WHERE tick = :t4;
SELECT is(dynapi.change_log_tick(), :t4::bigint,
          'nothing became visible since the newest tick (all made-up transactions are beyond now): that tick');
SELECT is((SELECT max(tick) FROM dynapi.change_log_ticks), :t4::bigint, '... none written');
SELECT is(current_setting('synchronous_commit'), 'on', '... and synchronous_commit untouched');
SELECT pg_temp.tick('3:3:') AS t5 \gset
SELECT pg_temp.entry(-1000000000000 + 3, 'c', 'created', '[3]') AS e8 \gset
SELECT ok(dynapi.change_log_tick() > :t5, 'a committed transaction became visible since the newest tick: a new tick');
SELECT ok((SELECT xid = pg_current_xact_id() AND pg_snapshot_xmax(snapshot) > '3'
                  AND pg_snapshot_xmax(snapshot) <= pg_snapshot_xmax(pg_current_snapshot())
             FROM dynapi.change_log_ticks ORDER BY tick DESC LIMIT 1),
          '... recording the current snapshot');
SELECT is(current_setting('synchronous_commit'), 'off', '... and its commit need not wait for the WAL flush');
SELECT is(dynapi.change_log_tick(), (SELECT max(tick) FROM dynapi.change_log_ticks), 'a second call: the same tick');
RESET synchronous_commit;

-- change_log_follow (0014): a tick and the batches up to it in one round
-- trip, the newest tick first (alone, id NULL) so that the caller learns
-- it even when there are no events.
SELECT is((SELECT pg_get_function_identity_arguments(p.oid) || ' -> ' || pg_get_function_result(p.oid)
             FROM pg_proc AS p WHERE p.oid = 'dynapi.change_log_follow(bigint)'::regprocedure),
          'after_tick bigint -> TABLE(tick bigint, id bigint, ord integer, table_name text, event text, pk jsonb)',
          'change_log_follow: its argument, and the result columns of change_log_events');
SELECT volatility_is('dynapi', 'change_log_follow', ARRAY['bigint'], 'volatile');
SELECT max(tick) AS f0 FROM dynapi.change_log_ticks \gset
SELECT results_eq(format('SELECT * FROM dynapi.change_log_follow(%s)', :f0),
                  format('VALUES (%s::bigint, NULL::bigint, NULL::integer, NULL::text, NULL::text, NULL::jsonb)', :f0),
                  'follow from the newest tick, nothing new: that tick alone');
SELECT is((SELECT max(tick) FROM dynapi.change_log_ticks), :f0::bigint, '... and no new tick');
SELECT results_eq(format('SELECT * FROM dynapi.change_log_follow(%s)', :t1),
                  format($$SELECT %s::bigint, NULL::bigint, NULL::integer, NULL::text, NULL::text, NULL::jsonb
                           UNION ALL
                           SELECT * FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %1$s)$$, :f0, :t1),
                  'from an older tick: the newest tick, then every event of the batches after it, as change_log_events has them');
SELECT is((SELECT count(*) FROM dynapi.change_log_follow(:t1)), 10::bigint, '... (the tick and nine events)');
-- A base in which made-up transaction 4 is not visible yet, then its entry.
-- (Made-up transactions from the past are visible in the real snapshots of
-- the ticks before, so this comes after the follow from t1.)
SELECT pg_temp.tick('4:4:') AS f1 \gset
SELECT pg_temp.entry(-1000000000000 + 4, 'c', 'created', '[10, 11]') AS e9 \gset
CREATE TEMP TABLE dynapi_test_followed AS SELECT * FROM dynapi.change_log_follow(:f1);
SELECT ok((SELECT max(tick) > :f1 FROM dynapi.change_log_ticks), 'a transaction became visible since: follow makes a tick');
SELECT results_eq('SELECT * FROM dynapi_test_followed',
                  format($$VALUES (%1$s::bigint, NULL::bigint, NULL::integer, NULL::text, NULL::text, NULL::jsonb),
                                  (%1$s, %2$s, 0, 'c', 'created', '10'), (%1$s, %2$s, 1, 'c', 'created', '11')$$,
                         (SELECT max(tick) FROM dynapi.change_log_ticks), :e9),
                  '... returns it first, then that transaction''s events (one per key)');
SELECT throws_ok($$SELECT * FROM dynapi.change_log_follow(-1)$$, 'P0002',
                 'change log tick -1 does not exist (pruned, or never made)', 'follow from a tick never made: P0002');
SELECT throws_ok(format('SELECT * FROM dynapi.change_log_follow(%s)', (SELECT max(tick) + 1000 FROM dynapi.change_log_ticks)),
                 'P0002', NULL, '... and from a tick past the newest (a database restored from an older backup)');
DELETE FROM dynapi.change_log_ticks WHERE tick = :t1;
SELECT throws_ok(format('SELECT * FROM dynapi.change_log_follow(%s)', :t1), 'P0002',
                 format('change log tick %s does not exist (pruned, or never made)', :t1), '... and from a pruned tick');

----------------------------------------------------------------------------
-- Pruning. Made-up transactions from y = x + 1000 and made-up ticks only.
CREATE FUNCTION pg_temp.set_retention(r interval) RETURNS void LANGUAGE sql AS $$
    UPDATE dynapi.event_settings SET retention = r;
    DELETE FROM dynapi.change_log WHERE xid < '1000000000000';   -- what the UPDATE logged
$$;
DELETE FROM dynapi.change_log;
DELETE FROM dynapi.change_log_ticks;
SELECT pg_temp.set_retention('1 hour');
SELECT pg_temp.tick(pg_temp.snap(1010, 1010), now() - interval '3 hours') AS k1 \gset
SELECT pg_temp.tick(pg_temp.snap(1020, 1020), now() - interval '2 hours') AS k2 \gset
SELECT pg_temp.tick(pg_temp.snap(1030, 1035, 1030), now() - interval '30 minutes') AS k3 \gset
SELECT pg_temp.tick(pg_temp.snap(1040, 1040), now()) AS k4 \gset
SELECT pg_temp.entry(1005, 'c', 'created', '[1]') AS p1 \gset
SELECT pg_temp.entry(1015, 'c', 'created', '[2]') AS p2 \gset
SELECT pg_temp.entry(1025, 'c', 'created', '[3]') AS p3 \gset
SELECT pg_temp.entry(1030, 'c', 'created', '[4]') AS p4 \gset
SELECT pg_temp.entry(1033, 'c', 'created', '[5]') AS p5 \gset
SELECT pg_temp.entry(1036, 'c', 'created', '[6]') AS p6 \gset
CREATE TEMP TABLE dynapi_test_before AS SELECT * FROM dynapi.change_log_events(:k2, 9223372036854775807, 2147483647, :k4);
SELECT is(dynapi.prune_change_log(), 2::bigint,
          'prune: the ticks older than the newest one past the retention go, and the entries of their batches');
SELECT results_eq('SELECT tick FROM dynapi.change_log_ticks ORDER BY tick', ARRAY[:k2, :k3, :k4]::bigint[],
                  '... the newest tick past the retention stays, as the base of the next batch');
SELECT results_eq('SELECT id FROM dynapi.change_log ORDER BY id', ARRAY[:p3, :p4, :p5, :p6]::bigint[],
                  '... entries older than every transaction running at it are gone');
SELECT set_eq(format('SELECT * FROM dynapi.change_log_events(%s, 9223372036854775807, 2147483647, %s)', :k2, :k4),
              'SELECT * FROM dynapi_test_before', '... and every retained batch is unchanged');
SELECT is(dynapi.prune_change_log(), 0::bigint, 'pruning again deletes nothing');
SELECT pg_temp.set_retention('10 minutes');
SELECT is(dynapi.prune_change_log(), 1::bigint, 'a shorter retention prunes further');
SELECT results_eq('SELECT id FROM dynapi.change_log ORDER BY id', ARRAY[:p4, :p5, :p6]::bigint[],
                  '... but keeps the entry of a transaction running at the oldest tick (delivered in a later batch)');
SELECT results_eq('SELECT * FROM dynapi.change_log_bounds()', format('VALUES (%s::bigint, %s::bigint)', :k3, :k4),
                  'change_log_bounds after pruning');
INSERT INTO dynapi.change_log (xid, event, pks)
SELECT (1000000000000 + 1001)::text::xid8, 'created', '[1]' FROM generate_series(1, 50010);
SELECT is(dynapi.prune_change_log(), 50000::bigint, 'one call deletes at most 50,000 entries');
SELECT is(dynapi.prune_change_log(), 10::bigint, '... the next one the rest');
UPDATE dynapi.change_log_ticks SET at = now() - interval '1 hour' WHERE tick = :k4;
SELECT is(dynapi.prune_change_log(), 3::bigint, 'when every tick is past the retention ...');
SELECT results_eq('SELECT * FROM dynapi.change_log_bounds()', format('VALUES (%s::bigint, %1$s::bigint)', :k4),
                  '... the newest one stays');
SELECT is_empty('SELECT * FROM dynapi.change_log', '... and nothing visible in it');
-- No sidecar has ticked for longer than the retention: prune ticks itself.
DELETE FROM dynapi.change_log_ticks;
SELECT pg_temp.tick('3:3:', now() - interval '2 hours') AS k5 \gset
SELECT pg_temp.entry(-1000000000000 + 3, 'c', 'created', '[7]') AS p7 \gset
SELECT is(dynapi.prune_change_log(), 0::bigint, 'with no tick for longer than the retention, prune ...');
SELECT ok((SELECT max(tick) > :k5 AND max(at) = now() FROM dynapi.change_log_ticks), '... makes a tick itself');
UPDATE dynapi.change_log_ticks SET at = now() - interval '1 hour';
SELECT ok(dynapi.prune_change_log() >= 1, '... so that calling it from cron alone keeps the log from growing');
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.change_log WHERE id = :p7), '... (the entry is gone)');

SELECT * FROM finish();
ROLLBACK;
