-- 0005 (and 0013, 0014): the DDL event triggers keep row-event triggers (and
-- the functions generated for them) correct as tables are created, re-keyed,
-- renamed, moved and partitioned. (The
-- dynapi_schema NOTIFY itself is only observable after commit; see README for
-- a manual check. The schema entries of the change log are checked in
-- test_change_log.sql.)
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(53);

\ir support/row_triggers.sql
-- The API name they log.
CREATE FUNCTION pg_temp.logged_name(rel regclass) RETURNS text LANGUAGE sql AS $$
    SELECT a[2] FROM pg_temp.row_trigger_args(rel) AS a
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
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_a'), ARRAY['id'], 'CREATE TABLE attaches the trigger');
CREATE TABLE public.dynapi_test_nokey (v text);
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_nokey'), '{}'::text[], 'a table without a key gets triggers whose functions read no column');
CREATE TABLE public.dynapi_test_copy AS SELECT 1 AS id;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_copy'), '{}'::text[], 'CREATE TABLE AS too');
CREATE TEMP TABLE dynapi_test_tmp (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_key('pg_temp.dynapi_test_tmp'), NULL, 'temporary tables are left alone');
CREATE SCHEMA dynapi_test_private;
CREATE TABLE dynapi_test_private.p (id int PRIMARY KEY);
SELECT is(pg_temp.row_trigger_key('dynapi_test_private.p'), NULL, 'tables in schemas that are not exposed are left alone');
SELECT lives_ok('CREATE TABLE IF NOT EXISTS public.dynapi_test_a (x int)', 'CREATE TABLE IF NOT EXISTS on an existing table');

-- Key changes
ALTER TABLE public.dynapi_test_a DROP CONSTRAINT dynapi_test_a_pkey;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_a'), '{}'::text[], 'dropping the primary key updates what the trigger functions log');
ALTER TABLE public.dynapi_test_a ADD PRIMARY KEY (v, id);
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_a'), ARRAY['v', 'id'], 'adding a composite key updates it');
ALTER TABLE public.dynapi_test_a RENAME COLUMN v TO code;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_a'), ARRAY['code', 'id'], 'renaming a key column updates it');
ALTER TABLE public.dynapi_test_a ADD COLUMN note text;
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_a'::regclass AND NOT tgisinternal),
          3::bigint, 'repeated ALTERs leave exactly the three triggers');
ALTER TABLE public.dynapi_test_nokey ADD COLUMN id int PRIMARY KEY;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_nokey'), ARRAY['id'], 'a key added later is picked up');

-- Renames and moves
ALTER TABLE public.dynapi_test_a RENAME TO dynapi_test_b;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_b'), ARRAY['code', 'id'], 'a renamed table keeps its trigger');
SELECT is(pg_temp.logged_name('public.dynapi_test_b'), 'dynapi_test_b', '... and events carry the new name');
SELECT lives_ok($$INSERT INTO public.dynapi_test_b (code, id) VALUES ('x', 1)$$, '... and writes still work');
ALTER TABLE public.dynapi_test_b SET SCHEMA dynapi_test_private;
SELECT is(pg_temp.row_trigger_key('dynapi_test_private.dynapi_test_b'), NULL, 'moving a table out of an exposed schema detaches it');
ALTER TABLE dynapi_test_private.dynapi_test_b SET SCHEMA public;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_b'), ARRAY['code', 'id'], 'moving it back attaches it');

-- Partitioning: statement triggers are not cloned, and a statement fires
-- only those of the table it names, so every member of the tree has its
-- own, all logging the root's name and key. Not being clones, they never
-- collide with a table's own triggers on ATTACH PARTITION.
CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_m_2020 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m'), ARRAY['id', 'd'], 'the partitioned table has the triggers');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_m_2020'::regclass AND tgparentid <> 0),
          '... which are not cloned onto its partitions');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2020'), ARRAY['id', 'd'], 'a new partition gets the root''s key');
SELECT is(pg_temp.logged_name('public.dynapi_test_m_2020'), 'dynapi_test_m', '... and logs the root''s name');
CREATE TABLE public.dynapi_test_m_2021 (id int NOT NULL, d date NOT NULL);
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2021'), '{}'::text[], 'a standalone table has its own trigger');
SELECT lives_ok($$ALTER TABLE public.dynapi_test_m ATTACH PARTITION public.dynapi_test_m_2021
                  FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$, 'which does not block ATTACH PARTITION');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2021'), ARRAY['id', 'd'], '... and is re-keyed to the root''s key');
SELECT is(pg_temp.logged_name('public.dynapi_test_m_2021'), 'dynapi_test_m', '... and named after it');
CREATE TABLE public.dynapi_test_m_2022 PARTITION OF public.dynapi_test_m
    FOR VALUES FROM ('2022-01-01') TO ('2023-01-01') PARTITION BY RANGE (id);
CREATE TABLE public.dynapi_test_m_2022_a PARTITION OF public.dynapi_test_m_2022 FOR VALUES FROM (0) TO (100);
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2022_a'), ARRAY['id', 'd'], 'sub-partitions get them as well');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2022'), ARRAY['id', 'd'], '... and so do intermediate partitioned tables');
SELECT is(pg_temp.logged_name('public.dynapi_test_m_2022_a'), 'dynapi_test_m', 'events from a partition name the root table');
SELECT lives_ok($$INSERT INTO public.dynapi_test_m VALUES (1, '2020-06-01'), (2, '2021-06-01'), (3, '2022-06-01')$$,
                'writes through the partitioned table');
CREATE SCHEMA dynapi_test_archive;
CREATE TABLE dynapi_test_archive.m_2019 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
SELECT is(pg_temp.row_trigger_key('dynapi_test_archive.m_2019'), ARRAY['id', 'd'],
          'a partition in another schema follows its root''s schema');
ALTER TABLE public.dynapi_test_m DETACH PARTITION public.dynapi_test_m_2020;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_m_2020'), ARRAY['id', 'd'], 'a detached partition keeps triggers for itself');
SELECT is(pg_temp.logged_name('public.dynapi_test_m_2020'), 'dynapi_test_m_2020', '... logging its own name, no longer its old root''s');
ALTER TABLE public.dynapi_test_m RENAME TO dynapi_test_n;
SELECT is(ARRAY[pg_temp.logged_name('public.dynapi_test_n'), pg_temp.logged_name('public.dynapi_test_m_2021'),
                pg_temp.logged_name('public.dynapi_test_m_2022'), pg_temp.logged_name('public.dynapi_test_m_2022_a')],
          ARRAY['dynapi_test_n', 'dynapi_test_n', 'dynapi_test_n', 'dynapi_test_n'],
          'renaming a partitioned table renames what every member logs');

-- Renamed schemas
CREATE SCHEMA dynapi_test_s1;
CREATE TABLE dynapi_test_s1.t (id int PRIMARY KEY);
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_s1'), ('dynapi_test_s2');
SELECT is(pg_temp.logged_name('dynapi_test_s1.t'), 'dynapi_test_s1.t', 'a table in another exposed schema');
ALTER SCHEMA dynapi_test_s1 RENAME TO dynapi_test_s2;
SELECT is(pg_temp.logged_name('dynapi_test_s2.t'), 'dynapi_test_s2.t', 'renaming its schema to another exposed name renames what it logs');
ALTER SCHEMA dynapi_test_s2 RENAME TO dynapi_test_s3;
SELECT is(pg_temp.row_trigger_key('dynapi_test_s3.t'), NULL, 'renaming it to a name that is not exposed detaches it');

-- A foreign-table partition: PostgreSQL cannot collect transition rows from
-- it, so its tree falls back to row triggers on the local leaves (writes
-- reaching the foreign partition would fail otherwise). Such a tree has no
-- primary key (PostgreSQL allows no unique index above a foreign partition).
CREATE FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE SERVER dynapi_test_server FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE TABLE public.dynapi_test_f (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_f_2020 PARTITION OF public.dynapi_test_f FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_f_2020'::regclass AND NOT tgisinternal ORDER BY tgname),
          ARRAY[8, 4, 16]::int2[], 'a partition tree without foreign tables: statement triggers');
CREATE FOREIGN TABLE public.dynapi_test_f_2019 PARTITION OF public.dynapi_test_f FOR VALUES FROM ('2019-01-01') TO ('2020-01-01')
    SERVER dynapi_test_server;
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_f'), NULL,
          'with a foreign partition, the partitioned table has no trigger');
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_f_2020'::regclass AND NOT tgisinternal ORDER BY tgname),
          ARRAY[1 | 8, 1 | 4, 1 | 16]::int2[], '... and its local leaves have row triggers, without transition tables');
SELECT is(pg_temp.logged_name('public.dynapi_test_f_2020'), 'dynapi_test_f', '... logging the root''s name');
SELECT is(ARRAY(SELECT DISTINCT tgfoid::regproc::text FROM pg_trigger
                 WHERE tgrelid = 'public.dynapi_test_f_2020'::regclass AND NOT tgisinternal),
          ARRAY['dynapi.log_row_changes'],
          '... through 0013''s log_row_changes (a generated function reads the transition table)');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_f_2020'), ARRAY['notify', 'dynapi_test_f', '0'],
          '... with its arguments: mode, API name, key position 0 and the key columns (none here)');
SELECT is_empty($$SELECT proname FROM pg_proc WHERE pronamespace = 'dynapi'::regnamespace
                   AND proname IN (SELECT dynapi.row_log_function_name('dynapi_test_f', c)
                                     FROM unnest(ARRAY['insert', 'update', 'delete']) AS c)$$,
                '... and the functions the tree''s statement triggers ran are dropped');
SELECT is_empty($$SELECT 1 FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_f_2019'::regclass$$,
                '... and the foreign partition none');
ALTER TABLE public.dynapi_test_f DETACH PARTITION public.dynapi_test_f_2019;
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_f_2020'::regclass AND NOT tgisinternal ORDER BY tgname),
          ARRAY[8, 4, 16]::int2[], 'detaching it brings the statement triggers back');
SELECT is(pg_temp.row_trigger_key('public.dynapi_test_f'), '{}'::text[], '... on the partitioned table too');

-- The same above a foreign inheritance child, for the whole family (a
-- statement on the parent writes the children without firing their own
-- statement triggers).
CREATE TABLE public.dynapi_test_ip (id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_ic () INHERITS (public.dynapi_test_ip);
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid IN ('public.dynapi_test_ip'::regclass, 'public.dynapi_test_ic'::regclass)
                                                AND NOT tgisinternal ORDER BY tgrelid, tgname),
          ARRAY[8, 4, 16, 8, 4, 16]::int2[], 'an inheritance parent and child: statement triggers');
CREATE FOREIGN TABLE public.dynapi_test_ifc () INHERITS (public.dynapi_test_ip) SERVER dynapi_test_server;
SELECT is(ARRAY(SELECT tgtype FROM pg_trigger WHERE tgrelid IN ('public.dynapi_test_ip'::regclass, 'public.dynapi_test_ic'::regclass)
                                                AND NOT tgisinternal ORDER BY tgrelid, tgname),
          ARRAY[9, 5, 17, 9, 5, 17]::int2[], 'a foreign child: row triggers on the parent and its other children');

-- Our own CREATE/DROP TRIGGER must not leave the guard switched on.
SELECT is(coalesce(current_setting('dynapi.internal_ddl', true), ''), '', 'internal-DDL flag is off again');

SELECT lives_ok('DROP TABLE public.dynapi_test_copy', 'DROP TABLE of an exposed table');

SELECT * FROM finish();
ROLLBACK;
