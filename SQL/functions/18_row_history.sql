-- Row history (0019). A table whose dynapi.table_settings say history =
-- true has an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger,
-- dynapi_history, running dynapi.record_row_history(): every row written,
-- whoever writes it (the API, psql, another program), is an entry of
-- dynapi.row_history with the row before and after. On a partitioned table
-- the trigger is on the root and PostgreSQL clones it onto every partition,
-- those attached later included; a foreign table has it too (PostgreSQL
-- fires AFTER ROW triggers on foreign tables for what is written through
-- this database). Views have none.
--
-- The trigger is kept right the way the row-event triggers are: when
-- table_settings change (dynapi_history_sync below), when DDL creates the
-- table, changes its key or renames it (on_ddl_command_end calls
-- attach_history_trigger for every table it puts right), when
-- exposed_schemas change or a schema is renamed (attach_history_triggers).
-- Settings go by API name and may be written before the table exists.
-- Creating or dropping the trigger takes the table's SHARE ROW EXCLUSIVE
-- lock for a moment, as attaching the row-event triggers does: switch
-- history on at a quiet moment on a busy table.
--
-- Nothing here makes a writer wait: the trigger only inserts into
-- dynapi.row_history, reads no table, and nothing that runs day to day takes
-- a lock an INSERT there conflicts with (pruning deletes rows no writer
-- locks and skips any locked; vacuum never truncates the table).

----------------------------------------------------------------------------
-- Recording

-- Trigger arguments: the table's API name, the OID of the table (the root
-- of its partition tree), then its key columns. SECURITY DEFINER because
-- every role writing the table records, and such roles have no access to
-- schema dynapi; EXECUTE is revoked from PUBLIC (firing needs none). The
-- user is read as dynapi.record_schema_change reads it: a setting that is no
-- number counts as none (a stray SET must not make every write fail).
-- current_user is the bundle's owner here, so a SET ROLE is read from its
-- setting.
CREATE OR REPLACE FUNCTION dynapi.record_row_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    key jsonb;
    old_key jsonb;
    setting text := current_setting('dynapi.user_id', true);
    as_role text := current_setting('role');
BEGIN
    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
    ELSIF TG_OP = 'DELETE' THEN
        old_row := to_jsonb(OLD);
    ELSE
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        IF old_row = new_row THEN
            RETURN NULL;   -- an UPDATE that changed nothing
        END IF;
    END IF;
    IF TG_NARGS = 3 THEN
        key := jsonb_build_object(TG_ARGV[2], coalesce(new_row, old_row) -> TG_ARGV[2]);
        IF TG_OP = 'UPDATE' THEN
            old_key := jsonb_build_object(TG_ARGV[2], old_row -> TG_ARGV[2]);
        END IF;
    ELSE
        SELECT jsonb_object_agg(c.name, coalesce(new_row, old_row) -> c.name),
               jsonb_object_agg(c.name, old_row -> c.name)
          INTO key, old_key
          FROM unnest(TG_ARGV[2:]) AS c(name);
    END IF;
    INSERT INTO dynapi.row_history (relation, table_name, pk, old_pk, operation, old_row, new_row,
                                    user_id, database_role)
    VALUES (TG_ARGV[1]::oid, TG_ARGV[0], key,
            CASE WHEN TG_OP = 'UPDATE' AND old_key IS DISTINCT FROM key THEN old_key END,
            lower(TG_OP), old_row, new_row,
            CASE WHEN setting ~ '^\s*[-+]?[0-9]{1,18}\s*$' THEN setting::bigint END,
            CASE WHEN as_role IN ('none', session_user) THEN session_user::text
                 ELSE session_user || ' as ' || as_role END);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.record_row_history() IS
    'AFTER INSERT/UPDATE/DELETE FOR EACH ROW trigger (dynapi_history) of a table with history: records the row before and after in dynapi.row_history, with its key, the API user (dynapi.user_id) and the database role; skips an UPDATE that changed nothing. Arguments: API name, table OID, key columns.';
REVOKE EXECUTE ON FUNCTION dynapi.record_row_history() FROM PUBLIC;

----------------------------------------------------------------------------
-- Attaching

-- The key history records: the primary key of an ordinary or partitioned
-- table, the key_columns setting of a foreign table (dynapi.settings_key_
-- columns); {} when there is none.
CREATE OR REPLACE FUNCTION dynapi.history_key_columns(rel regclass) RETURNS text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN (SELECT c.relkind FROM pg_class AS c WHERE c.oid = rel) = 'f'
                    THEN dynapi.settings_key_columns(rel)
                ELSE coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
                                 FROM pg_index AS i
                                CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                                 JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                                WHERE i.indrelid = rel AND i.indisprimary), '{}') END
$$;
COMMENT ON FUNCTION dynapi.history_key_columns(regclass) IS
    'Internal: the key columns row history records for a table: its primary key, or for a foreign table table_settings.key_columns (when all are its columns); {} without a key.';

-- Whether a table (the root of its tree) should have the trigger, and with
-- which arguments; creates, re-creates or drops it to match, and does
-- nothing (no lock, no DDL) when it already matches. A table with history on
-- but no key gets none: with strict (a settings change asking for history)
-- that is an error, SQLSTATE 22023; from DDL (a primary key dropped) a
-- WARNING, since refusing would make other people's DDL fail. Reads by key
-- only, as the DDL event triggers need (see schema_change_relations).
CREATE OR REPLACE FUNCTION dynapi.attach_history_trigger(rel regclass, strict boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    root oid := coalesce(pg_partition_root(rel), rel);
    root_kind "char";
    is_temp boolean;
    served boolean;
    root_name text;
    wanted boolean;
    key text[];
    args text[];
    wanted_args bytea;
    existing record;
    qualified text;
BEGIN
    SELECT c.relkind, c.relpersistence = 't',
           EXISTS (SELECT 1 FROM dynapi.exposed_schemas AS e WHERE e.name = n.nspname)
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'),
           format('%I.%I', n.nspname, c.relname)
      INTO root_kind, is_temp, served, qualified
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = root;
    IF root_kind IS NULL OR root_kind NOT IN ('r', 'p', 'f') OR is_temp THEN
        RETURN;
    END IF;
    root_name := dynapi.api_name(root);
    wanted := served AND coalesce((SELECT s.history FROM dynapi.table_settings AS s
                                    WHERE s.table_name = root_name), false);
    SELECT t.oid, t.tgargs INTO existing
      FROM pg_trigger AS t
     WHERE t.tgrelid = root AND t.tgname = 'dynapi_history' AND t.tgparentid = 0;
    IF NOT wanted AND existing.oid IS NULL THEN
        RETURN;   -- the common case of DDL: nothing to do, nothing locked
    END IF;
    -- Keeps two sessions from attaching at once, and waits for DDL on the
    -- table in progress elsewhere; writers (ROW EXCLUSIVE) do not wait for
    -- it. A foreign table cannot be LOCKed: an advisory lock on its OID.
    IF root_kind = 'f' THEN
        PERFORM pg_advisory_xact_lock(4242, (root::bigint - 2147483648)::integer);
    ELSE
        EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', qualified);
    END IF;
    IF wanted THEN
        key := dynapi.history_key_columns(root);
        IF cardinality(key) = 0 THEN
            IF strict THEN
                RAISE EXCEPTION 'table % has no key: its history cannot be recorded', root_name
                    USING ERRCODE = 'invalid_parameter_value', COLUMN = 'history',
                          HINT = 'Give it a primary key (a foreign table: table_settings.key_columns) first.';
            END IF;
            RAISE WARNING 'table % has no key any more: its history is no longer recorded', root_name
                USING HINT = 'Give it a primary key again; history resumes with it.';
            wanted := false;
        END IF;
    END IF;
    IF wanted THEN
        args := ARRAY[root_name, root::text] || key;
        SELECT string_agg(convert_to(a, current_setting('server_encoding')) || '\x00'::bytea, ''::bytea ORDER BY o)
          INTO wanted_args
          FROM unnest(args) WITH ORDINALITY AS u(a, o);
        IF existing.oid IS NOT NULL AND existing.tgargs = wanted_args
           AND EXISTS (SELECT 1 FROM pg_trigger AS t
                        WHERE t.oid = existing.oid AND t.tgfoid = 'dynapi.record_row_history()'::regprocedure
                          AND t.tgtype = 1 | 4 | 8 | 16 AND t.tgenabled <> 'D'
                          AND cardinality(t.tgattr::int2[]) = 0 AND t.tgqual IS NULL) THEN
            RETURN;
        END IF;
    END IF;
    IF existing.oid IS NOT NULL THEN
        PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER dynapi_history ON %s', qualified));
    END IF;
    IF wanted THEN
        PERFORM dynapi.run_internal_ddl(format(
            'CREATE TRIGGER dynapi_history AFTER INSERT OR UPDATE OR DELETE ON %s '
            'FOR EACH ROW EXECUTE FUNCTION dynapi.record_row_history(%s)',
            qualified, (SELECT string_agg(quote_literal(a), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o))));
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_history_trigger(regclass, boolean) IS
    'Gives a table (the root of its partition tree) the dynapi_history row trigger if its table_settings say history = true and it is served (an exposed schema, not an extension''s), with its API name, OID and key as arguments; removes it otherwise. Without a key: an error (22023) if strict, else a WARNING and no trigger. Idempotent; a no-op for temporary tables and anything but tables, partitioned tables and foreign tables.';

-- Every table that has the trigger or should have it.
CREATE OR REPLACE FUNCTION dynapi.attach_history_triggers() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN
        SELECT t.tgrelid FROM pg_trigger AS t
         WHERE t.tgname = 'dynapi_history' AND t.tgparentid = 0
           AND t.tgfoid = 'dynapi.record_row_history()'::regprocedure
        UNION
        SELECT coalesce(dynapi.api_table(s.table_name), dynapi.api_foreign_table(s.table_name))
          FROM dynapi.table_settings AS s WHERE s.history
    LOOP
        CONTINUE WHEN rel IS NULL;
        PERFORM dynapi.attach_history_trigger(rel);
    END LOOP;
    RETURN (SELECT count(*) FROM pg_trigger AS t
             WHERE t.tgname = 'dynapi_history' AND t.tgparentid = 0
               AND t.tgfoid = 'dynapi.record_row_history()'::regprocedure);
END;
$$;
COMMENT ON FUNCTION dynapi.attach_history_triggers() IS
    'Puts the dynapi_history trigger right on every table that has one or whose settings ask for one (dynapi.attach_history_trigger); returns how many tables record history.';

-- AFTER ROW: only the tables named by the changed rows, and only when
-- history, the name or the key setting changed (an admin editing labels must
-- not touch any table). SECURITY DEFINER as on_table_settings_change: whoever
-- may write the settings usually owns none of the tables.
CREATE OR REPLACE FUNCTION dynapi.on_history_settings_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text;
    rel regclass;
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM dynapi.attach_history_triggers();
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT (OLD.history OR NEW.history) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.table_name IS NOT DISTINCT FROM NEW.table_name
       AND OLD.history = NEW.history AND OLD.key_columns IS NOT DISTINCT FROM NEW.key_columns THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NOT NEW.history OR TG_OP = 'DELETE' AND NOT OLD.history THEN
        RETURN NULL;
    END IF;
    FOR name IN
        SELECT DISTINCT n FROM unnest(CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.table_name]
                                                 WHEN 'DELETE' THEN ARRAY[OLD.table_name]
                                                 ELSE ARRAY[OLD.table_name, NEW.table_name] END) AS n
    LOOP
        rel := coalesce(dynapi.api_table(name), dynapi.api_foreign_table(name));
        CONTINUE WHEN rel IS NULL;
        -- strict: switching history on for a table without a key is refused
        PERFORM dynapi.attach_history_trigger(rel, strict => TG_OP <> 'DELETE' AND name = NEW.table_name AND NEW.history);
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_history_settings_change() IS
    'AFTER ROW (and AFTER TRUNCATE) trigger of dynapi.table_settings: attaches or removes the dynapi_history trigger of the tables named by changed rows when history, table_name or key_columns changes; refuses (22023) history for an existing table without a key.';
REVOKE EXECUTE ON FUNCTION dynapi.on_history_settings_change() FROM PUBLIC;

DROP TRIGGER IF EXISTS dynapi_history_sync ON dynapi.table_settings;
CREATE TRIGGER dynapi_history_sync
    AFTER INSERT OR UPDATE OR DELETE ON dynapi.table_settings
    FOR EACH ROW EXECUTE FUNCTION dynapi.on_history_settings_change();
COMMENT ON TRIGGER dynapi_history_sync ON dynapi.table_settings IS
    'Attaches or removes the dynapi_history trigger of the tables named by changed rows, per history.';

DROP TRIGGER IF EXISTS dynapi_history_truncate ON dynapi.table_settings;
CREATE TRIGGER dynapi_history_truncate
    AFTER TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.on_history_settings_change();
COMMENT ON TRIGGER dynapi_history_truncate ON dynapi.table_settings IS
    'After TRUNCATE no table has history: removes every dynapi_history trigger.';

-- One row, always, as event_settings.
CREATE OR REPLACE FUNCTION dynapi.keep_history_settings() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'dynapi.history_settings always has exactly one row'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'UPDATE dynapi.history_settings SET retention = ... instead.';
END;
$$;
COMMENT ON FUNCTION dynapi.keep_history_settings() IS
    'BEFORE DELETE/TRUNCATE trigger of dynapi.history_settings: refuses (SQLSTATE 22023); the one row is updated, never removed.';
DROP TRIGGER IF EXISTS dynapi_keep_history_settings ON dynapi.history_settings;
CREATE TRIGGER dynapi_keep_history_settings
    BEFORE DELETE OR TRUNCATE ON dynapi.history_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.keep_history_settings();

----------------------------------------------------------------------------
-- Pruning

-- Called by dynapi.prune_change_log (which the sidecars call about once a
-- minute), so history is pruned without anyone doing anything. Never waits:
-- a second pruner gives up at once (advisory lock 4242000004; two DELETEs
-- of the same rows would wait for each other), rows someone has locked are
-- skipped, and the DELETE's lock on the table (ROW EXCLUSIVE) is the one
-- writers' INSERTs take. SECURITY DEFINER with EXECUTE for everyone: it only
-- deletes what the retention says is gone, and the roles that prune the
-- change log need no grant on a table added after they were set up.
CREATE OR REPLACE FUNCTION dynapi.prune_row_history(max_rows integer DEFAULT 10000) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    horizon timestamptz := now() - coalesce((SELECT s.retention FROM dynapi.history_settings AS s),
                                            interval '90 days');
    deleted bigint;
BEGIN
    IF pg_is_in_recovery() OR NOT pg_try_advisory_xact_lock(4242000004) THEN
        RETURN 0;
    END IF;
    DELETE FROM dynapi.row_history AS h
     WHERE h.ctid = ANY (ARRAY(SELECT o.ctid FROM dynapi.row_history AS o
                                WHERE o.changed_at < horizon
                                ORDER BY o.changed_at
                                LIMIT least(greatest(coalesce(max_rows, 10000), 1), 100000)
                                FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
COMMENT ON FUNCTION dynapi.prune_row_history(integer) IS
    'Deletes up to max_rows (clamped to 1..100000; NULL: 10000) dynapi.row_history entries older than dynapi.history_settings.retention, oldest first, skipping locked ones; returns how many (0 while another session prunes, and on a standby). Called by dynapi.prune_change_log.';
GRANT EXECUTE ON FUNCTION dynapi.prune_row_history(integer) TO PUBLIC;

----------------------------------------------------------------------------
-- Reading

-- A row's history: its entries under its key, and, when an update gave it
-- that key, its entries under the key it had before (and so on, up to 100
-- key changes back), each key's entries only from the update that gave it
-- that key; plus the updates that took the key away from a row (old_pk),
-- so that the page of a key no longer used ends with its move. Each piece
-- is a range of ids of one key: (key, from_id, to_id).
CREATE OR REPLACE FUNCTION dynapi.row_history_keys(table_name text, pk jsonb)
RETURNS TABLE (key jsonb, from_id bigint, to_id bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_key jsonb := pk;
    upto bigint := 9223372036854775807;
    moved_in bigint;
    previous_key jsonb;
BEGIN
    FOR step IN 1..100 LOOP
        moved_in := NULL;
        SELECT h.id, h.old_pk INTO moved_in, previous_key
          FROM dynapi.row_history AS h
         WHERE h.table_name = row_history_keys.table_name AND h.pk = current_key AND h.id <= upto
           AND h.old_pk IS NOT NULL
         ORDER BY h.id DESC LIMIT 1;
        key := current_key;
        from_id := coalesce(moved_in, 0);
        to_id := upto;
        RETURN NEXT;
        EXIT WHEN moved_in IS NULL;
        current_key := previous_key;
        upto := moved_in - 1;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.row_history_keys(text, jsonb) IS
    'Internal: the keys a row (by API table name and current key) had, each with the range of row_history ids it had it in, following updates that changed the key back (at most 100).';

-- The ids of a row's entries, newest first, below before.
CREATE OR REPLACE FUNCTION dynapi.row_history_ids(table_name text, pk jsonb, before bigint, max_rows integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT u.id FROM (
        SELECT h.id
          FROM dynapi.row_history_keys(row_history_ids.table_name, row_history_ids.pk) AS k
         CROSS JOIN LATERAL (SELECT h.id FROM dynapi.row_history AS h
                              WHERE h.table_name = row_history_ids.table_name AND h.pk = k.key
                                AND h.id >= k.from_id AND h.id <= k.to_id
                                AND h.id < coalesce(row_history_ids.before, 9223372036854775807)
                              ORDER BY h.id DESC LIMIT row_history_ids.max_rows) AS h
        UNION
        SELECT h.id FROM (SELECT h.id FROM dynapi.row_history AS h
                           WHERE h.table_name = row_history_ids.table_name AND h.old_pk = row_history_ids.pk
                             AND h.id < coalesce(row_history_ids.before, 9223372036854775807)
                           ORDER BY h.id DESC LIMIT row_history_ids.max_rows) AS h
    ) AS u
    ORDER BY u.id DESC
    LIMIT row_history_ids.max_rows
$$;
COMMENT ON FUNCTION dynapi.row_history_ids(text, jsonb, bigint, integer) IS
    'Internal: the ids of a row''s history entries (see row_history_keys), newest first, below before (NULL: all), at most max_rows.';

-- One page in the shape the API answers: entries newest first, the hidden
-- columns' keys taken out of old and new, the user's current name.
CREATE OR REPLACE FUNCTION dynapi.history_page(ids bigint[], hidden text[], max_rows integer) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH page AS (
        SELECT h.*, row_number() OVER (ORDER BY h.id DESC) AS ord
          FROM dynapi.row_history AS h
         WHERE h.id = ANY (history_page.ids)
    )
    SELECT jsonb_build_object(
        'changes', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                        'id', p.id, 'operation', p.operation, 'at', p.changed_at,
                                        'user_id', p.user_id,
                                        'username', (SELECT u.username FROM dynapi.users AS u WHERE u.id = p.user_id),
                                        'database_role', p.database_role, 'pk', p.pk,
                                        'old', p.old_row - coalesce(history_page.hidden, '{}'),
                                        'new', p.new_row - coalesce(history_page.hidden, '{}'))
                                    ORDER BY p.id DESC)
                               FROM page AS p WHERE p.ord <= history_page.max_rows), '[]'),
        'next', (SELECT p.id FROM page AS p
                  WHERE p.ord = history_page.max_rows
                    AND EXISTS (SELECT 1 FROM page AS more WHERE more.ord > history_page.max_rows)))
$$;
COMMENT ON FUNCTION dynapi.history_page(bigint[], text[], integer) IS
    'Internal: {"changes": [...], "next": ...} for the row_history entries ids (at most max_rows + 1 of them; the extra one only says there is a next page).';

CREATE OR REPLACE FUNCTION dynapi.row_history_page(table_name text, pk jsonb, hidden text[], max_rows integer,
                                                   before bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT dynapi.history_page(
               ARRAY(SELECT dynapi.row_history_ids(row_history_page.table_name, row_history_page.pk,
                                                   row_history_page.before, w.n + 1)),
               row_history_page.hidden, w.n)
      FROM (SELECT least(greatest(coalesce(row_history_page.max_rows, 50), 1), 500) AS n) AS w
$$;
COMMENT ON FUNCTION dynapi.row_history_page(text, jsonb, text[], integer, bigint) IS
    'A page of one row''s history, newest first: {"changes": [{"id", "operation", "at", "user_id", "username", "database_role", "pk", "old", "new"}], "next": the id to pass as before for the next page, or null on the last}. The row is the table''s (API name) row whose key is pk ({"col": value}); its entries under keys it had before an update changed its key are included, and updates that took pk away from a row. The hidden columns are removed from old and new. max_rows clamped to 1..500 (NULL: 50); before (NULL: from the newest) lists entries with a smaller id.';

CREATE OR REPLACE FUNCTION dynapi.table_history_page(table_name text, hidden text[], max_rows integer,
                                                     before bigint DEFAULT NULL, user_id bigint DEFAULT NULL,
                                                     operation text DEFAULT NULL, since timestamptz DEFAULT NULL,
                                                     until timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := least(greatest(coalesce(max_rows, 50), 1), 500);
BEGIN
    IF operation IS NOT NULL AND operation NOT IN ('insert', 'update', 'delete') THEN
        RAISE EXCEPTION 'operation must be insert, update or delete, not %', to_jsonb(operation)::text
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'operation';
    END IF;
    RETURN dynapi.history_page(
        ARRAY(SELECT h.id FROM dynapi.row_history AS h
               WHERE h.table_name = table_history_page.table_name
                 AND h.id < coalesce(table_history_page.before, 9223372036854775807)
                 AND (table_history_page.user_id IS NULL OR h.user_id = table_history_page.user_id)
                 AND (table_history_page.operation IS NULL OR h.operation = table_history_page.operation)
                 AND (table_history_page.since IS NULL OR h.changed_at >= table_history_page.since)
                 AND (table_history_page.until IS NULL OR h.changed_at < table_history_page.until)
               ORDER BY h.id DESC
               LIMIT n + 1),
        hidden, n);
END;
$$;
COMMENT ON FUNCTION dynapi.table_history_page(text, text[], integer, bigint, bigint, text, timestamptz, timestamptz) IS
    'A page of a table''s history (API name), newest first, in row_history_page''s shape; only the entries of user_id, of operation (insert, update or delete; anything else: 22023), changed at or after since and before until, where given.';

----------------------------------------------------------------------------
-- Reverting

-- The entry a revert starts from, read with the bundle owner's rights (the
-- caller needs none on dynapi.row_history): it must be one of the row's
-- (row_history_keys: the table, the row's key now and the keys it had), else
-- P0002. EXECUTE revoked from PUBLIC: it hands out history.
CREATE OR REPLACE FUNCTION dynapi.history_entry(table_name text, pk jsonb, entry bigint)
RETURNS TABLE (id bigint, operation text, pk_then jsonb, new_row jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT h.id, h.operation, h.pk, h.new_row
      FROM dynapi.row_history AS h
     WHERE h.id = history_entry.entry AND h.table_name = history_entry.table_name
       AND EXISTS (SELECT 1 FROM dynapi.row_history_keys(history_entry.table_name, history_entry.pk) AS k
                    WHERE k.key = h.pk AND h.id BETWEEN k.from_id AND k.to_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no history entry % for this row', entry
            USING ERRCODE = 'no_data_found';
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.history_entry(text, jsonb, bigint) IS
    'Internal, for revert_row: the history entry of a table''s row (API name, its current key) by id; SQLSTATE P0002 if it is not one of that row''s.';
REVOKE EXECUTE ON FUNCTION dynapi.history_entry(text, jsonb, bigint) FROM PUBLIC;

-- Runs as the caller (SECURITY INVOKER), so the caller's privileges and
-- row-level security apply to the write, an ordinary UPDATE or INSERT: its
-- row events fire and the trigger records it. One statement: a unique key
-- taken since fails it with PostgreSQL's 23505 and nothing is changed. Every
-- name is quoted (format %I, regclass), every value passed as a parameter.
CREATE OR REPLACE FUNCTION dynapi.revert_row(table_name text, pk jsonb, entry bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass := coalesce(dynapi.api_table(table_name), dynapi.api_foreign_table(table_name));
    found_entry record;
    key text[];
    target jsonb;
    key_match text;
    update_columns text;
    insert_columns text;
    select_columns text;
    overriding boolean;
    result jsonb;
BEGIN
    IF rel IS NULL THEN
        RAISE EXCEPTION 'no table named %', to_jsonb(table_name)::text USING ERRCODE = 'undefined_table';
    END IF;
    key := dynapi.history_key_columns(rel);
    IF cardinality(key) = 0 THEN
        RAISE EXCEPTION 'table % has no key', to_jsonb(table_name)::text USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pk IS NULL OR jsonb_typeof(pk) <> 'object'
       OR ARRAY(SELECT k FROM jsonb_object_keys(pk) AS k ORDER BY k) <> ARRAY(SELECT k FROM unnest(key) AS k ORDER BY k) THEN
        RAISE EXCEPTION 'pk must be an object of the key columns %', array_to_string(key, ', ')
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'pk';
    END IF;
    SELECT * INTO found_entry FROM dynapi.history_entry(table_name, pk, entry);
    IF found_entry.operation = 'delete' THEN
        RAISE EXCEPTION 'history entry % deleted the row: there is no row to put back', entry
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Revert to an earlier entry, the one before the delete.';
    END IF;
    target := found_entry.new_row;

    -- the row now, by its current key (the values typed as the columns)
    SELECT string_agg(format('t.%1$I = (pg_catalog.jsonb_populate_record(NULL::%2$s, $2)).%1$I', k, rel),
                      ' AND ')
      INTO key_match FROM unnest(key) AS k;
    -- what the entry has and the table still has: not generated, and on
    -- update not an identity GENERATED ALWAYS column
    SELECT string_agg(format('%1$I = r.%1$I', a.attname), ', ' ORDER BY a.attnum)
             FILTER (WHERE a.attidentity <> 'a'),
           string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
           string_agg(format('r.%I', a.attname), ', ' ORDER BY a.attnum),
           coalesce(bool_or(a.attidentity = 'a'), false)
      INTO update_columns, insert_columns, select_columns, overriding
      FROM pg_attribute AS a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
       AND target ? a.attname;

    IF update_columns IS NOT NULL THEN
        EXECUTE format('UPDATE %1$s AS t SET %2$s FROM pg_catalog.jsonb_populate_record(NULL::%1$s, $1) AS r '
                       'WHERE %3$s RETURNING pg_catalog.to_jsonb(t.*)', rel, update_columns, key_match)
           INTO result USING target, pk;
    ELSE
        EXECUTE format('SELECT pg_catalog.to_jsonb(t.*) FROM %1$s AS t WHERE %2$s', rel, key_match)
           INTO result USING target, pk;
    END IF;
    IF result IS NOT NULL THEN
        RETURN jsonb_build_object('row', result, 'reinserted', false);
    END IF;
    EXECUTE format('INSERT INTO %1$s AS t (%2$s) %3$s SELECT %4$s FROM pg_catalog.jsonb_populate_record(NULL::%1$s, $1) AS r '
                   'RETURNING pg_catalog.to_jsonb(t.*)',
                   rel, insert_columns, CASE WHEN overriding THEN 'OVERRIDING SYSTEM VALUE' ELSE '' END,
                   select_columns)
       INTO result USING target;
    RETURN jsonb_build_object('row', result, 'reinserted', true);
END;
$$;
COMMENT ON FUNCTION dynapi.revert_row(text, jsonb, bigint) IS
    'Puts a row (table by API name, its current key pk {"col": value}) back as it was after history entry entry: UPDATEs every column the entry has that can be written (not generated; not identity ALWAYS), or INSERTs the row (OVERRIDING SYSTEM VALUE where needed) when it no longer exists. Returns {"row": the row as now, "reinserted": bool}. Runs as the caller (privileges and row-level security apply); the write is recorded and its row events fire. P0002: the entry is not one of the row''s; 22023: the entry deleted the row; 23505: a unique key is taken (nothing changed).';

----------------------------------------------------------------------------
-- Upkeep (after the functions above, which 16_upkeep.sql runs before): the
-- tables whose settings ask for history have the trigger this version
-- writes. Writes nothing when nothing is out of date.
DO $$
BEGIN
    PERFORM dynapi.attach_history_triggers();
END;
$$;
