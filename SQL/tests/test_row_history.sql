-- 0019: row history. Recording through plain SQL (who, keys, key changes,
-- composite keys, partitions), the dynapi_history trigger following the
-- settings and DDL, revert, the pages, pruning, the configuration document,
-- and that pruning never waits for a writer.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(90);

\ir support/errors.sql

-- The arguments of a table's dynapi_history trigger (NULL without one).
CREATE FUNCTION pg_temp.history_args(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1:t.tgnargs]
      FROM pg_trigger AS t
     WHERE t.tgrelid = rel AND t.tgname = 'dynapi_history' AND t.tgparentid = 0
$$;
-- What was recorded for a table since a mark: (operation, pk, old_pk, new_row - some) per entry, in order.
CREATE FUNCTION pg_temp.entries(table_name text, after bigint DEFAULT 0)
RETURNS TABLE (operation text, pk jsonb, old_pk jsonb, old_name text, new_name text) LANGUAGE sql AS $$
    SELECT h.operation, h.pk, h.old_pk, h.old_row ->> 'name', h.new_row ->> 'name'
      FROM dynapi.row_history AS h
     WHERE h.table_name = entries.table_name AND h.id > entries.after
     ORDER BY h.id
$$;
CREATE FUNCTION pg_temp.last_id() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(max(id), 0) FROM dynapi.row_history
$$;

SELECT has_table('dynapi', 'row_history', 'dynapi.row_history exists');
SELECT has_column('dynapi', 'table_settings', 'history', 'table_settings.history exists');
SELECT is((SELECT retention FROM dynapi.history_settings), interval '90 days', 'history_settings: one row, 90 days');
SELECT throws_ok($$DELETE FROM dynapi.history_settings$$, '22023', 'dynapi.history_settings always has exactly one row',
                 'history_settings keeps its row');
SELECT ok(NOT has_table_privilege('public', 'dynapi.row_history', 'SELECT'), 'PUBLIC cannot read the history');
SELECT is_definer('dynapi', 'record_row_history', '{}'::name[], 'the trigger function is SECURITY DEFINER');
SELECT isnt_definer('dynapi', 'revert_row', ARRAY['text', 'jsonb', 'bigint'], 'revert_row runs as the caller');

----------------------------------------------------------------------------
-- Switching on and off
CREATE TABLE public.dynapi_test_h (
    id bigint PRIMARY KEY,
    name text UNIQUE,
    n int,
    twice int GENERATED ALWAYS AS (n * 2) STORED,
    seq int GENERATED ALWAYS AS IDENTITY
);
SELECT is(pg_temp.history_args('public.dynapi_test_h'), NULL, 'no history trigger without the setting');
INSERT INTO dynapi.table_settings (table_name, label) VALUES ('dynapi_test_h', 'H');
SELECT is(pg_temp.history_args('public.dynapi_test_h'), NULL, 'settings without history: no trigger');
UPDATE dynapi.table_settings SET history = true WHERE table_name = 'dynapi_test_h';
SELECT is(pg_temp.history_args('public.dynapi_test_h'),
          ARRAY['dynapi_test_h', 'public.dynapi_test_h'::regclass::oid::text, 'id'],
          'history = true attaches dynapi_history (API name, OID, key)');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_h'::regclass AND tgname = 'dynapi_history'),
          (1 | 4 | 8 | 16)::int2, '... AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW');
UPDATE dynapi.table_settings SET history = false WHERE table_name = 'dynapi_test_h';
SELECT is(pg_temp.history_args('public.dynapi_test_h'), NULL, 'history = false detaches it');
UPDATE dynapi.table_settings SET history = true WHERE table_name = 'dynapi_test_h';
SELECT isnt(pg_temp.history_args('public.dynapi_test_h'), NULL, 'and on again');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname = 'dynapi_history' AND tgrelid = 'public.dynapi_test_h'::regclass),
          1, 'one trigger');

----------------------------------------------------------------------------
-- Recording through plain SQL
SELECT pg_temp.last_id() AS mark \gset
INSERT INTO public.dynapi_test_h (id, name, n) VALUES (1, 'one', 1), (2, 'two', 2);
UPDATE public.dynapi_test_h SET name = 'uno' WHERE id = 1;
UPDATE public.dynapi_test_h SET name = 'uno' WHERE id = 1;   -- changes nothing
DELETE FROM public.dynapi_test_h WHERE id = 2;
SELECT results_eq(format('SELECT * FROM pg_temp.entries(%L, %s)', 'dynapi_test_h', :mark),
                  $$VALUES ('insert', '{"id": 1}'::jsonb, NULL::jsonb, NULL, 'one'),
                           ('insert', '{"id": 2}', NULL, NULL, 'two'),
                           ('update', '{"id": 1}', NULL, 'one', 'uno'),
                           ('delete', '{"id": 2}', NULL, 'two', NULL)$$,
                  'insert, update, delete recorded with the row before and after; an update that changed nothing is not');
SELECT ok((SELECT bool_and(h.relation = 'public.dynapi_test_h'::regclass AND h.changed_at = now()
                           AND h.xact = pg_current_xact_id() AND h.user_id IS NULL AND h.database_role = session_user::text)
             FROM dynapi.row_history AS h WHERE h.id > :mark),
          'relation, transaction time and id, no API user, the session''s role');
SELECT is((SELECT new_row FROM dynapi.row_history WHERE id > :mark ORDER BY id LIMIT 1),
          '{"id": 1, "name": "one", "n": 1, "twice": 2, "seq": 1}'::jsonb, 'the whole row, generated columns too');

-- who
SET LOCAL dynapi.bcrypt_cost = 4;
SELECT dynapi.create_user('test_hist_alice', 'a@example.com', 'pw') AS alice \gset
SET LOCAL dynapi.user_id = :'alice';
UPDATE public.dynapi_test_h SET n = 10 WHERE id = 1;
SET LOCAL dynapi.user_id = 'not a number';
UPDATE public.dynapi_test_h SET n = 11 WHERE id = 1;
SET LOCAL dynapi.user_id = '';
CREATE ROLE dynapi_test_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.dynapi_test_h TO dynapi_test_writer;
SET LOCAL ROLE dynapi_test_writer;
UPDATE public.dynapi_test_h SET n = 12 WHERE id = 1;
RESET ROLE;
SELECT results_eq($$SELECT user_id, database_role FROM dynapi.row_history ORDER BY id DESC LIMIT 3$$,
                  format($$VALUES (NULL::bigint, %L), (NULL, %L), (%s::bigint, %L)$$,
                         session_user || ' as dynapi_test_writer', session_user, :alice, session_user),
                  'who: the API user from dynapi.user_id (a setting that is no number: none), the role under SET ROLE');

-- key change
SELECT pg_temp.last_id() AS mark \gset
UPDATE public.dynapi_test_h SET id = 100 WHERE id = 1;
SELECT results_eq(format('SELECT operation, pk, old_pk FROM pg_temp.entries(%L, %s)', 'dynapi_test_h', :mark),
                  $$VALUES ('update', '{"id": 100}'::jsonb, '{"id": 1}'::jsonb)$$,
                  'a key change: the new key in pk, the old one in old_pk');
SELECT is(jsonb_array_length(dynapi.row_history_page('dynapi_test_h', '{"id": 100}', NULL, 50) -> 'changes'), 6,
          'the row''s page under its new key keeps its past under the old one');
SELECT is((dynapi.row_history_page('dynapi_test_h', '{"id": 1}', NULL, 50) -> 'changes' -> 0 ->> 'id')::bigint,
          (SELECT max(id) FROM dynapi.row_history), 'the old key''s page ends with the move');

-- composite key
CREATE TABLE public.dynapi_test_hc (a int, b text, v text, PRIMARY KEY (b, a));
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hc', true);
INSERT INTO public.dynapi_test_hc VALUES (1, 'x', 'v');
SELECT is((SELECT pk FROM dynapi.row_history WHERE table_name = 'dynapi_test_hc'), '{"a": 1, "b": "x"}'::jsonb,
          'a composite key: an object of its columns');
SELECT is(pg_temp.history_args('public.dynapi_test_hc'),
          ARRAY['dynapi_test_hc', 'public.dynapi_test_hc'::regclass::oid::text, 'b', 'a'], '... in key order in the trigger');

-- a foreign table: its key is key_columns
CREATE FOREIGN DATA WRAPPER dynapi_test_hfdw;
CREATE SERVER dynapi_test_hserver FOREIGN DATA WRAPPER dynapi_test_hfdw;
CREATE FOREIGN TABLE public.dynapi_test_hf (code text, v text) SERVER dynapi_test_hserver;
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hf', true)$$)
              - 'hint' - 'detail',
          '{"sqlstate": "22023", "message": "table dynapi_test_hf has no key: its history cannot be recorded", "column": "history"}'::jsonb,
          'a foreign table without key_columns: history refused');
INSERT INTO dynapi.table_settings (table_name, history, key_columns) VALUES ('dynapi_test_hf', true, '{code}');
SELECT is(pg_temp.history_args('public.dynapi_test_hf'),
          ARRAY['dynapi_test_hf', 'public.dynapi_test_hf'::regclass::oid::text, 'code'], 'with key_columns: its trigger, that key');

-- a table without a key
CREATE TABLE public.dynapi_test_hn (x int);
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hn', true)$$) ->> 'sqlstate',
          '22023', 'a table without a key: history refused');
SELECT is(pg_temp.history_args('public.dynapi_test_hn'), NULL, '... no trigger');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.table_settings (table_name, key_columns, history) VALUES ('dynapi_test_hn', '{x}', true)$$) ->> 'sqlstate',
          '22023', '... key_columns do not make a key for an ordinary table (the API has none either)');
-- losing its key through DDL: a warning, the trigger goes (DDL is never refused)
CREATE TABLE public.dynapi_test_hk (id int CONSTRAINT dynapi_test_hk_pkey PRIMARY KEY, v text);
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hk', true);
SET LOCAL client_min_messages = error;   -- its WARNING
ALTER TABLE public.dynapi_test_hk DROP CONSTRAINT dynapi_test_hk_pkey;
SET LOCAL client_min_messages = warning;
SELECT is(pg_temp.history_args('public.dynapi_test_hk'), NULL, 'dropping the key removes the trigger');
ALTER TABLE public.dynapi_test_hk ADD PRIMARY KEY (v);
SELECT is(pg_temp.history_args('public.dynapi_test_hk'),
          ARRAY['dynapi_test_hk', 'public.dynapi_test_hk'::regclass::oid::text, 'v'], 'a new key puts it back, with that key');
ALTER TABLE public.dynapi_test_hk RENAME COLUMN v TO w;
SELECT is((pg_temp.history_args('public.dynapi_test_hk'))[3], 'w', 'a renamed key column is followed');

-- created after its settings
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_later', true);
CREATE TABLE public.dynapi_test_later (id int PRIMARY KEY, name text);
SELECT isnt(pg_temp.history_args('public.dynapi_test_later'), NULL, 'a table created after its settings gets the trigger');
INSERT INTO public.dynapi_test_later VALUES (1, 'l');
SELECT is((SELECT count(*)::int FROM dynapi.row_history WHERE table_name = 'dynapi_test_later'), 1, '... and records');
CREATE TABLE sales_hist_not_exposed (id int PRIMARY KEY);
SELECT is(pg_temp.history_args('public.dynapi_test_hn'), NULL, 'unrelated DDL attaches nothing');

-- renamed (as the schema API does it: the DDL, then the settings follow)
ALTER TABLE public.dynapi_test_later RENAME TO dynapi_test_later2;
SELECT is(pg_temp.history_args('public.dynapi_test_later2'), NULL, 'renamed away from its settings: no history (settings go by API name)');
SELECT dynapi.schema_api_move_table('dynapi_test_later', 'dynapi_test_later2') AS moved \gset
SELECT is((pg_temp.history_args('public.dynapi_test_later2'))[1], 'dynapi_test_later2', 'settings moved: the new API name');
UPDATE public.dynapi_test_later2 SET name = 'm';
SELECT results_eq($$SELECT table_name, relation FROM dynapi.row_history WHERE relation = 'public.dynapi_test_later2'::regclass ORDER BY id$$,
                  $$VALUES ('dynapi_test_later'::text, 'public.dynapi_test_later2'::regclass::oid),
                           ('dynapi_test_later2', 'public.dynapi_test_later2'::regclass::oid)$$,
                  'later entries carry the new name, the same relation');

-- partitioned: the root's trigger, cloned to every partition
CREATE TABLE public.dynapi_test_hp (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE public.dynapi_test_hp_1 PARTITION OF public.dynapi_test_hp FOR VALUES IN (1);
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hp', true);
CREATE TABLE public.dynapi_test_hp_2 PARTITION OF public.dynapi_test_hp FOR VALUES IN (2);
INSERT INTO public.dynapi_test_hp VALUES (1, 1, 'a');
INSERT INTO public.dynapi_test_hp_2 VALUES (2, 2, 'b');
SELECT results_eq($$SELECT table_name, pk, relation FROM dynapi.row_history WHERE table_name LIKE 'dynapi\_test\_hp%' ORDER BY id$$,
                  $$VALUES ('dynapi_test_hp'::text, '{"id": 1, "k": 1}'::jsonb, 'public.dynapi_test_hp'::regclass::oid),
                           ('dynapi_test_hp', '{"id": 2, "k": 2}', 'public.dynapi_test_hp'::regclass::oid)$$,
                  'a partitioned table: writes to the root and to a partition attached later are recorded under the root');
SELECT is(pg_temp.history_args('public.dynapi_test_hp_1'), NULL, 'no trigger of its own on a partition (clones only)');

-- TRUNCATE of the settings: no history anywhere
SAVEPOINT before_truncate;
TRUNCATE dynapi.table_settings;
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname = 'dynapi_history' AND tgparentid = 0), 0,
          'TRUNCATE dynapi.table_settings removes every history trigger');
ROLLBACK TO SAVEPOINT before_truncate;

----------------------------------------------------------------------------
-- Revert
-- dynapi_test_h: row 100 (was 1): one → uno → n 10, 11, 12 → id 100
SELECT id AS e_insert FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND pk = '{"id": 1}' AND operation = 'insert' \gset
SELECT id AS e_rename FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND pk = '{"id": 1}' AND operation = 'update'
 ORDER BY id LIMIT 1 \gset
SELECT id AS e_delete2 FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND operation = 'delete' \gset
SELECT id AS e_insert2 FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND pk = '{"id": 2}' AND operation = 'insert' \gset

SELECT pg_temp.last_id() AS mark \gset
SELECT count(*) AS events_before FROM dynapi.change_log WHERE table_name = 'dynapi_test_h' \gset
SELECT is(dynapi.revert_row('dynapi_test_h', '{"id": 100}', :e_rename),
          '{"row": {"id": 1, "name": "uno", "n": 1, "twice": 2, "seq": 1}, "reinserted": false}'::jsonb,
          'revert to an update (before a key change): the row as it was after it, key included; generated and identity columns left to the table');
SELECT results_eq(format('SELECT operation, pk, old_pk FROM pg_temp.entries(%L, %s)', 'dynapi_test_h', :mark),
                  $$VALUES ('update', '{"id": 1}'::jsonb, '{"id": 100}'::jsonb)$$, 'the revert is recorded itself');
SELECT ok((SELECT count(*) FROM dynapi.change_log WHERE table_name = 'dynapi_test_h') > :events_before,
          'and its row events fire (an ordinary UPDATE)');

SELECT is(dynapi.revert_row('dynapi_test_h', '{"id": 2}', :e_insert2),
          '{"row": {"id": 2, "name": "two", "n": 2, "twice": 4, "seq": 2}, "reinserted": true}'::jsonb,
          'revert of a deleted row: re-inserted as it was, identity ALWAYS value included (OVERRIDING SYSTEM VALUE)');
SELECT is((SELECT operation FROM dynapi.row_history ORDER BY id DESC LIMIT 1), 'insert', 'the re-insert is recorded');

SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 2}', :e_insert)) - 'hint' - 'detail' - 'column',
          format('{"sqlstate": "P0002", "message": "no history entry %s for this row"}', :e_insert)::jsonb,
          'an entry of another row: P0002');
SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_hc', '{"a": 1, "b": "x"}', :e_insert)) ->> 'sqlstate',
          'P0002', 'an entry of another table: P0002');
SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 2}', :e_delete2)) - 'detail' - 'column',
          format('{"sqlstate": "22023", "message": "history entry %s deleted the row: there is no row to put back", "hint": "Revert to an earlier entry, the one before the delete."}', :e_delete2)::jsonb,
          'an entry that deleted the row: 22023, with a hint');
SELECT is(pg_temp.error_of($$SELECT dynapi.revert_row('dynapi_test_h', '{"nope": 2}', 1)$$) ->> 'sqlstate', '22023',
          'a pk that is not the key: 22023');
SELECT is(pg_temp.error_of($$SELECT dynapi.revert_row('no_such_table"; DROP TABLE x; --', '{"id": 2}', 1)$$) ->> 'sqlstate', '42P01',
          'an unknown table: 42P01 (names are looked up, never spliced)');

-- a unique key taken since: 23505, nothing changed
UPDATE public.dynapi_test_h SET name = 'dos' WHERE id = 2;
UPDATE public.dynapi_test_h SET name = 'two2' WHERE id = 1;
UPDATE public.dynapi_test_h SET name = 'two' WHERE id = 1;     -- "two" is taken by row 1 now
SELECT pg_temp.last_id() AS mark \gset
SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 2}', :e_insert2)) ->> 'sqlstate',
          '23505', 'a unique key taken since: 23505');
SELECT is((SELECT name FROM public.dynapi_test_h WHERE id = 2), 'dos', '... the row unchanged');
SELECT is(pg_temp.last_id(), :mark::bigint, '... nothing recorded');
-- the unique conflict on re-insert
DELETE FROM public.dynapi_test_h WHERE id = 2;
SELECT id AS e_dos FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND pk = '{"id": 2}' AND operation = 'update' ORDER BY id DESC LIMIT 1 \gset
UPDATE public.dynapi_test_h SET name = 'dos' WHERE id = 1;
SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 2}', :e_dos)) ->> 'sqlstate',
          '23505', 'a re-insert whose unique key is taken: 23505');
SELECT ok(NOT EXISTS (SELECT 1 FROM public.dynapi_test_h WHERE id = 2), '... nothing inserted');

-- columns dropped since are ignored, added since keep their value
ALTER TABLE public.dynapi_test_h ADD COLUMN extra text DEFAULT 'd';
UPDATE public.dynapi_test_h SET extra = 'kept', n = 99 WHERE id = 1;
SELECT id AS e_n12 FROM dynapi.row_history WHERE table_name = 'dynapi_test_h' AND new_row ->> 'n' = '12' ORDER BY id LIMIT 1 \gset
SELECT is((dynapi.revert_row('dynapi_test_h', '{"id": 1}', :e_n12) -> 'row') - '{seq,twice}'::text[],
          '{"id": 1, "name": "uno", "n": 12, "extra": "kept"}'::jsonb, 'a column added since keeps its current value');
ALTER TABLE public.dynapi_test_h DROP COLUMN extra;
SELECT lives_ok(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 1}', (SELECT max(id) FROM dynapi.row_history WHERE table_name = 'dynapi_test_h')),
                'an entry with a column dropped since: the column is ignored');

-- runs as the caller: a role without UPDATE cannot revert
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_writer;
GRANT EXECUTE ON FUNCTION dynapi.history_entry(text, jsonb, bigint) TO dynapi_test_writer;
REVOKE UPDATE ON public.dynapi_test_h FROM dynapi_test_writer;
SET LOCAL ROLE dynapi_test_writer;
SELECT is(pg_temp.error_of(format('SELECT dynapi.revert_row(%L, %L, %s)', 'dynapi_test_h', '{"id": 1}', :e_n12)) ->> 'sqlstate',
          '42501', 'the caller''s privileges apply');
RESET ROLE;

----------------------------------------------------------------------------
-- Pages
CREATE TABLE public.dynapi_test_hpg (id int PRIMARY KEY, v text, secret text);
INSERT INTO dynapi.table_settings (table_name, history) VALUES ('dynapi_test_hpg', true);
INSERT INTO public.dynapi_test_hpg VALUES (1, 'a', 's'), (2, 'b', 's');
SET LOCAL dynapi.user_id = :'alice';
UPDATE public.dynapi_test_hpg SET v = 'a2' WHERE id = 1;
SET LOCAL dynapi.user_id = '';
UPDATE public.dynapi_test_hpg SET v = 'a3' WHERE id = 1;
DELETE FROM public.dynapi_test_hpg WHERE id = 1;
SELECT array_agg(id ORDER BY id DESC) AS ids FROM dynapi.row_history WHERE table_name = 'dynapi_test_hpg' AND pk = '{"id": 1}' \gset
SELECT dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', '{secret}', 2) AS page1 \gset
SELECT is(ARRAY(SELECT (c ->> 'id')::bigint FROM jsonb_array_elements(:'page1'::jsonb -> 'changes') AS c),
          (:'ids'::bigint[])[1:2], 'row page: newest first, max_rows of them');
SELECT is((:'page1'::jsonb ->> 'next')::bigint, (:'ids'::bigint[])[2], '... next is the last id on the page');
SELECT is(ARRAY(SELECT (c ->> 'id')::bigint FROM jsonb_array_elements(
                    dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', '{secret}', 2, (:'page1'::jsonb ->> 'next')::bigint) -> 'changes') AS c),
          (:'ids'::bigint[])[3:4], 'the next page');
SELECT is(dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', '{secret}', 2, (:'page1'::jsonb ->> 'next')::bigint) -> 'next',
          'null'::jsonb, '... the last: next null');
SELECT is((dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', '{secret}', 50) -> 'changes' -> 1) - '{at,id}'::text[],
          format('{"operation": "update", "user_id": null, "username": null, "database_role": %s, "pk": {"id": 1},
                   "old": {"id": 1, "v": "a2"}, "new": {"id": 1, "v": "a3"}}', to_json(session_user::text))::jsonb,
          'an entry''s shape; hidden columns taken out of old and new');
SELECT is(dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', NULL, 50) -> 'changes' -> 2 ->> 'username', 'test_hist_alice',
          'the username of the API user');
SELECT is(jsonb_array_length(dynapi.row_history_page('dynapi_test_hpg', '{"id": 1}', NULL, 0) -> 'changes'), 1, 'max_rows 0 counts as 1');
SELECT is(jsonb_array_length(dynapi.row_history_page('dynapi_test_hpg', '{"id": 3}', NULL, 10) -> 'changes'), 0, 'a row without history: no changes');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{}', 500) -> 'changes'), 5, 'table page: every entry');
SELECT is(ARRAY(SELECT c ->> 'operation' FROM jsonb_array_elements(dynapi.table_history_page('dynapi_test_hpg', '{}', 500) -> 'changes') AS c),
          ARRAY['delete', 'update', 'update', 'insert', 'insert'], '... newest first');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{}', 500, NULL, :alice) -> 'changes'), 1, 'filtered by user');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{}', 500, NULL, NULL, 'insert') -> 'changes'), 2, 'by operation');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{}', 500, NULL, NULL, NULL, now() + interval '1 s') -> 'changes'), 0, 'by since');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{}', 500, NULL, NULL, NULL, NULL, now() + interval '1 s') -> 'changes'), 5, 'by until');
SELECT is(pg_temp.error_of($$SELECT dynapi.table_history_page('dynapi_test_hpg', '{}', 5, NULL, NULL, 'upsert')$$) ->> 'sqlstate', '22023',
          'an unknown operation: 22023');
SELECT is(jsonb_array_length(dynapi.table_history_page('dynapi_test_hpg', '{secret}', 2) -> 'changes'), 2, 'table page: max_rows');
SELECT ok(NOT (dynapi.table_history_page('dynapi_test_hpg', '{secret}', 500)::text ~ 'secret'), '... hidden columns removed');

----------------------------------------------------------------------------
-- Nothing waits: pruning, from another session, while this transaction
-- writes the history and holds a lock on an old entry (before this
-- transaction prunes itself: it would then hold the pruners' advisory lock) (dblink, when it is
-- available and the server lets this role connect again without password).
CREATE FUNCTION pg_temp.dblink_ok() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS dblink;
    PERFORM dblink_connect('dynapi_test_other',
                           format('dbname=%s port=%s host=%s user=%s', current_database(), current_setting('port'),
                                  split_part(current_setting('unix_socket_directories'), ',', 1), current_user));
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END;
$$;
SELECT pg_temp.dblink_ok() AS have_dblink \gset
\if :have_dblink
SELECT dblink_exec('dynapi_test_other', $$
    INSERT INTO dynapi.row_history (relation, table_name, pk, operation, new_row, changed_at, database_role)
    SELECT 0, 'dynapi_test_dblink', jsonb_build_object('id', g), 'insert', '{}', now() - interval '1 year', 'x'
      FROM generate_series(1, 3) AS g$$) AS done \gset
SAVEPOINT locked;
SELECT id AS locked_id FROM dynapi.row_history WHERE table_name = 'dynapi_test_dblink' AND pk = '{"id": 1}' FOR UPDATE \gset
INSERT INTO public.dynapi_test_hpg VALUES (10, 'open', 's');   -- this transaction's writes stay open
SELECT is((SELECT n FROM dblink('dynapi_test_other', $$SET lock_timeout = '2s'; SELECT dynapi.prune_row_history()$$) AS t(n bigint)),
          2::bigint, 'another session prunes at once, skipping the entry this open transaction has locked');
ROLLBACK TO SAVEPOINT locked;
SELECT dblink_exec('dynapi_test_other', $$DELETE FROM dynapi.row_history WHERE table_name = 'dynapi_test_dblink'$$) AS done \gset
SELECT dblink_disconnect('dynapi_test_other') AS done \gset
\else
SELECT skip('dblink is not available: pruning takes ROW EXCLUSIVE on dynapi.row_history (as writers'' INSERTs do), deletes only rows past the retention with FOR UPDATE SKIP LOCKED, and gives up at once while another session prunes', 1);
\endif

----------------------------------------------------------------------------
-- Pruning
INSERT INTO dynapi.row_history (relation, table_name, pk, operation, new_row, changed_at, database_role)
SELECT 0, 'dynapi_test_old', jsonb_build_object('id', g), 'insert', '{}', now() - interval '100 years' - g * interval '1 s', 'x'
  FROM generate_series(1, 5) AS g;
SELECT is(dynapi.prune_row_history(2), 2::bigint, 'pruning deletes at most max_rows');
SELECT is((SELECT count(*)::int FROM dynapi.row_history WHERE table_name = 'dynapi_test_old'), 3, '... the oldest first');
SELECT is(dynapi.prune_row_history(), 3::bigint, 'then the rest past the retention');
SELECT ok(EXISTS (SELECT 1 FROM dynapi.row_history WHERE table_name = 'dynapi_test_hpg'), 'newer entries stay');
INSERT INTO dynapi.row_history (relation, table_name, pk, operation, new_row, changed_at, database_role)
VALUES (0, 'dynapi_test_old', '{"id": 1}', 'insert', '{}', now() - interval '91 days', 'x');
SELECT dynapi.prune_change_log() AS pruned \gset
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.row_history WHERE table_name = 'dynapi_test_old'),
          'prune_change_log (what the sidecars call) prunes the history too');
UPDATE dynapi.history_settings SET retention = '1 hour';
INSERT INTO dynapi.row_history (relation, table_name, pk, operation, new_row, changed_at, database_role)
VALUES (0, 'dynapi_test_old', '{"id": 1}', 'insert', '{}', now() - interval '2 hours', 'x');
SELECT is(dynapi.prune_row_history(), 1::bigint, 'the retention is history_settings''');

----------------------------------------------------------------------------
-- Configuration document
SELECT is(dynapi.export_config() -> 'history', '{"retention": "01:00:00"}'::jsonb, 'export: the history retention');
SELECT is((SELECT e -> 'history' FROM jsonb_array_elements(dynapi.export_config() -> 'table_settings') AS e
            WHERE e ->> 'table_name' = 'dynapi_test_hpg'), 'true'::jsonb, 'export: table_settings[].history');
SELECT is(dynapi.import_config('{"history": {"retention": "30 days"}, "table_settings": [{"table_name": "dynapi_test_hpg"}]}') -> 'history',
          '1'::jsonb, 'import: history set');
SELECT is((SELECT retention FROM dynapi.history_settings), interval '30 days', '... the retention');
SELECT is(pg_temp.history_args('public.dynapi_test_hpg'), NULL, '... an entry without "history" switches it off');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"history": {"retention": "0"}}')$$) ->> 'message',
          'history.retention: must be longer than zero', 'import refuses a retention of zero');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"history": {"keep": "1 day"}}')$$) ->> 'message',
          'history: unknown key "keep"', '... and unknown keys');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"table_settings": [{"table_name": "x", "history": "yes"}]}')$$) ->> 'message',
          'table_settings[0].history: must be true or false', '... and a history that is no boolean');

SELECT * FROM finish();
ROLLBACK;
