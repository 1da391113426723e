-- 0005: the DDL event triggers keep row triggers correct as tables are
-- created, re-keyed, renamed, moved and partitioned. (The dynapi_schema
-- NOTIFY itself is only observable after commit; see README for a manual check.)
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(32);

CREATE FUNCTION pg_temp.row_trigger_args(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1:t.tgnargs]
      FROM pg_trigger AS t WHERE t.tgrelid = rel AND t.tgname = 'dynapi_row_events'
$$;

SELECT function_returns('dynapi', 'on_ddl_command_end', '{}'::name[], 'event_trigger');
SELECT function_returns('dynapi', 'on_sql_drop', '{}'::name[], 'event_trigger');
SELECT is_definer('dynapi', 'on_ddl_command_end', '{}'::name[]);
SELECT is(ARRAY(SELECT format('%s %s %s %s', evtname, evtevent, evtfoid::regproc, evtenabled)
                  FROM pg_event_trigger WHERE evtname LIKE 'dynapi%' ORDER BY evtname),
          ARRAY['dynapi_ddl_command_end ddl_command_end dynapi.on_ddl_command_end O',
                'dynapi_sql_drop sql_drop dynapi.on_sql_drop O'],
          'both event triggers exist, enabled, once each');

-- New tables
CREATE TABLE public.dynapi_test_a (id bigserial PRIMARY KEY, v text);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_a'), ARRAY['id'], 'CREATE TABLE attaches the trigger');
CREATE TABLE public.dynapi_test_nokey (v text);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_nokey'), '{}'::text[], 'a table without a key gets a trigger without arguments');
CREATE TABLE public.dynapi_test_copy AS SELECT 1 AS id;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_copy'), '{}'::text[], 'CREATE TABLE AS too');
CREATE TEMP TABLE dynapi_test_tmp (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_args('pg_temp.dynapi_test_tmp'), NULL, 'temporary tables are left alone');
CREATE SCHEMA dynapi_test_private;
CREATE TABLE dynapi_test_private.p (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_args('dynapi_test_private.p'), NULL, 'tables in schemas that are not exposed are left alone');
SELECT lives_ok('CREATE TABLE IF NOT EXISTS public.dynapi_test_a (x int)', 'CREATE TABLE IF NOT EXISTS on an existing table');

-- Key changes
ALTER TABLE public.dynapi_test_a DROP CONSTRAINT dynapi_test_a_pkey;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_a'), '{}'::text[], 'dropping the primary key updates the trigger');
ALTER TABLE public.dynapi_test_a ADD PRIMARY KEY (v, id);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_a'), ARRAY['v', 'id'], 'adding a composite key updates it');
ALTER TABLE public.dynapi_test_a RENAME COLUMN v TO code;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_a'), ARRAY['code', 'id'], 'renaming a key column updates it');
ALTER TABLE public.dynapi_test_a ADD COLUMN note text;
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_a'::regclass AND NOT tgisinternal),
          1::bigint, 'repeated ALTERs leave exactly one trigger');
ALTER TABLE public.dynapi_test_nokey ADD COLUMN id int PRIMARY KEY;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_nokey'), ARRAY['id'], 'a key added later is picked up');

-- Renames and moves
ALTER TABLE public.dynapi_test_a RENAME TO dynapi_test_b;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_b'), ARRAY['code', 'id'], 'a renamed table keeps its trigger');
SELECT is(dynapi.api_name('public.dynapi_test_b'), 'dynapi_test_b', '... and events carry the new name');
SELECT lives_ok($$INSERT INTO public.dynapi_test_b (code, id) VALUES ('x', 1)$$, '... and writes still work');
ALTER TABLE public.dynapi_test_b SET SCHEMA dynapi_test_private;
SELECT is(pg_temp.row_trigger_args('dynapi_test_private.dynapi_test_b'), NULL, 'moving a table out of an exposed schema detaches it');
ALTER TABLE dynapi_test_private.dynapi_test_b SET SCHEMA public;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_b'), ARRAY['code', 'id'], 'moving it back attaches it');

-- Partitioning: triggers live on the leaves, so ATTACH PARTITION never
-- collides with a table's own dynapi_row_events trigger.
CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_m_2020 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m'), NULL, 'the partitioned table itself has no trigger');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2020'), ARRAY['id', 'd'], 'a new partition gets the root''s key');
CREATE TABLE public.dynapi_test_m_2021 (id int NOT NULL, d date NOT NULL);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2021'), '{}'::text[], 'a standalone table has its own trigger');
SELECT lives_ok($$ALTER TABLE public.dynapi_test_m ATTACH PARTITION public.dynapi_test_m_2021
                  FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$, 'which does not block ATTACH PARTITION');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2021'), ARRAY['id', 'd'], '... and is re-keyed to the root''s key');
CREATE TABLE public.dynapi_test_m_2022 PARTITION OF public.dynapi_test_m
    FOR VALUES FROM ('2022-01-01') TO ('2023-01-01') PARTITION BY RANGE (id);
CREATE TABLE public.dynapi_test_m_2022_a PARTITION OF public.dynapi_test_m_2022 FOR VALUES FROM (0) TO (100);
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2022_a'), ARRAY['id', 'd'], 'sub-partitions get it as well');
SELECT is(dynapi.api_name(coalesce(pg_partition_root('public.dynapi_test_m_2022_a'), 'public.dynapi_test_m_2022_a')),
          'dynapi_test_m', 'events from a partition name the root table');
SELECT lives_ok($$INSERT INTO public.dynapi_test_m VALUES (1, '2020-06-01'), (2, '2021-06-01'), (3, '2022-06-01')$$,
                'writes through the partitioned table');
CREATE SCHEMA dynapi_test_archive;
CREATE TABLE dynapi_test_archive.m_2019 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
SELECT is(pg_temp.row_trigger_args('dynapi_test_archive.m_2019'), ARRAY['id', 'd'],
          'a partition in another schema follows its root''s schema');
ALTER TABLE public.dynapi_test_m DETACH PARTITION public.dynapi_test_m_2020;
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_m_2020'), ARRAY['id', 'd'], 'a detached partition keeps a trigger for itself');

-- Our own CREATE/DROP TRIGGER must not leave the guard switched on.
SELECT is(coalesce(current_setting('dynapi.internal_ddl', true), ''), '', 'internal-DDL flag is off again');

SELECT lives_ok('DROP TABLE public.dynapi_test_copy', 'DROP TABLE of an exposed table');

SELECT * FROM finish();
ROLLBACK;
