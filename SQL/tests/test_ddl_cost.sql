-- 0016 (with 0015's event triggers): what the bundle makes a DDL statement
-- cost no longer grows with the number of tables. Timing makes no test, so
-- the work is counted: the catalog rows a statement reads (PostgreSQL's own
-- counters for this transaction, rows returned by scans and fetched through
-- indexes, over every table and index of pg_catalog), for the same
-- statements before and after 300 more tables were created in the same
-- transaction, which is where plans made while the catalogs were small kept
-- reading them whole. And drop_unused_row_log_functions in each way it is
-- called: NULL (every unused generated function), a list (those of it that
-- no trigger runs), an empty list (nothing, as for a new table).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(25);

\ir support/row_triggers.sql

-- Start from the defaults.
DELETE FROM dynapi.table_settings;
UPDATE dynapi.event_settings SET event_mode = DEFAULT;

-- Generated functions no trigger runs.
CREATE FUNCTION pg_temp.unused() RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc AS p
                  WHERE p.pronamespace = 'dynapi'::regnamespace AND p.proname LIKE 'row\_log\_%' AND p.pronargs = 0
                    AND NOT EXISTS (SELECT 1 FROM pg_trigger AS t WHERE t.tgfoid = p.oid)
                  ORDER BY 1)
$$;

----------------------------------------------------------------------------
-- How the functions of the DDL path plan

SELECT is_empty($$
    SELECT f::regprocedure FROM unnest(ARRAY['dynapi.on_ddl_command_end()', 'dynapi.on_sql_drop()',
                                             'dynapi.ddl_command_relations(text)', 'dynapi.dropped_relations()',
                                             'dynapi.schema_change_relations(oid[])', 'dynapi.attach_row_trigger(regclass)',
                                             'dynapi.detach_row_trigger(regclass)',
                                             'dynapi.drop_unused_row_log_functions(oid[])',
                                             'dynapi.inheritance_family(oid[], boolean, boolean, integer)',
                                             'dynapi.record_schema_change(text, text[])']::regprocedure[]) AS f
     WHERE NOT ARRAY['enable_seqscan=off', 'jit=off'] <@ coalesce((SELECT p.proconfig FROM pg_proc AS p WHERE p.oid = f), '{}')
    $$, 'the functions the DDL event triggers run read the catalogs through their indexes (enable_seqscan off, and jit off with it)');
SELECT is_empty($$
    SELECT f::regprocedure FROM unnest(ARRAY['dynapi.on_ddl_command_end()', 'dynapi.on_sql_drop()']::regprocedure[]) AS f
     WHERE NOT 'plan_cache_mode=force_generic_plan' = ANY (coalesce((SELECT p.proconfig FROM pg_proc AS p WHERE p.oid = f), '{}'))
    $$, '... and the event triggers keep their plans (plan_cache_mode)');

----------------------------------------------------------------------------
-- drop_unused_row_log_functions

CREATE TABLE public.dynapi_test_kept (id int PRIMARY KEY);
SELECT dynapi.ensure_row_log_function('dynapi_test_stray_a', 'log', 'INSERT', NULL) AS stray_a,
       dynapi.ensure_row_log_function('dynapi_test_stray_b', 'log', 'UPDATE', ARRAY['id']) AS stray_b,
       dynapi.ensure_row_log_function('dynapi_test_stray_c', 'notify', 'DELETE', ARRAY['a', 'b']) AS stray_c,
       pg_temp.fn('dynapi_test_kept', 'insert') AS kept \gset
SELECT is(pg_temp.unused(), ARRAY[:'stray_a', :'stray_b', :'stray_c'],
          '(three generated functions that no trigger runs)');

SELECT is(dynapi.drop_unused_row_log_functions('{}'), 0, 'drop_unused_row_log_functions(''{}''): drops nothing');
SELECT is(pg_temp.unused(), ARRAY[:'stray_a', :'stray_b', :'stray_c'], '... all three are still there');

SELECT is(dynapi.drop_unused_row_log_functions(ARRAY[:'stray_a'::regprocedure, :'kept'::regprocedure,
                                                     'dynapi.log_row_changes()'::regprocedure, :'stray_a'::regprocedure]::oid[]
                                               || ARRAY[0, 4294967295]::oid[]),
          1, 'a list: drops those of it no trigger runs, once each; not a function in use, not log_row_changes, not an OID of nothing');
SELECT is(pg_temp.unused(), ARRAY[:'stray_b', :'stray_c'], '... the listed unused one is gone, the others stay');
SELECT ok(to_regprocedure(:'kept') IS NOT NULL AND to_regprocedure('dynapi.log_row_changes()') IS NOT NULL,
          '... the table''s function and log_row_changes stay');

SELECT is(dynapi.drop_unused_row_log_functions(NULL), 2, 'NULL: every generated function no trigger runs');
SELECT is(pg_temp.unused(), '{}'::text[], '... none is left');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_kept'), ARRAY['notify', 'dynapi_test_kept'],
          '... and the table in use keeps its triggers');
SELECT ok(to_regprocedure(:'kept') IS NOT NULL, '... and its functions');

SELECT dynapi.ensure_row_log_function('dynapi_test_stray_d', 'log', 'INSERT', NULL) AS stray_d \gset
SELECT is(dynapi.drop_unused_row_log_functions(), 1, 'no argument: NULL, every one');

-- What each DDL statement does: a new table's triggers ran nothing before,
-- so nothing is checked (0014 checked every generated function against
-- every trigger); a renamed one's old functions go; a dropped table takes
-- every unused one with it (on_sql_drop cannot tell which were its).
SELECT dynapi.ensure_row_log_function('dynapi_test_stray_e', 'log', 'INSERT', NULL) AS stray_e \gset
CREATE TABLE public.dynapi_test_new (id int PRIMARY KEY);
SELECT is(pg_temp.unused(), ARRAY[:'stray_e'], 'CREATE TABLE leaves other unused functions alone');
ALTER TABLE public.dynapi_test_new RENAME TO dynapi_test_renamed;
SELECT ok(pg_temp.fn('dynapi_test_new', 'insert') IS NULL AND pg_temp.fn('dynapi_test_renamed', 'insert') IS NOT NULL,
          'a rename drops the old name''s functions');
SELECT is(pg_temp.unused(), ARRAY[:'stray_e'], '... and leaves other unused functions alone');
DROP TABLE public.dynapi_test_renamed;
SELECT is(pg_temp.unused(), '{}'::text[], 'DROP TABLE drops every unused generated function');
SELECT ok(pg_temp.fn('dynapi_test_renamed', 'insert') IS NULL AND to_regprocedure(:'kept') IS NOT NULL,
          '... its own among them; those in use stay');

----------------------------------------------------------------------------
-- A table that joins an extension is no longer served: its triggers go at
-- once (fix_stale_row_triggers no longer runs after every DDL statement on
-- tables, which used to catch it at the next one).
CREATE TABLE public.dynapi_test_ext (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ext'), ARRAY['notify', 'dynapi_test_ext'], '(a served table)');
ALTER EXTENSION pgtap ADD TABLE public.dynapi_test_ext;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_ext'), NULL, 'ALTER EXTENSION ... ADD TABLE removes its triggers');
SELECT ok(pg_temp.fn('dynapi_test_ext', 'insert') IS NULL, '... and its functions');
ALTER EXTENSION pgtap DROP TABLE public.dynapi_test_ext;

----------------------------------------------------------------------------
-- Catalog rows read per statement, before and after 300 more tables

DO $$
BEGIN
    EXECUTE format(
        'CREATE FUNCTION pg_temp.catalog_reads() RETURNS bigint LANGUAGE sql AS %L',
        format('SELECT sum(pg_catalog.pg_stat_get_xact_tuples_returned(o) + pg_catalog.pg_stat_get_xact_tuples_fetched(o))::bigint
                  FROM unnest(%L::oid[]) AS o',
               ARRAY(SELECT c.oid FROM pg_class AS c
                      WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind IN ('r', 'i'))));
END;
$$;
-- The rows a statement reads (its own and its event triggers').
CREATE FUNCTION pg_temp.reads(statement text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint := pg_temp.catalog_reads();
BEGIN
    EXECUTE statement;
    RETURN pg_temp.catalog_reads() - before;
END;
$$;
CREATE TEMP TABLE reads (step text, label text, statement text, n bigint);
CREATE TABLE public.dynapi_test_ref1 (id serial PRIMARY KEY);
CREATE TABLE public.dynapi_test_ref2 (id serial PRIMARY KEY);
-- Same statements on tables alike: a key with its sequence, a default, a
-- foreign key (to a table nothing else references: PostgreSQL's own work
-- grows with the keys referencing a table).
INSERT INTO reads
SELECT 'before', label, s, pg_temp.reads(replace(s, '#', '1'))
  FROM (VALUES (1, 'CREATE TABLE', 'CREATE TABLE public.dynapi_test_t# (id serial PRIMARY KEY, v text DEFAULT ''x'', r int REFERENCES public.dynapi_test_ref#)'),
               (2, 'ALTER TABLE ADD COLUMN', 'ALTER TABLE public.dynapi_test_t# ADD COLUMN w int'),
               (3, 'CREATE INDEX', 'CREATE INDEX ON public.dynapi_test_t# (v)'),
               (4, 'ALTER TABLE DROP COLUMN', 'ALTER TABLE public.dynapi_test_t# DROP COLUMN w')) AS v(o, label, s)
 ORDER BY o;
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXECUTE format('CREATE TABLE public.dynapi_test_fill%s (id serial PRIMARY KEY, v text DEFAULT ''x''%s)', i,
                       CASE WHEN i % 10 = 0 THEN format(', r int REFERENCES public.dynapi_test_fill%s', i - 5) ELSE '' END);
    END LOOP;
END;
$$;
INSERT INTO reads
SELECT 'after', r.label, r.statement, pg_temp.reads(replace(r.statement, '#', '2'))
  FROM reads AS r ORDER BY r.ctid;
-- Half a row per table created in between: a statement reading one row per
-- table (a pass over the row-event triggers) or more would be caught.
SELECT cmp_ok(a.n, '<=', b.n + 150, format('%s: %s catalog rows read before 300 more tables, %s after', b.label, b.n, a.n))
  FROM reads AS b JOIN reads AS a ON a.label = b.label AND a.step = 'after'
 WHERE b.step = 'before'
 ORDER BY b.ctid;

SELECT * FROM finish();
ROLLBACK;
