-- 0018 and functions/17_schema_api.sql: the schema permission (users,
-- api_users, the ACL trigger, the configuration document's schema_editors),
-- the schema change history the event triggers record, and what the schema
-- API reads and checks: describe_tables, enum_types, schema_api_require,
-- schema_change_history.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(145);

SET LOCAL dynapi.bcrypt_cost = 4;

\ir support/errors.sql

-- What the history recorded since pg_temp.history_mark(): tag, objects and
-- statement of each row, oldest first.
CREATE TEMPORARY TABLE dynapi_test_history_mark (id bigint);
CREATE FUNCTION pg_temp.history_mark() RETURNS void LANGUAGE sql AS $$
    DELETE FROM dynapi_test_history_mark;
    INSERT INTO dynapi_test_history_mark SELECT coalesce(max(id), 0) FROM dynapi.schema_changes;
$$;
CREATE FUNCTION pg_temp.recorded() RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('tag', c.tag, 'objects', c.objects, 'statement', c.statement)
                              ORDER BY c.id), '[]')
      FROM dynapi.schema_changes AS c
     WHERE c.id > (SELECT m.id FROM dynapi_test_history_mark AS m)
$$;
-- ... and who: user_id, username, database_role.
CREATE FUNCTION pg_temp.recorded_who() RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', c.user_id, 'username', c.username,
                                                 'database_role', c.database_role)
                              ORDER BY c.id), '[]')
      FROM dynapi.schema_changes AS c
     WHERE c.id > (SELECT m.id FROM dynapi_test_history_mark AS m)
$$;
-- The entries of a schema API answer whose name starts with dynapi_test, in
-- its order.
CREATE FUNCTION pg_temp.test_entries(answer jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(e.entry ORDER BY e.ord), '[]')
      FROM jsonb_array_elements(answer) WITH ORDINALITY AS e(entry, ord)
     WHERE e.entry ->> 'name' LIKE 'dynapi\_test%' OR e.entry ->> 'name' LIKE 'dynapi\_test\_sales.%'
$$;

----------------------------------------------------------------------------
-- Shapes

SELECT has_column('dynapi', 'users', 'can_change_schema', 'users.can_change_schema exists');
SELECT col_type_is('dynapi', 'users', 'can_change_schema', 'boolean', '... boolean');
SELECT col_not_null('dynapi', 'users', 'can_change_schema', '... NOT NULL');
SELECT col_default_is('dynapi', 'users', 'can_change_schema', 'false', '... false unless given');
SELECT ok(col_description('dynapi.users'::regclass,
                          (SELECT attnum FROM pg_attribute WHERE attrelid = 'dynapi.users'::regclass
                                                             AND attname = 'can_change_schema')) IS NOT NULL,
          '... and documented');

SELECT has_table('dynapi', 'schema_changes', 'dynapi.schema_changes exists');
SELECT is(ARRAY(SELECT format('%s %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                              CASE WHEN a.attnotnull THEN ' not null' ELSE '' END)
                  FROM pg_attribute AS a
                 WHERE a.attrelid = 'dynapi.schema_changes'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum),
          ARRAY['id bigint not null', 'at timestamp with time zone not null', 'user_id bigint', 'username text',
                'database_role text not null', 'tag text not null', 'objects text[] not null', 'statement text not null'],
          'schema_changes: its columns, types and NOT NULLs');
SELECT col_is_pk('dynapi', 'schema_changes', 'id', 'schema_changes.id is the primary key');
SELECT is((SELECT attidentity FROM pg_attribute WHERE attrelid = 'dynapi.schema_changes'::regclass AND attname = 'id'),
          'a'::"char", '... GENERATED ALWAYS AS IDENTITY');
SELECT col_default_is('dynapi', 'schema_changes', 'at', 'clock_timestamp()', 'at is the clock time');
SELECT col_default_is('dynapi', 'schema_changes', 'objects', '{}', 'objects default to none');
SELECT is_empty($$SELECT conname FROM pg_constraint WHERE conrelid = 'dynapi.schema_changes'::regclass AND contype = 'f'$$,
                'no foreign key: the history outlives deleted users');
SELECT ok(NOT has_table_privilege('public', 'dynapi.schema_changes', 'SELECT')
          AND NOT has_table_privilege('public', 'dynapi.schema_changes', 'INSERT'),
          'PUBLIC can neither read nor write the history');
SELECT ok(obj_description('dynapi.schema_changes'::regclass, 'pg_class') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pg_attribute AS a
                           WHERE a.attrelid = 'dynapi.schema_changes'::regclass AND a.attnum > 0 AND a.attname <> 'id'
                             AND col_description(a.attrelid, a.attnum) IS NULL),
          'schema_changes and its columns (but the key) are documented');

SELECT function_returns('dynapi', 'record_schema_change', ARRAY['text', 'text[]'], 'void');
SELECT ok(NOT has_function_privilege('public', 'dynapi.record_schema_change(text, text[])', 'EXECUTE'),
          'record_schema_change: EXECUTE revoked from PUBLIC (it writes the history)');
SELECT ok(ARRAY['enable_seqscan=off', 'jit=off']
          <@ (SELECT proconfig FROM pg_proc WHERE oid = 'dynapi.record_schema_change(text, text[])'::regprocedure),
          '... and reads users through its index, as the rest of the DDL path');

SELECT function_returns('dynapi', 'describe_tables', ARRAY['text[]', 'text'], 'jsonb');
SELECT function_returns('dynapi', 'enum_types', ARRAY['text[]'], 'jsonb');
SELECT function_returns('dynapi', 'schema_api_require', ARRAY['text', 'text', 'text', 'text'], 'void');
SELECT function_returns('dynapi', 'schema_change_history', ARRAY['integer', 'bigint', 'bigint'], 'jsonb');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.oid IN ('dynapi.describe_tables(text[], text)'::regprocedure, 'dynapi.enum_types(text[])'::regprocedure,
                     'dynapi.schema_api_require(text, text, text, text)'::regprocedure,
                     'dynapi.schema_change_history(integer, bigint, bigint)'::regprocedure)
       AND (p.prosecdef OR p.provolatile <> 's' OR NOT 'search_path=pg_catalog, pg_temp' = ANY (coalesce(p.proconfig, '{}'))
            OR obj_description(p.oid, 'pg_proc') IS NULL)
    $$, 'the schema API''s functions: STABLE, not SECURITY DEFINER, search_path pinned, documented');

----------------------------------------------------------------------------
-- The history: one row per statement

SELECT pg_temp.history_mark();
CREATE TABLE public.dynapi_test_h (id int PRIMARY KEY, v text);
SELECT is(pg_temp.recorded(),
          '[{"tag": "CREATE TABLE", "objects": ["public.dynapi_test_h", "public.dynapi_test_h_pkey"],
             "statement": "CREATE TABLE public.dynapi_test_h (id int PRIMARY KEY, v text);"}]',
          'CREATE TABLE: one row, with the table and its key''s index, and the statement');

SELECT pg_temp.history_mark();
ALTER TABLE public.dynapi_test_h ADD COLUMN w int;
SELECT is(pg_temp.recorded(),
          '[{"tag": "ALTER TABLE", "objects": ["public.dynapi_test_h"],
             "statement": "ALTER TABLE public.dynapi_test_h ADD COLUMN w int;"}]',
          'ALTER TABLE ADD COLUMN: one row');

SELECT pg_temp.history_mark();
ALTER TABLE public.dynapi_test_h DROP COLUMN w;
SELECT is(pg_temp.recorded(),
          '[{"tag": "ALTER TABLE", "objects": ["public.dynapi_test_h", "public.dynapi_test_h.w"],
             "statement": "ALTER TABLE public.dynapi_test_h DROP COLUMN w;"}]',
          'ALTER TABLE DROP COLUMN (sql_drop and ddl_command_end): one row, the table and the dropped column');

SELECT pg_temp.history_mark();
COMMENT ON TABLE public.dynapi_test_h IS 'History test';
SELECT is(pg_temp.recorded(),
          '[{"tag": "COMMENT", "objects": ["public.dynapi_test_h"],
             "statement": "COMMENT ON TABLE public.dynapi_test_h IS ''History test'';"}]',
          'COMMENT: one row');

SELECT pg_temp.history_mark();
CREATE INDEX dynapi_test_h_v_idx ON public.dynapi_test_h (v);
SELECT is(pg_temp.recorded(),
          '[{"tag": "CREATE INDEX", "objects": ["public.dynapi_test_h_v_idx"],
             "statement": "CREATE INDEX dynapi_test_h_v_idx ON public.dynapi_test_h (v);"}]',
          'CREATE INDEX: one row');

SELECT pg_temp.history_mark();
DROP TABLE public.dynapi_test_h;
SELECT is(pg_temp.recorded(),
          '[{"tag": "DROP TABLE", "objects": ["public.dynapi_test_h"], "statement": "DROP TABLE public.dynapi_test_h;"}]',
          'DROP TABLE (sql_drop, then ddl_command_end): one row, the table alone (not its index, type, sequence)');
SELECT is(current_setting('dynapi.dropped_objects', true), '',
          '... and what sql_drop kept for it is cleared');

SELECT is((SELECT count(*) FROM dynapi.schema_changes AS c
            WHERE c.id > (SELECT m.id FROM dynapi_test_history_mark AS m)
              AND (c.at IS NULL OR c.at > clock_timestamp() OR c.at < now())),
          0::bigint, 'at is the clock time of the statement');

-- Nothing recorded
SELECT pg_temp.history_mark();
CREATE TEMPORARY TABLE dynapi_test_tmp (id int PRIMARY KEY);
ALTER TABLE dynapi_test_tmp ADD COLUMN w int;
ALTER TABLE dynapi_test_tmp DROP COLUMN w;
CREATE INDEX ON dynapi_test_tmp (id);
DROP TABLE dynapi_test_tmp;
SELECT is(pg_temp.recorded(), '[]', 'temporary tables: nothing recorded');

CREATE TABLE public.dynapi_test_exists (id int);
CREATE MATERIALIZED VIEW public.dynapi_test_mv AS SELECT 1 AS one;
SELECT pg_temp.history_mark();
CREATE TABLE IF NOT EXISTS public.dynapi_test_exists (other int);
SELECT is(pg_temp.recorded(), '[]', 'CREATE TABLE IF NOT EXISTS on an existing table: nothing recorded');
DROP TABLE IF EXISTS public.dynapi_test_never;
SELECT is(pg_temp.recorded(), '[]', 'DROP TABLE IF EXISTS of nothing: nothing recorded');
REFRESH MATERIALIZED VIEW public.dynapi_test_mv;
REINDEX TABLE public.dynapi_test_exists;
SELECT is(pg_temp.recorded(), '[]', 'REFRESH MATERIALIZED VIEW and REINDEX: nothing recorded');
SELECT dynapi.run_internal_ddl('CREATE TABLE public.dynapi_test_internal (id int)');
SELECT dynapi.run_internal_ddl('DROP TABLE public.dynapi_test_internal');
SET LOCAL dynapi.internal_ddl = on;
CREATE TABLE public.dynapi_test_install (id int);
SET LOCAL dynapi.internal_ddl = '';
SELECT is(pg_temp.recorded(), '[]', 'the bundle''s own DDL and what an install runs: nothing recorded');
DROP TABLE public.dynapi_test_install;

-- An extension's script fires ddl_command_end for each of its statements:
-- one row for the CREATE EXTENSION that ran them.
SELECT pg_temp.history_mark();
SELECT NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'tsm_system_rows')
       AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'tsm_system_rows') AS dynapi_test_ext \gset
\if :dynapi_test_ext
CREATE EXTENSION tsm_system_rows SCHEMA public;
SELECT is(pg_temp.recorded(),
          '[{"tag": "CREATE EXTENSION", "objects": ["tsm_system_rows"],
             "statement": "CREATE EXTENSION tsm_system_rows SCHEMA public;"}]',
          'CREATE EXTENSION: one row, not one per statement of its script');
SELECT pg_temp.history_mark();
DROP EXTENSION tsm_system_rows;
SELECT is(pg_temp.recorded(),
          '[{"tag": "DROP EXTENSION", "objects": ["tsm_system_rows"], "statement": "DROP EXTENSION tsm_system_rows;"}]',
          'DROP EXTENSION: one row, the extension alone');
\else
SELECT skip('tsm_system_rows is not available or already installed', 2);
\endif

-- Who: the API user, and the database role
SELECT dynapi.create_user('test_sa_editor', '', 'pw') AS editor_id \gset
SELECT pg_temp.history_mark();
CREATE TABLE public.dynapi_test_psql (id int);
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', NULL, 'username', NULL, 'database_role', session_user)),
          'from psql: no API user, the session''s role');

SELECT pg_temp.history_mark();
SELECT set_config('dynapi.user_id', :'editor_id', true) IS NOT NULL AS ok \gset
ALTER TABLE public.dynapi_test_psql ADD COLUMN v text;
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', :editor_id, 'username', 'test_sa_editor', 'database_role', session_user)),
          'in a request (dynapi.user_id set): the API user and their username');
UPDATE dynapi.users SET username = 'test_sa_renamed' WHERE id = :editor_id;
DELETE FROM dynapi.users WHERE id = :editor_id;
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', :editor_id, 'username', 'test_sa_editor', 'database_role', session_user)),
          '... kept as they were when the user is renamed, then deleted');

SELECT pg_temp.history_mark();
ALTER TABLE public.dynapi_test_psql ADD COLUMN w text;
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', :editor_id, 'username', NULL, 'database_role', session_user)),
          'a user id no user has: recorded, without a username');

SELECT pg_temp.history_mark();
SET LOCAL dynapi.user_id = 'bob';
ALTER TABLE public.dynapi_test_psql ADD COLUMN x text;
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', NULL, 'username', NULL, 'database_role', session_user)),
          'a user id that is no number fails no DDL statement: recorded as no user');
SET LOCAL dynapi.user_id = '';

CREATE ROLE dynapi_test_ddl_role NOLOGIN;
GRANT CREATE, USAGE ON SCHEMA public TO dynapi_test_ddl_role;
SELECT pg_temp.history_mark();
SET LOCAL ROLE dynapi_test_ddl_role;
CREATE TABLE public.dynapi_test_by_role (id int);
RESET ROLE;
SELECT is(pg_temp.recorded_who(),
          jsonb_build_array(jsonb_build_object('user_id', NULL, 'username', NULL,
                                               'database_role', session_user || ' as dynapi_test_ddl_role')),
          'under SET ROLE: the session''s role as the role set');
SELECT is((pg_temp.recorded() -> 0 ->> 'objects'), '["public.dynapi_test_by_role"]', '... what it created');
SELECT pg_temp.history_mark();
SELECT format('SET LOCAL ROLE %I', session_user) AS set_own_role \gset
:set_own_role;
DROP TABLE public.dynapi_test_by_role;
RESET ROLE;
SELECT is(pg_temp.recorded_who() -> 0 ->> 'database_role', session_user::text,
          'SET ROLE to the session''s own role: the role alone');

----------------------------------------------------------------------------
-- schema_change_history

SELECT is(ARRAY(SELECT jsonb_object_keys(dynapi.schema_change_history(1)) ORDER BY 1), ARRAY['changes', 'next'],
          'schema_change_history: {"changes", "next"}');
SELECT is(ARRAY(SELECT jsonb_object_keys(dynapi.schema_change_history(1) #> '{changes,0}') ORDER BY 1),
          ARRAY['at', 'database_role', 'id', 'objects', 'statement', 'tag', 'user_id', 'username'],
          '... each change: id, at, user_id, username, database_role, tag, objects, statement');
SELECT is(dynapi.schema_change_history(1) #> '{changes,0}',
          (SELECT jsonb_build_object('id', c.id, 'at', c.at, 'user_id', c.user_id, 'username', c.username,
                                     'database_role', c.database_role, 'tag', c.tag, 'objects', to_jsonb(c.objects),
                                     'statement', c.statement)
             FROM dynapi.schema_changes AS c ORDER BY c.id DESC LIMIT 1),
          '... the newest first, as stored');

SELECT pg_temp.history_mark();
INSERT INTO dynapi.schema_changes (database_role, tag, statement)
SELECT 'tester', 'TEST ' || g, 'statement ' || g FROM generate_series(1, 600) AS g;
SELECT m.id AS mark FROM dynapi_test_history_mark AS m \gset
SELECT is(ARRAY(SELECT (e ->> 'tag') FROM jsonb_array_elements(dynapi.schema_change_history(2) -> 'changes') AS e),
          ARRAY['TEST 600', 'TEST 599'], 'max_rows 2: the two newest');
SELECT is((dynapi.schema_change_history(2) ->> 'next')::bigint, (:mark + 599)::bigint, '... and next, the id of the last of them');
SELECT is(ARRAY(SELECT (e ->> 'tag') FROM jsonb_array_elements(dynapi.schema_change_history(2, :mark + 599) -> 'changes') AS e),
          ARRAY['TEST 598', 'TEST 597'], 'before: the page after it');
SELECT is((dynapi.schema_change_history(2, :mark + 599) ->> 'next')::bigint, (:mark + 597)::bigint, '... and its next');
SELECT is(jsonb_array_length(dynapi.schema_change_history(0) -> 'changes'), 1, 'max_rows below 1: one');
SELECT is(dynapi.schema_change_history(1, NULL, -1) #>> '{changes,0,statement}', NULL,
          'statements_of: another user''s statement is not shown');
SELECT isnt(dynapi.schema_change_history(1, NULL, NULL) #>> '{changes,0,statement}', NULL, '... every statement without it');
SELECT is(jsonb_array_length(dynapi.schema_change_history(-5) -> 'changes'), 1, '... negative too');
SELECT is(jsonb_array_length(dynapi.schema_change_history(1000) -> 'changes'), 500, 'max_rows above 500: 500');
SELECT is((dynapi.schema_change_history(1000) ->> 'next')::bigint, (:mark + 101)::bigint, '... and next after the 500th');
SELECT is(jsonb_array_length(dynapi.schema_change_history(NULL) -> 'changes'), 50, 'max_rows NULL: 50');
SELECT (SELECT c.id FROM dynapi.schema_changes AS c ORDER BY c.id LIMIT 1 OFFSET 2) AS third \gset
SELECT is(jsonb_array_length(dynapi.schema_change_history(2, :third) -> 'changes'), 2,
          'the last page: the oldest two');
SELECT is(dynapi.schema_change_history(2, :third) -> 'next', 'null', '... and next is null');
SELECT is(dynapi.schema_change_history(1, :third) ->> 'next',
          (SELECT c.id FROM dynapi.schema_changes AS c ORDER BY c.id LIMIT 1 OFFSET 1)::text,
          'a page just short of the end: next is its last id');
SELECT is(dynapi.schema_change_history(10, (SELECT min(id) FROM dynapi.schema_changes)),
          '{"changes": [], "next": null}', 'before the oldest: no changes, next null');
DELETE FROM dynapi.schema_changes WHERE id > :mark;

----------------------------------------------------------------------------
-- describe_tables

CREATE SCHEMA dynapi_test_sales;
CREATE TYPE public.dynapi_test_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE dynapi_test_sales.region (code text PRIMARY KEY);
CREATE TABLE public.dynapi_test_customer (id integer PRIMARY KEY,
                                          region text REFERENCES dynapi_test_sales.region ON UPDATE CASCADE);
CREATE TABLE public.dynapi_test_ticket (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title varchar(80) NOT NULL UNIQUE,
    body text DEFAULT '',
    customer_id integer REFERENCES public.dynapi_test_customer ON DELETE SET NULL,
    mood public.dynapi_test_mood[],
    gone integer,
    score numeric(10,2) GENERATED ALWAYS AS (length(title) * 2) STORED,
    serial_no bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT dynapi_test_ticket_title_check CHECK (title <> ''));
ALTER TABLE public.dynapi_test_ticket DROP COLUMN gone;
COMMENT ON TABLE public.dynapi_test_ticket IS 'Support tickets';
COMMENT ON COLUMN public.dynapi_test_ticket.title IS 'What it is about';
CREATE INDEX dynapi_test_ticket_lower_idx ON public.dynapi_test_ticket (lower(title), body) INCLUDE (score);
CREATE UNIQUE INDEX dynapi_test_ticket_body_idx ON public.dynapi_test_ticket (body) WHERE body <> '';
INSERT INTO dynapi.table_settings (table_name, label) VALUES ('dynapi_test_ticket', 'Tickets');

SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_ticket'), $$[{
    "name": "dynapi_test_ticket", "schema": "public", "table": "dynapi_test_ticket", "kind": "table",
    "label": "Tickets", "description": "Support tickets", "exposed": true,
    "columns": [
        {"name": "id", "type": "integer", "nullable": false, "default": null, "identity": "by default",
         "generated": false, "primary_key": true, "unique": true, "description": null, "position": 1},
        {"name": "title", "type": "character varying(80)", "nullable": false, "default": null, "identity": null,
         "generated": false, "primary_key": false, "unique": true, "description": "What it is about", "position": 2},
        {"name": "body", "type": "text", "nullable": true, "default": "''::text", "identity": null,
         "generated": false, "primary_key": false, "unique": false, "description": null, "position": 3},
        {"name": "customer_id", "type": "integer", "nullable": true, "default": null, "identity": null,
         "generated": false, "primary_key": false, "unique": false, "description": null, "position": 4},
        {"name": "mood", "type": "dynapi_test_mood[]", "nullable": true, "default": null, "identity": null,
         "generated": false, "primary_key": false, "unique": false, "description": null, "position": 5},
        {"name": "score", "type": "numeric(10,2)", "nullable": true, "default": null, "identity": null,
         "generated": true, "primary_key": false, "unique": false, "description": null, "position": 7},
        {"name": "serial_no", "type": "bigint", "nullable": false, "default": null, "identity": "always",
         "generated": false, "primary_key": false, "unique": false, "description": null, "position": 8}],
    "primary_key": ["id"],
    "unique_constraints": [{"name": "dynapi_test_ticket_title_key", "columns": ["title"]}],
    "indexes": [
        {"name": "dynapi_test_ticket_body_idx", "columns": ["body"], "unique": true, "primary": false,
         "definition": "CREATE UNIQUE INDEX dynapi_test_ticket_body_idx ON public.dynapi_test_ticket USING btree (body) WHERE (body <> ''::text)"},
        {"name": "dynapi_test_ticket_lower_idx", "columns": ["lower(title::text)", "body"], "unique": false, "primary": false,
         "definition": "CREATE INDEX dynapi_test_ticket_lower_idx ON public.dynapi_test_ticket USING btree (lower((title)::text), body) INCLUDE (score)"},
        {"name": "dynapi_test_ticket_pkey", "columns": ["id"], "unique": true, "primary": true,
         "definition": "CREATE UNIQUE INDEX dynapi_test_ticket_pkey ON public.dynapi_test_ticket USING btree (id)"},
        {"name": "dynapi_test_ticket_title_key", "columns": ["title"], "unique": true, "primary": false,
         "definition": "CREATE UNIQUE INDEX dynapi_test_ticket_title_key ON public.dynapi_test_ticket USING btree (title)"}],
    "foreign_keys": [
        {"name": "dynapi_test_ticket_customer_id_fkey", "columns": ["customer_id"],
         "references": {"table": "dynapi_test_customer", "columns": ["id"]}, "on_delete": "set null", "on_update": "no action"}],
    "referenced_by": [],
    "check_constraints": [{"name": "dynapi_test_ticket_title_check", "definition": "CHECK (((title)::text <> ''::text))"}]
    }]$$::jsonb,
    'describe_tables: a table with an identity key, a unique column, defaults, a generated column, an enum array, a comment, a label, indexes (one on an expression, one partial), a foreign key and a check');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_customer') #> '{0,referenced_by}',
          '[{"name": "dynapi_test_ticket_customer_id_fkey", "table": "dynapi_test_ticket",
             "columns": ["customer_id"], "referenced_columns": ["id"]}]',
          'referenced_by: the foreign keys pointing at the table');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_customer') #> '{0,foreign_keys}',
          '[{"name": "dynapi_test_customer_region_fkey", "columns": ["region"],
             "references": {"table": "dynapi_test_sales.region", "columns": ["code"]},
             "on_delete": "no action", "on_update": "cascade"}]',
          'a referenced table outside public by its API name; ON UPDATE CASCADE');
SELECT is(dynapi.describe_tables('{public,dynapi_test_sales}', 'dynapi_test_sales.region') #> '{0,referenced_by,0,table}',
          '"dynapi_test_customer"', 'a table outside public, by its API name, and who references it');
SELECT is((dynapi.describe_tables('{public,dynapi_test_sales}', 'dynapi_test_sales.region') -> 0)
              - 'columns' - 'indexes' - 'referenced_by',
          '{"name": "dynapi_test_sales.region", "schema": "dynapi_test_sales", "table": "region", "kind": "table",
            "label": null, "description": null, "exposed": true, "primary_key": ["code"], "unique_constraints": [],
            "foreign_keys": [], "check_constraints": []}',
          '... with schema and table apart; no label, comment or constraints: null and empty lists');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_sales.region'), '[]',
          'only_table in a schema not listed: []');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_nothing'), '[]', 'only_table naming nothing: []');

-- Kinds, partitions and sorting
CREATE TABLE public.dynapi_test_pair (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE public.dynapi_test_pairref (x int, y int, FOREIGN KEY (x, y) REFERENCES public.dynapi_test_pair ON DELETE CASCADE);
CREATE TABLE public.dynapi_test_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_m1 PARTITION OF public.dynapi_test_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE public.dynapi_test_mref (id int, d date, FOREIGN KEY (id, d) REFERENCES public.dynapi_test_m ON DELETE RESTRICT);
CREATE VIEW public.dynapi_test_v AS SELECT id FROM public.dynapi_test_customer;
CREATE FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE SERVER dynapi_test_server FOREIGN DATA WRAPPER dynapi_test_fdw;
CREATE FOREIGN TABLE public.dynapi_test_f (id int) SERVER dynapi_test_server;
CREATE USER MAPPING FOR CURRENT_USER SERVER dynapi_test_server OPTIONS (user 'remote', password 'hunter2-secret');
SELECT is((SELECT statement FROM dynapi.schema_changes WHERE tag = 'CREATE USER MAPPING' ORDER BY id DESC LIMIT 1),
          '(CREATE USER MAPPING: not recorded, its options may hold a password)',
          'a user mapping is recorded without its statement, which holds the remote password');
SELECT is((SELECT count(*)::int FROM dynapi.schema_changes WHERE statement LIKE '%hunter2%'), 0, '... nowhere');
CREATE TEMPORARY TABLE dynapi_test_tmp2 (id int);
CREATE TABLE public."dynapi_test_Upper" (id int);
INSERT INTO dynapi.table_settings (table_name, exposed) VALUES ('dynapi_test_pair', false);
SELECT is(ARRAY(SELECT format('%s: %s', e ->> 'name', e ->> 'kind')
                  FROM jsonb_array_elements(pg_temp.test_entries(dynapi.describe_tables('{public,dynapi_test_sales}'))) AS e),
          ARRAY['dynapi_test_Upper: table', 'dynapi_test_customer: table', 'dynapi_test_exists: table',
                'dynapi_test_f: foreign table', 'dynapi_test_m: partitioned table', 'dynapi_test_mref: table',
                'dynapi_test_mv: materialized view', 'dynapi_test_pair: table', 'dynapi_test_pairref: table',
                'dynapi_test_psql: table', 'dynapi_test_sales.region: table', 'dynapi_test_ticket: table',
                'dynapi_test_v: view'],
          'every table, view, materialized view, foreign table and partitioned table (not partitions, not temporary), sorted by API name in byte order');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_m1'), '[]', 'a partition is not described on its own');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_pair') -> 0 -> 'exposed', 'false', 'exposed from the table settings');
SELECT is(ARRAY(SELECT format('%s %s %s', c ->> 'name', c ->> 'primary_key', c ->> 'unique')
                  FROM jsonb_array_elements(dynapi.describe_tables('{public}', 'dynapi_test_pair') #> '{0,columns}') AS c),
          ARRAY['a true false', 'b true false'],
          'a composite key: each column is part of it, neither unique alone');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_pair') #> '{0,referenced_by}',
          '[{"name": "dynapi_test_pairref_x_y_fkey", "table": "dynapi_test_pairref", "columns": ["x", "y"],
             "referenced_columns": ["a", "b"]}]',
          '... a composite foreign key pointing at it, once');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_m') #> '{0,referenced_by}',
          '[{"name": "dynapi_test_mref_id_d_fkey", "table": "dynapi_test_mref", "columns": ["id", "d"],
             "referenced_columns": ["id", "d"]}]',
          'a partitioned table: the foreign key pointing at it, not its clones on the partitions');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_mref') #> '{0,foreign_keys,0,on_delete}', '"restrict"',
          'ON DELETE RESTRICT');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_pairref') #> '{0,foreign_keys,0,on_delete}', '"cascade"',
          'ON DELETE CASCADE');
SELECT is((dynapi.describe_tables('{public}', 'dynapi_test_v') -> 0) - 'columns',
          '{"name": "dynapi_test_v", "schema": "public", "table": "dynapi_test_v", "kind": "view", "label": null,
            "description": null, "exposed": true, "primary_key": [], "unique_constraints": [], "indexes": [],
            "foreign_keys": [], "referenced_by": [], "check_constraints": []}',
          'a view: no key, no constraints');
SELECT is(dynapi.describe_tables('{public}', 'dynapi_test_Upper') #> '{0,name}', '"dynapi_test_Upper"',
          'names are API names, unquoted');
SELECT is(dynapi.describe_tables('{}'), '[]', 'no schemas: []');

----------------------------------------------------------------------------
-- enum_types

CREATE TYPE dynapi_test_sales.dynapi_test_mood AS ENUM ('low', 'high');
ALTER TYPE dynapi_test_sales.dynapi_test_mood ADD VALUE 'middle' BEFORE 'high';
CREATE TYPE dynapi_test_sales.dynapi_test_not_enum AS (a int);
SELECT is(pg_temp.test_entries(dynapi.enum_types('{public,dynapi_test_sales}')),
          '[{"name": "dynapi_test_mood", "schema": "public", "type": "dynapi_test_mood", "values": ["sad", "ok", "happy"]},
            {"name": "dynapi_test_sales.dynapi_test_mood", "schema": "dynapi_test_sales", "type": "dynapi_test_mood",
             "values": ["low", "middle", "high"]}]',
          'enum_types: bare in public, schema.type elsewhere, values in their order, other types left out');
SELECT is(dynapi.enum_types('{dynapi_test_nothing}'), '[]', 'no enum: []');

----------------------------------------------------------------------------
-- schema_api_require

SELECT lives_ok($$SELECT dynapi.schema_api_require('enum', 'public', NULL, 'dynapi_test_mood')$$,
                'schema_api_require enum: an enum type passes');
SELECT lives_ok($$SELECT dynapi.schema_api_require('enum', 'dynapi_test_sales', 'ignored', 'dynapi_test_mood')$$,
                '... in another schema, whatever table_name says');
SELECT throws_ok($$SELECT dynapi.schema_api_require('enum', 'public', NULL, 'dynapi_test_ticket')$$,
                 '22023', 'type "dynapi_test_ticket" is not an enum type', '... a row type is not');
SELECT throws_ok($$SELECT dynapi.schema_api_require('enum', 'dynapi_test_sales', NULL, 'dynapi_test_not_enum')$$,
                 '22023', 'type "dynapi_test_sales.dynapi_test_not_enum" is not an enum type',
                 '... nor a composite type, named as the API names it');
SELECT throws_ok($$SELECT dynapi.schema_api_require('enum', 'public', NULL, 'dynapi_test_nothing')$$,
                 '22023', 'type "dynapi_test_nothing" is not an enum type', '... nor a type that does not exist');

SELECT lives_ok($$SELECT dynapi.schema_api_require('column', 'public', 'dynapi_test_ticket', 'title')$$,
                'column: a column of the table passes');
SELECT throws_ok($$SELECT dynapi.schema_api_require('column', 'public', 'dynapi_test_ticket', 'nope')$$,
                 'P0002', 'table "dynapi_test_ticket" has no column "nope"', '... one it does not have: P0002');
SELECT throws_ok($$SELECT dynapi.schema_api_require('column', 'public', 'dynapi_test_ticket', 'ctid')$$,
                 'P0002', 'table "dynapi_test_ticket" has no column "ctid"', '... nor a system column');
SELECT throws_ok($$SELECT dynapi.schema_api_require('column', 'public', 'dynapi_test_ticket', 'gone')$$,
                 'P0002', 'table "dynapi_test_ticket" has no column "gone"', '... nor a dropped one');
SELECT throws_ok($$SELECT dynapi.schema_api_require('column', 'dynapi_test_sales', 'region', 'name')$$,
                 'P0002', 'table "dynapi_test_sales.region" has no column "name"', '... named by API name outside public');

SELECT lives_ok($$SELECT dynapi.schema_api_require('index', 'public', 'dynapi_test_ticket', 'dynapi_test_ticket_lower_idx')$$,
                'index: an index of the table passes');
SELECT throws_ok($$SELECT dynapi.schema_api_require('index', 'public', 'dynapi_test_ticket', 'dynapi_test_customer_pkey')$$,
                 'P0002', 'table "dynapi_test_ticket" has no index "dynapi_test_customer_pkey"',
                 '... another table''s: P0002');
SELECT throws_ok($$SELECT dynapi.schema_api_require('index', 'public', 'dynapi_test_ticket', 'dynapi_test_ticket')$$,
                 'P0002', 'table "dynapi_test_ticket" has no index "dynapi_test_ticket"', '... a relation that is no index');

SELECT lives_ok($$SELECT dynapi.schema_api_require('constraint', 'public', 'dynapi_test_ticket', 'dynapi_test_ticket_title_check')$$,
                'constraint: a constraint of the table passes');
SELECT lives_ok($$SELECT dynapi.schema_api_require('constraint', 'public', 'dynapi_test_ticket', 'dynapi_test_ticket_customer_id_fkey')$$,
                '... a foreign key too');
SELECT throws_ok($$SELECT dynapi.schema_api_require('constraint', 'public', 'dynapi_test_ticket', 'dynapi_test_customer_pkey')$$,
                 'P0002', 'table "dynapi_test_ticket" has no constraint "dynapi_test_customer_pkey"',
                 '... another table''s: P0002');

SELECT throws_ok($$SELECT dynapi.schema_api_require('column', 'dynapi_test_sales', 'nope', 'id')$$,
                 'P0002', 'table "dynapi_test_sales.nope" does not exist', 'a table that does not exist: P0002');
SELECT lives_ok($$SELECT dynapi.schema_api_require('table', 'public', 'dynapi_test_ticket', NULL)$$,
                'schema_api_require table: a table passes');
SELECT throws_ok($$SELECT dynapi.schema_api_require('table', 'public', 'dynapi_test_v', NULL)$$,
                 '42809', '"dynapi_test_v" is a view, and the schema API changes tables only', '... a view does not: 42809');
SELECT throws_ok($$SELECT dynapi.schema_api_require('table', 'public', 'dynapi_test_customer_pkey', NULL)$$,
                 'P0002', 'table "dynapi_test_customer_pkey" does not exist', '... nor an index (no such table): P0002');
SELECT throws_ok($$SELECT dynapi.schema_api_require('tables', 'public', 'dynapi_test_ticket', 'id')$$,
                 '22023', 'unknown kind "tables"', 'an unknown kind: 22023');
SELECT throws_ok($$SELECT dynapi.schema_api_require(NULL, 'public', 'dynapi_test_ticket', 'id')$$,
                 '22023', 'unknown kind null', '... NULL too');

----------------------------------------------------------------------------
-- The schema permission: api_users, the ACL trigger

SELECT lives_ok($$INSERT INTO dynapi.api_users (username, password) VALUES ('test_sa_plain', 'pw')$$,
                'api_users insert without can_change_schema');
SELECT is((SELECT can_change_schema FROM dynapi.api_users WHERE username = 'test_sa_plain'), false, '... false');
WITH r AS (INSERT INTO dynapi.api_users (username, password, can_change_schema)
           VALUES ('test_sa_schema', 'pw', true) RETURNING can_change_schema, password)
SELECT is(row(r.can_change_schema, r.password)::text, '(t,)',
          'api_users insert with can_change_schema true: RETURNING shows it (and no password)')
  FROM r;
SELECT is((SELECT can_change_schema FROM dynapi.users WHERE username = 'test_sa_schema'), true, '... stored in users');
WITH r AS (UPDATE dynapi.api_users SET can_change_schema = true WHERE username = 'test_sa_plain'
           RETURNING can_change_schema)
SELECT is(r.can_change_schema, true, 'api_users update sets it') FROM r;
SELECT is((SELECT can_change_schema FROM dynapi.users WHERE username = 'test_sa_plain'), true, '... in users');
UPDATE dynapi.api_users SET email = 'x@example.com' WHERE username = 'test_sa_plain';
SELECT is((SELECT can_change_schema FROM dynapi.api_users WHERE username = 'test_sa_plain'), true,
          'an update of another column leaves it');
UPDATE dynapi.api_users SET can_change_schema = false WHERE username = 'test_sa_plain';
SELECT is((SELECT can_change_schema FROM dynapi.users WHERE username = 'test_sa_plain'), false, 'and clears it');
SELECT throws_ok($$UPDATE dynapi.api_users SET can_change_schema = NULL WHERE username = 'test_sa_plain'$$,
                 '23502', NULL, 'NULL: the base table''s not_null_violation');

SELECT count(*) AS acl_before FROM dynapi.change_log WHERE event = 'acl' AND pks = '["users"]' \gset
UPDATE dynapi.users SET can_change_schema = true WHERE username = 'test_sa_plain';
SELECT is((SELECT count(*) FROM dynapi.change_log WHERE event = 'acl' AND pks = '["users"]'), (:acl_before + 1)::bigint,
          'changing can_change_schema notifies dynapi_acl (and logs it)');
UPDATE dynapi.users SET last_login = now() WHERE username = 'test_sa_plain';
SELECT is((SELECT count(*) FROM dynapi.change_log WHERE event = 'acl' AND pks = '["users"]'), (:acl_before + 1)::bigint,
          '(a login still does not)');

----------------------------------------------------------------------------
-- The configuration document's schema_editors

UPDATE dynapi.users SET can_change_schema = false;
SELECT dynapi.create_user('test_sa_alice', '', 'pw') IS NOT NULL AS ok \gset
SELECT dynapi.create_user('test_sa_Zed', '', 'pw') IS NOT NULL AS ok \gset
SELECT dynapi.create_user('test_sa_bob', '', 'pw') IS NOT NULL AS ok \gset
SELECT is(dynapi.export_config() -> 'schema_editors', '[]', 'export: no schema editors, an empty list');
UPDATE dynapi.users SET can_change_schema = true WHERE username IN ('test_sa_alice', 'test_sa_Zed');
SELECT is(dynapi.export_config() -> 'schema_editors', '[{"username": "test_sa_Zed"}, {"username": "test_sa_alice"}]',
          'export: the users with the schema permission, in byte order');
SELECT dynapi.export_config() AS exported \gset

UPDATE dynapi.users SET can_change_schema = false;
SELECT is(dynapi.import_config(:'exported') -> 'schema_editors', '2', 'import: the number of schema editors applied');
SELECT is(dynapi.export_config(), :'exported'::jsonb, '... export → import → export reproduces them');
SELECT is(dynapi.import_config(:'exported') -> 'schema_editors', '2', 'importing it again applies the same');
SELECT is(dynapi.export_config(), :'exported'::jsonb, '... and changes nothing');

SELECT is(dynapi.import_config('{"schema_editors": [{"username": "test_sa_bob"}]}'),
          '{"roles": 0, "user_roles": 0, "table_settings": 0, "actions": 0, "schema_editors": 1, "events": 0, "history": 0}',
          'import of one editor');
SELECT is(ARRAY(SELECT username::text FROM dynapi.users WHERE can_change_schema ORDER BY username COLLATE "C"),
          ARRAY['test_sa_Zed', 'test_sa_alice', 'test_sa_bob'],
          '... gives it the permission; users the document leaves out keep theirs');

SELECT count(*) AS acl_before FROM dynapi.change_log WHERE event = 'acl' AND pks = '["users"]' \gset
SELECT is(dynapi.import_config('{"roles": []}') -> 'schema_editors', '0', 'a document without schema_editors: 0');
SELECT is((SELECT count(*) FROM dynapi.change_log WHERE event = 'acl' AND pks = '["users"]'), :acl_before::bigint,
          '... and users are not touched');

SELECT dynapi.export_config() AS before_refusals \gset
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": {"username": "test_sa_bob"}}')$$,
                 '22023', 'schema_editors: must be an array', 'refused: a section that is no array');
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": ["test_sa_bob"]}')$$,
                 '22023', 'schema_editors[0]: must be an object', 'refused: an entry that is no object');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"schema_editors": [{"user": "test_sa_bob"}]}')$$) - 'column' - 'detail',
          '{"sqlstate": "22023", "message": "schema_editors[0]: unknown key \"user\"", "hint": "Allowed keys: username."}',
          'refused: an unknown key, with the allowed keys');
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": [{}]}')$$,
                 '22023', 'schema_editors[0].username: is required', 'refused: no username');
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": [{"username": 7}]}')$$,
                 '22023', 'schema_editors[0].username: must be a string', 'refused: a username that is no string');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"schema_editors": [{"username": "test_sa_bob"}, {"username": "nobody"}]}')$$)
              - 'column' - 'detail',
          '{"sqlstate": "22023", "message": "schema_editors[1].username: no user named \"nobody\"",
            "hint": "Import does not create users (they hold passwords); create the user first, e.g. with dynapi.create_user."}',
          'refused: a user that does not exist');
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": [{"username": "test_sa_bob"}, {"username": "test_sa_bob"}]}')$$,
                 '22023', 'schema_editors[1].username: user "test_sa_bob" already appears in schema_editors[0]',
                 'refused: the same user twice');
UPDATE dynapi.users SET can_change_schema = false WHERE username = 'test_sa_bob';
SELECT dynapi.export_config() AS before_refusals \gset
SELECT throws_ok($$SELECT dynapi.import_config('{"schema_editors": [{"username": "test_sa_bob"}],
                                                 "user_roles": [{"username": "nobody", "table_name": "t"}]}')$$,
                 '22023', 'user_roles[0].username: no user named "nobody"', 'a document with a bad entry elsewhere ...');
SELECT is(dynapi.export_config(), :'before_refusals'::jsonb, '... gives nobody the schema permission');

-- schema_api_move_table and schema_api_move_column: the bundle's rows follow renames and drops, and
-- nothing is written (no statement trigger fires, no schema entry is logged) when nothing names them.
INSERT INTO dynapi.table_settings (table_name, label, hidden_columns, read_only_columns, key_columns)
VALUES ('mt_old', 'Old', '{a,b}', '{a}', '{a}'), ('mt_new', 'Stale', '{}', '{}', '{}');
INSERT INTO dynapi.user_roles (user_id, table_name, can_read)
SELECT id, t, true FROM dynapi.users, unnest(ARRAY['mt_old', 'mt_new']) AS t WHERE username = 'test_sa_bob';
CREATE TABLE public.mt_old (id int PRIMARY KEY);
CREATE FUNCTION public.mt_go(r public.mt_old, user_id bigint, payload jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT payload $$;
INSERT INTO dynapi.actions (table_name, name, function) VALUES ('mt_old', 'go', 'public.mt_go');
ALTER TABLE public.mt_old RENAME TO mt_new;
SELECT dynapi.schema_api_move_table('mt_old', 'mt_new');
SELECT is((SELECT label FROM dynapi.table_settings WHERE table_name = 'mt_new'), 'Old', 'a rename moves the settings, replacing stale ones');
SELECT is((SELECT count(*)::int FROM dynapi.user_roles WHERE table_name IN ('mt_old', 'mt_new')), 1, 'a rename moves the grants, replacing stale ones');
SELECT is((SELECT string_agg(name || ' ' || function, ',') FROM dynapi.actions WHERE table_name IN ('mt_old', 'mt_new')),
          'go public.mt_go(public.mt_new,bigint,jsonb)', 'a rename moves the actions, their functions taking the renamed row type');
SELECT dynapi.schema_api_move_column('mt_new', 'a', 'z');
SELECT dynapi.schema_api_move_column('mt_new', 'b', NULL);
SELECT is((SELECT ARRAY[hidden_columns, read_only_columns, key_columns] FROM dynapi.table_settings WHERE table_name = 'mt_new'),
          '{{z},{z},{z}}'::text[], 'a renamed column stays hidden, read-only and a key; a dropped one leaves them');
SELECT dynapi.schema_api_move_table('mt_new', NULL);
SELECT is((SELECT count(*)::int FROM dynapi.table_settings WHERE table_name = 'mt_new')
          + (SELECT count(*)::int FROM dynapi.user_roles WHERE table_name = 'mt_new')
          + (SELECT count(*)::int FROM dynapi.actions WHERE table_name = 'mt_new'), 0, 'a drop takes settings, grants and actions');
SELECT count(*) AS log_before FROM dynapi.change_log \gset
SELECT dynapi.schema_api_move_table('mt_none', 'mt_other');
SELECT dynapi.schema_api_move_table('mt_none', NULL);
SELECT dynapi.schema_api_move_column('mt_none', 'a', 'b');
SELECT is((SELECT count(*) FROM dynapi.change_log), :log_before::bigint, 'nothing to move: nothing written, no schema entry');
SELECT is((SELECT count(*)::int FROM dynapi.table_settings WHERE table_name LIKE 'mt\_%'), 0, 'and no rows made');
SELECT has_function('dynapi', 'schema_api_move_table', ARRAY['text', 'text'], 'schema_api_move_table exists');

SELECT * FROM finish();
ROLLBACK;
