-- 0015: the dynapi_schema payload of DDL names the relations the statement
-- touched ({"tag":...,"relations":[oid,...]}), or only the tag when the
-- sidecar must re-read everything. NOTIFY is delivered only after commit,
-- so the payloads are caught where the event triggers hand them over:
-- dynapi.announce_schema_change is wrapped (for this transaction) by a
-- version that records the payload and then runs the real one.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(71);

\ir support/row_triggers.sql

SELECT has_function('dynapi', 'schema_change_payload', ARRAY['text', 'oid[]']);
SELECT has_function('dynapi', 'schema_change_relations', ARRAY['oid[]']);
SELECT has_function('dynapi', 'ddl_command_relations', ARRAY['text']);
SELECT has_function('dynapi', 'dropped_relations', '{}'::name[]);
SELECT has_function('dynapi', 'announce_schema_change', ARRAY['text', 'text']);
SELECT is_definer('dynapi', 'on_ddl_command_end', '{}'::name[]);
SELECT is_definer('dynapi', 'on_sql_drop', '{}'::name[]);
SELECT ok(NOT has_function_privilege('public', 'dynapi.announce_schema_change(text, text)', 'EXECUTE')
          AND NOT EXISTS (SELECT 1 FROM pg_proc AS p CROSS JOIN LATERAL aclexplode(p.proacl) AS a
                           WHERE p.oid = 'dynapi.announce_schema_change(text, text)'::regprocedure AND a.grantee = 0),
          'announce_schema_change: EXECUTE revoked from PUBLIC');

-- The real sender logs the tag, as before 0015.
SELECT pg_temp.mark();
SELECT dynapi.announce_schema_change('{"tag":"ALTER TABLE","relations":[1]}', 'ALTER TABLE');
SELECT results_eq($$SELECT l.event, l.pks FROM dynapi.change_log AS l
                     WHERE l.id > current_setting('dynapi_test.mark')::bigint ORDER BY l.id$$,
                  $$VALUES ('schema', '["ALTER TABLE"]'::jsonb)$$,
                  'announce_schema_change logs a schema entry with the tag alone (the change_log shape is unchanged)');

-- The payload builder
SELECT is(dynapi.schema_change_payload('ALTER TABLE', ARRAY[16390, 16384, 16390]::oid[]),
          '{"tag":"ALTER TABLE","relations":[16384,16390]}', 'payload: compact JSON, OIDs sorted and distinct');
SELECT is(dynapi.schema_change_payload('CREATE TYPE', NULL), '{"tag":"CREATE TYPE"}', 'payload: no relations key for NULL');
SELECT is(dynapi.schema_change_payload('COMMENT', '{}'), '{"tag":"COMMENT","relations":[]}', 'payload: an empty list stays a list');
SELECT is(dynapi.schema_change_payload('ALTER TABLE', ARRAY[16390, NULL, 16384]::oid[]),
          '{"tag":"ALTER TABLE","relations":[16384,16390]}', 'payload: a NULL in the list is left out');
SELECT is(dynapi.schema_change_payload('DROP', ARRAY[4294967295]::oid[]), '{"tag":"DROP","relations":[4294967295]}',
          'payload: OIDs are unsigned');
SELECT is((dynapi.schema_change_payload('DROP', ARRAY(SELECT g::oid FROM generate_series(1000000000, 1000000499) AS g))::jsonb
           -> 'relations') ->> 499, '1000000499', 'payload: 500 relations are listed');
SELECT is(dynapi.schema_change_payload('DROP', ARRAY(SELECT g::oid FROM generate_series(1000000000, 1000000500) AS g)),
          '{"tag":"DROP"}', 'payload: 501 are not');
SELECT cmp_ok(octet_length(dynapi.schema_change_payload('ALTER TABLE', ARRAY(SELECT (4294967295 - g)::oid FROM generate_series(0, 499) AS g))),
              '<', 8000, 'payload: 500 of the largest OIDs fit in a NOTIFY');

----------------------------------------------------------------------------
-- Catching what is sent

CREATE TEMP TABLE dynapi_test_sent (id serial PRIMARY KEY, payload text NOT NULL);
CREATE TEMP TABLE dynapi_test_seen (id integer NOT NULL);
INSERT INTO dynapi_test_seen VALUES (0);
DO $$
BEGIN
    EXECUTE replace(pg_get_functiondef('dynapi.announce_schema_change(text, text)'::regprocedure),
                    'FUNCTION dynapi.announce_schema_change(', 'FUNCTION pg_temp.real_announce_schema_change(');
END;
$$;
CREATE OR REPLACE FUNCTION dynapi.announce_schema_change(payload text, tag text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO pg_temp.dynapi_test_sent (payload) VALUES (payload);
    PERFORM pg_temp.real_announce_schema_change(payload, tag);
END;
$$;
-- The payloads sent since the last call, in order.
CREATE FUNCTION pg_temp.sent() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    result text[];
BEGIN
    SELECT coalesce(array_agg(s.payload ORDER BY s.id), '{}') INTO result
      FROM pg_temp.dynapi_test_sent AS s WHERE s.id > (SELECT id FROM pg_temp.dynapi_test_seen);
    UPDATE pg_temp.dynapi_test_seen SET id = (SELECT coalesce(max(id), 0) FROM pg_temp.dynapi_test_sent);
    RETURN result;
END;
$$;
-- The payload expected, written out independently of the bundle's builder.
CREATE FUNCTION pg_temp.payload(tag text, VARIADIC relations oid[]) RETURNS text LANGUAGE sql AS $$
    SELECT format('{"tag":"%s","relations":[%s]}', tag,
                  (SELECT coalesce(string_agg(r::text, ',' ORDER BY r), '') FROM (SELECT DISTINCT r FROM unnest(relations) AS r) AS u))
$$;
CREATE FUNCTION pg_temp.payload(tag text) RETURNS text LANGUAGE sql AS $$
    SELECT format('{"tag":"%s"}', tag)
$$;
SELECT pg_temp.sent();

----------------------------------------------------------------------------
-- Tables, columns, views

CREATE TABLE public.dynapi_test_a (id int PRIMARY KEY, v text);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TABLE', 'public.dynapi_test_a'::regclass)],
          'CREATE TABLE (with its key''s index): the table');
ALTER TABLE public.dynapi_test_a ADD COLUMN n int;
SELECT is(pg_temp.sent(), ARRAY[format('{"tag":"ALTER TABLE","relations":[%s]}', 'public.dynapi_test_a'::regclass::oid)],
          'ALTER TABLE ADD COLUMN: one OID');
SELECT pg_temp.mark();
ALTER TABLE public.dynapi_test_a ADD COLUMN w int;
SELECT results_eq($$SELECT l.event, l.pks FROM dynapi.change_log AS l
                     WHERE l.id > current_setting('dynapi_test.mark')::bigint ORDER BY l.id$$,
                  $$VALUES ('schema', '["ALTER TABLE"]'::jsonb)$$, '... and the change log still gets the tag alone');
SELECT pg_temp.sent();
ALTER TABLE public.dynapi_test_a RENAME COLUMN w TO w2;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_a'::regclass)], 'RENAME COLUMN: the table');
ALTER TABLE public.dynapi_test_a ADD COLUMN x int, ADD CONSTRAINT dynapi_test_a_x CHECK (x > 0),
    ALTER COLUMN v SET NOT NULL, ALTER COLUMN x SET DEFAULT 1;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_a'::regclass)],
          'ALTER TABLE with several subcommands: one payload, the table');
COMMENT ON COLUMN public.dynapi_test_a.v IS 'a value';
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('COMMENT', 'public.dynapi_test_a'::regclass)], 'COMMENT ON COLUMN: its table');
COMMENT ON CONSTRAINT dynapi_test_a_x ON public.dynapi_test_a IS 'x must be positive';
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('COMMENT', 'public.dynapi_test_a'::regclass)],
          'COMMENT ON CONSTRAINT (a CHECK''s message): its table');
CREATE INDEX dynapi_test_a_n ON public.dynapi_test_a (n);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE INDEX', 'public.dynapi_test_a'::regclass)], 'CREATE INDEX: its table');
ALTER INDEX public.dynapi_test_a_n RENAME TO dynapi_test_a_n2;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER INDEX', 'public.dynapi_test_a'::regclass)], 'ALTER INDEX: its table');

-- serial: the sequence is reported too, and stands for its table; the
-- referenced table comes along (a sidecar may keep the reverse relation)
CREATE TABLE public.dynapi_test_b (id serial PRIMARY KEY, a_id int REFERENCES public.dynapi_test_a);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TABLE', 'public.dynapi_test_a'::regclass, 'public.dynapi_test_b'::regclass)],
          'CREATE TABLE with a serial column and a foreign key: the table and the one it references');
ALTER TABLE public.dynapi_test_b ADD COLUMN n bigint GENERATED BY DEFAULT AS IDENTITY;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_a'::regclass, 'public.dynapi_test_b'::regclass)],
          'ADD COLUMN ... GENERATED AS IDENTITY (its sequence is reported too): the table (and the one it references)');
CREATE TABLE public.dynapi_test_c (id int PRIMARY KEY, a_id int);
SELECT pg_temp.sent();
ALTER TABLE public.dynapi_test_c ADD CONSTRAINT dynapi_test_c_a FOREIGN KEY (a_id) REFERENCES public.dynapi_test_a;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_a'::regclass, 'public.dynapi_test_c'::regclass)],
          'ADD CONSTRAINT FOREIGN KEY: the table and the one it references');

CREATE VIEW public.dynapi_test_v AS SELECT id, v FROM public.dynapi_test_a;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE VIEW', 'public.dynapi_test_v'::regclass)], 'CREATE VIEW: the view');
CREATE OR REPLACE VIEW public.dynapi_test_v AS SELECT id, v, n FROM public.dynapi_test_a;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE VIEW', 'public.dynapi_test_v'::regclass)], 'CREATE OR REPLACE VIEW: the view');
ALTER VIEW public.dynapi_test_v RENAME COLUMN n TO n2;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER VIEW', 'public.dynapi_test_v'::regclass)], 'ALTER VIEW RENAME COLUMN: the view');
CREATE VIEW public.dynapi_test_vv AS SELECT id, v FROM public.dynapi_test_v;
SELECT pg_temp.sent();
CREATE MATERIALIZED VIEW public.dynapi_test_mv AS SELECT id FROM public.dynapi_test_a;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE MATERIALIZED VIEW', 'public.dynapi_test_mv'::regclass)],
          'CREATE MATERIALIZED VIEW: the view');
REFRESH MATERIALIZED VIEW public.dynapi_test_mv;
SELECT is(pg_temp.sent(), '{}'::text[], 'REFRESH MATERIALIZED VIEW: nothing, as before');

-- Renaming a table changes what the foreign keys to it say, and a view on
-- it may be updatable or not through it: all of them.
ALTER TABLE public.dynapi_test_a RENAME TO dynapi_test_a2;
SELECT is(pg_temp.sent(),
          ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_a2'::regclass, 'public.dynapi_test_b'::regclass,
                                'public.dynapi_test_c'::regclass, 'public.dynapi_test_v'::regclass,
                                'public.dynapi_test_vv'::regclass, 'public.dynapi_test_mv'::regclass)],
          'RENAME table: the table, the tables referencing it and the views on it (and on those)');

CREATE FUNCTION public.dynapi_test_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE FUNCTION')], 'CREATE FUNCTION: no relations (a full re-read)');
CREATE TRIGGER dynapi_test_t BEFORE INSERT ON public.dynapi_test_c FOR EACH ROW EXECUTE FUNCTION public.dynapi_test_trg();
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TRIGGER', 'public.dynapi_test_a2'::regclass, 'public.dynapi_test_c'::regclass)],
          'CREATE TRIGGER: its table (and the one it references)');
CREATE TRIGGER dynapi_test_vt INSTEAD OF INSERT ON public.dynapi_test_v FOR EACH ROW EXECUTE FUNCTION public.dynapi_test_trg();
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TRIGGER', 'public.dynapi_test_v'::regclass, 'public.dynapi_test_vv'::regclass)],
          'an INSTEAD OF trigger on a view: the view and the view on it (whose updatability follows)');
CREATE POLICY dynapi_test_p ON public.dynapi_test_c USING (true);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE POLICY', 'public.dynapi_test_a2'::regclass, 'public.dynapi_test_c'::regclass)],
          'CREATE POLICY: its table');

----------------------------------------------------------------------------
CREATE SCHEMA dynapi_test_private;
CREATE TABLE public.dynapi_test_moving (id int);
SELECT pg_temp.sent();
ALTER TABLE public.dynapi_test_moving SET SCHEMA dynapi_test_private;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'dynapi_test_private.dynapi_test_moving'::regclass)],
          'SET SCHEMA (to a schema that is not served): the table, for the sidecar to drop');

----------------------------------------------------------------------------
-- Not about one relation: no relations key

CREATE TYPE public.dynapi_test_mood AS ENUM ('sad', 'ok');
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TYPE')], 'CREATE TYPE: no relations');
ALTER TYPE public.dynapi_test_mood ADD VALUE 'happy';
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TYPE')], 'ALTER TYPE ADD VALUE (enum values are column metadata): no relations');
GRANT SELECT ON public.dynapi_test_c TO PUBLIC;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('GRANT')], 'GRANT: no relations');
CREATE SEQUENCE public.dynapi_test_seq;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE SEQUENCE')], 'a sequence of no column: no relations');
CREATE SCHEMA dynapi_test_s
    CREATE TABLE t (id int PRIMARY KEY)
    CREATE VIEW v AS SELECT id FROM t;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE SCHEMA')], 'CREATE SCHEMA with tables and views in it: no relations');

-- Temporary objects: nothing, as before.
CREATE TEMP TABLE dynapi_test_tmp (id int PRIMARY KEY, v text);
ALTER TABLE dynapi_test_tmp ADD COLUMN w int;
CREATE INDEX ON dynapi_test_tmp (v);
ALTER TABLE dynapi_test_tmp DROP COLUMN w;
DROP TABLE dynapi_test_tmp;
SELECT is(pg_temp.sent(), '{}'::text[], 'temporary tables (created, altered, indexed, dropped): nothing sent');
CREATE TEMP TABLE dynapi_test_tmp2 (id int);
SELECT pg_temp.sent();
CREATE TRIGGER dynapi_test_tt BEFORE INSERT ON dynapi_test_tmp2 FOR EACH ROW EXECUTE FUNCTION public.dynapi_test_trg();
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TRIGGER', VARIADIC '{}'::oid[])],
          'a trigger on a temporary table is still announced (it has no schema of its own), with no relation to re-read');

-- A DO block runs its statements one by one: one payload each.
DO $$
BEGIN
    CREATE TABLE public.dynapi_test_d1 (id int);
    CREATE TABLE public.dynapi_test_d2 (id int);
END;
$$;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TABLE', 'public.dynapi_test_d1'::regclass),
                                pg_temp.payload('CREATE TABLE', 'public.dynapi_test_d2'::regclass)],
          'a DO block with two CREATE TABLE: two payloads');

----------------------------------------------------------------------------
-- Partitions: served through their root

CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
SELECT pg_temp.sent();
CREATE TABLE public.dynapi_test_m_2020 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TABLE', 'public.dynapi_test_m'::regclass, 'public.dynapi_test_m_2020'::regclass)],
          'CREATE TABLE ... PARTITION OF: the partition and its root');
ALTER TABLE public.dynapi_test_m_2020 ADD CONSTRAINT dynapi_test_m_2020_id CHECK (id > 0);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'public.dynapi_test_m'::regclass, 'public.dynapi_test_m_2020'::regclass)],
          'ALTER TABLE on a partition: the partition and its root');
-- ALTER TABLE on a partitioned table may attach or detach a partition,
-- which only the partition's own (rewritten) catalog row would tell.
ALTER TABLE public.dynapi_test_m ADD COLUMN note text;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE')], 'ALTER TABLE on a partitioned table: no relations');
SELECT is(dynapi.schema_change_relations(ARRAY['public.dynapi_test_m'::regclass::oid]), ARRAY['public.dynapi_test_m'::regclass::oid],
          '... a root stands for itself, not its partitions (they are not served)');
CREATE TABLE public.dynapi_test_m_2021 (id int NOT NULL, d date NOT NULL, note text);
SELECT pg_temp.sent();
ALTER TABLE public.dynapi_test_m ATTACH PARTITION public.dynapi_test_m_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE')],
          'ATTACH PARTITION (the attached table is reported nowhere, and is no longer served): no relations');
ALTER TABLE public.dynapi_test_m DETACH PARTITION public.dynapi_test_m_2021;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE')],
          'DETACH PARTITION (the detached table is reported nowhere, and is served again): no relations');
CREATE INDEX dynapi_test_m_note ON public.dynapi_test_m (note);
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE INDEX', 'public.dynapi_test_m'::regclass)],
          'other commands on a partitioned table still name it');

----------------------------------------------------------------------------
-- Drops: the dropped relations by their OID

SELECT 'public.dynapi_test_a2'::regclass::oid AS a2, 'public.dynapi_test_v'::regclass::oid AS v,
       'public.dynapi_test_vv'::regclass::oid AS vv, 'public.dynapi_test_mv'::regclass::oid AS mv,
       'public.dynapi_test_m_2020'::regclass::oid AS m_2020 \gset
ALTER TABLE public.dynapi_test_c DROP CONSTRAINT dynapi_test_c_a;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', :a2, :v, :vv, :mv, 'public.dynapi_test_b'::regclass,
                                                 'public.dynapi_test_c'::regclass),
                                pg_temp.payload('ALTER TABLE', 'public.dynapi_test_c'::regclass)],
          'DROP CONSTRAINT (foreign key): the table and the one it referenced, with what surrounds that (sql_drop), then the table (ddl_command_end)');
DROP TRIGGER dynapi_test_t ON public.dynapi_test_c;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', 'public.dynapi_test_c'::regclass)], 'DROP TRIGGER: its table');
DROP POLICY dynapi_test_p ON public.dynapi_test_c;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', 'public.dynapi_test_c'::regclass)], 'DROP POLICY: its table');
ALTER TABLE public.dynapi_test_a2 ALTER COLUMN x DROP DEFAULT;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', :a2, :v, :vv, :mv, 'public.dynapi_test_b'::regclass),
                                pg_temp.payload('ALTER TABLE', :a2, :v, :vv, :mv, 'public.dynapi_test_b'::regclass)],
          'DROP DEFAULT: the table (with the table referencing it and the views on it), from both triggers');
ALTER TABLE public.dynapi_test_c DROP COLUMN a_id;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', 'public.dynapi_test_c'::regclass),
                                pg_temp.payload('ALTER TABLE', 'public.dynapi_test_c'::regclass)],
          'DROP COLUMN: the table, from both triggers');
DROP INDEX public.dynapi_test_a_n2;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP')],
          'DROP INDEX: no relations (a dropped index no longer says whose it was)');
DROP TABLE public.dynapi_test_m_2020;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', :m_2020)], 'DROP TABLE of a partition: its OID');
DROP TABLE public.dynapi_test_a2 CASCADE;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', :a2, :v, :vv, :mv, 'public.dynapi_test_b'::regclass)],
          'DROP TABLE ... CASCADE: its OID, the views dropped with it, and the table whose foreign key went (only sql_drop: DROP reports no command)');
DROP TYPE public.dynapi_test_mood;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP')], 'DROP TYPE: no relations');
DROP FUNCTION public.dynapi_test_trg() CASCADE;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP')], 'DROP FUNCTION (and the triggers on it): no relations');

----------------------------------------------------------------------------
-- More than 500 relations: no relations key. In a schema that is not
-- exposed, so that the tables get no row triggers and this stays quick.

CREATE SCHEMA dynapi_test_many;
CREATE TABLE dynapi_test_many.p (id int);
DO $$
BEGIN
    FOR i IN 1..501 LOOP
        EXECUTE format('CREATE TABLE dynapi_test_many.c%s () INHERITS (dynapi_test_many.p)', i);
    END LOOP;
    FOR i IN 1..500 LOOP
        EXECUTE format('CREATE TABLE dynapi_test_many.s%s (id int)', i);
    END LOOP;
END;
$$;
SELECT pg_temp.sent();
ALTER TABLE dynapi_test_many.c1 ADD COLUMN w int;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE', 'dynapi_test_many.p'::regclass, 'dynapi_test_many.c1'::regclass)],
          'ALTER TABLE on an inheritance child: the child and its parent');
ALTER TABLE dynapi_test_many.p ADD COLUMN v int;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('ALTER TABLE')],
          'ALTER TABLE on a parent of 501 tables (its new column is theirs too): 502 relations, so none listed');
SELECT array_agg(c.oid ORDER BY c.oid)::text AS s_oids FROM pg_class AS c
 WHERE c.relnamespace = 'dynapi_test_many'::regnamespace AND c.relname ~ '^s[0-9]+$' \gset
DO $$
BEGIN
    EXECUTE 'DROP TABLE ' || (SELECT string_agg(format('dynapi_test_many.s%s', i), ', ') FROM generate_series(1, 500) AS i);
END;
$$;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP', VARIADIC :'s_oids'::oid[])], 'DROP TABLE of 500 tables: all 500 listed');
DROP TABLE dynapi_test_many.p CASCADE;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('DROP')], 'DROP TABLE ... CASCADE of 502 tables: none listed');

----------------------------------------------------------------------------
-- A role without access to schema dynapi: the same payloads.

CREATE ROLE dynapi_test_dev NOLOGIN;
GRANT CREATE, USAGE ON SCHEMA public TO dynapi_test_dev;
SELECT pg_temp.sent();
SET LOCAL ROLE dynapi_test_dev;
CREATE TABLE public.dynapi_test_owned (id int PRIMARY KEY);
ALTER TABLE public.dynapi_test_owned ADD COLUMN v text;
RESET ROLE;
SELECT is(pg_temp.sent(), ARRAY[pg_temp.payload('CREATE TABLE', 'public.dynapi_test_owned'::regclass),
                                pg_temp.payload('ALTER TABLE', 'public.dynapi_test_owned'::regclass)],
          'DDL by a role without access to dynapi: announced all the same');

-- Every payload sent in this file is JSON with a tag and, if anything, a
-- list of numbers, and fits a NOTIFY.
SELECT is_empty($$
    SELECT s.payload FROM pg_temp.dynapi_test_sent AS s
     CROSS JOIN LATERAL (SELECT s.payload::jsonb AS j) AS p
     WHERE octet_length(s.payload) >= 8000
        OR jsonb_typeof(p.j -> 'tag') <> 'string'
        OR EXISTS (SELECT 1 FROM jsonb_object_keys(p.j) AS k WHERE k NOT IN ('tag', 'relations'))
        OR (p.j ? 'relations' AND (jsonb_typeof(p.j -> 'relations') <> 'array'
                                   OR EXISTS (SELECT 1 FROM jsonb_array_elements(p.j -> 'relations') AS e
                                               WHERE jsonb_typeof(e) <> 'number')))
    $$, 'every payload: {"tag": string, "relations"?: [number, ...]}, under 8000 bytes');

SELECT * FROM finish();
ROLLBACK;
