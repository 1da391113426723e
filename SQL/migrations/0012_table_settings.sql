-- 0012: live per-table settings. A change to dynapi.table_settings must
-- reach every sidecar at once (they keep the settings in their schema
-- snapshot, reloaded on dynapi_schema), and exposed = false must mean what it
-- says everywhere: the table is not served and sends no row events, so its
-- dynapi_row_events trigger goes, and stays gone whatever DDL happens to
-- the table afterwards, until the table is exposed again.
--
-- Settings are keyed by API name and may be written before the table exists
-- (or after it is gone); that is why neither the table nor the column lists
-- are checked against the catalog.

-- The lists are column names. NULL and '' can never name a column (and
-- PostgreSQL has no zero-length identifiers), so they are typos; a
-- multi-dimensional array is not a list. SQLSTATE 22023 with the column in
-- COLUMN, like every other refusal of the bundle (a CHECK would be 23514).
CREATE FUNCTION dynapi.check_table_settings() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    list record;
BEGIN
    FOR list IN
        SELECT 'hidden_columns' AS column_name, NEW.hidden_columns AS names
        UNION ALL
        SELECT 'read_only_columns', NEW.read_only_columns
    LOOP
        CONTINUE WHEN list.names IS NULL;   -- left to NOT NULL
        IF array_ndims(list.names) > 1 THEN
            RAISE EXCEPTION '% must be a list of column names, not a % dimensional array',
                            list.column_name, array_ndims(list.names)
                USING ERRCODE = 'invalid_parameter_value', COLUMN = list.column_name;
        END IF;
        IF array_position(list.names, NULL) IS NOT NULL THEN
            RAISE EXCEPTION '% must not contain NULL', list.column_name
                USING ERRCODE = 'invalid_parameter_value', COLUMN = list.column_name;
        END IF;
        IF '' = ANY (list.names) THEN
            RAISE EXCEPTION '% must not contain empty column names', list.column_name
                USING ERRCODE = 'invalid_parameter_value', COLUMN = list.column_name;
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION dynapi.check_table_settings() IS
    'BEFORE INSERT/UPDATE trigger of dynapi.table_settings: hidden_columns and read_only_columns must be one-dimensional and hold no NULL or empty name (SQLSTATE 22023, COLUMN the list).';

-- Rows written before this trigger existed: NULL and '' never named a column,
-- so dropping them changes nothing the API does, and lets those rows be
-- updated later.
UPDATE dynapi.table_settings AS s
   SET hidden_columns = array_remove(array_remove(s.hidden_columns, NULL), ''),
       read_only_columns = array_remove(array_remove(s.read_only_columns, NULL), '')
 WHERE array_position(s.hidden_columns, NULL) IS NOT NULL OR '' = ANY (s.hidden_columns)
    OR array_position(s.read_only_columns, NULL) IS NOT NULL OR '' = ANY (s.read_only_columns);

CREATE TRIGGER dynapi_check_table_settings
    BEFORE INSERT OR UPDATE ON dynapi.table_settings
    FOR EACH ROW EXECUTE FUNCTION dynapi.check_table_settings();
COMMENT ON TRIGGER dynapi_check_table_settings ON dynapi.table_settings IS
    'Refuses NULL and empty names in hidden_columns and read_only_columns (dynapi.check_table_settings).';

-- 0004's attach_row_trigger, plus: a table whose settings say exposed = false
-- gets no trigger, and loses one it has. Every path that (re)attaches goes
-- through here: the DDL event trigger (ALTER TABLE, a new or attached
-- partition, a rename onto an unexposed name), attach_row_triggers, the
-- exposed_schemas and table_settings triggers. Removing rather than only
-- skipping covers a partition attached with its own trigger, and a table
-- renamed to a name that is set unexposed.
CREATE OR REPLACE FUNCTION dynapi.attach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root oid := coalesce(pg_partition_root(rel), rel);
    root_kind "char";
    is_temp boolean;
    pk_columns text[];
    wanted_args bytea;
    member record;
BEGIN
    SELECT c.relkind, c.relpersistence = 't' INTO root_kind, is_temp
      FROM pg_class AS c WHERE c.oid = root;
    IF root_kind IS NULL OR root_kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = 'wrong_object_type';
    END IF;
    -- Temporary tables are private to one session; the API never serves them.
    IF is_temp THEN
        RETURN;
    END IF;
    -- exposed = false: no events (0012).
    IF EXISTS (SELECT 1 FROM dynapi.table_settings AS s
                WHERE s.table_name = dynapi.api_name(root) AND NOT s.exposed) THEN
        PERFORM dynapi.detach_row_trigger(root);
        RETURN;
    END IF;

    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk_columns
      FROM pg_index AS i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = root AND i.indisprimary;

    -- pg_trigger.tgargs is the arguments, each NUL-terminated, in the server
    -- encoding; comparing against it lets unchanged triggers stay untouched
    -- (no lock, no DDL) when this runs after every ALTER TABLE.
    SELECT coalesce(string_agg(convert_to(c, current_setting('server_encoding')) || '\x00'::bytea,
                               ''::bytea ORDER BY o), ''::bytea)
      INTO wanted_args
      FROM unnest(pk_columns) WITH ORDINALITY AS u(c, o);

    FOR member IN
        SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified,
               t.oid AS trigger_oid,
               t.tgfoid = 'dynapi.notify_row_event()'::regprocedure
                   AND t.tgtype = 29   -- ROW | INSERT | DELETE | UPDATE, AFTER
                   AND t.tgargs = wanted_args
                   AND t.tgparentid = 0 AS up_to_date
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
          LEFT JOIN pg_trigger AS t ON t.tgrelid = c.oid AND t.tgname = 'dynapi_row_events'
         WHERE c.oid = root
            OR c.oid IN (SELECT relid FROM pg_partition_tree(root))
         -- partitioned tables first: dropping a trigger there may remove
         -- clones from the leaves handled afterwards
         ORDER BY c.relkind = 'r', c.oid
    LOOP
        IF member.relkind = 'r' AND coalesce(member.up_to_date, false) THEN
            CONTINUE;
        END IF;
        IF member.trigger_oid IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_trigger WHERE oid = member.trigger_oid AND tgparentid = 0) THEN
            PERFORM dynapi.run_internal_ddl(
                format('DROP TRIGGER dynapi_row_events ON %s', member.qualified));
        END IF;
        IF member.relkind = 'r' THEN
            PERFORM dynapi.run_internal_ddl(format(
                'CREATE TRIGGER dynapi_row_events AFTER INSERT OR UPDATE OR DELETE ON %s '
                'FOR EACH ROW EXECUTE FUNCTION dynapi.notify_row_event(%s)',
                member.qualified,
                coalesce((SELECT string_agg(quote_literal(c), ', ' ORDER BY o)
                            FROM unnest(pk_columns) WITH ORDINALITY AS u(c, o)), '')));
        END IF;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_trigger(regclass) IS
    'Makes a table (for a partitioned table or a partition: every leaf of its tree) emit dynapi_events, keyed by the current primary key; for a table set exposed = false in dynapi.table_settings, removes the trigger instead. Idempotent; a no-op for temporary tables.';

-- Same tables as 0004's version; only tables set exposed = false are no
-- longer counted, since they do not emit events.
CREATE OR REPLACE FUNCTION dynapi.attach_row_triggers() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
    attached integer := 0;
BEGIN
    FOR rel IN
        SELECT c.oid
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
          JOIN dynapi.exposed_schemas AS e ON e.name = n.nspname
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
         ORDER BY c.oid
    LOOP
        PERFORM dynapi.attach_row_trigger(rel);
        IF NOT EXISTS (SELECT 1 FROM dynapi.table_settings AS s
                        WHERE s.table_name = dynapi.api_name(rel) AND NOT s.exposed) THEN
            attached := attached + 1;
        END IF;
    END LOOP;
    RETURN attached;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_triggers() IS
    'Attaches the dynapi_events trigger to every table in dynapi.exposed_schemas (removing it from tables set exposed = false); returns how many tables now emit events.';

-- AFTER ROW: only the tables named by the changed rows are touched (an
-- admin toggling one table must not make the database walk every table).
-- TRUNCATE has no rows, so it rebuilds from the catalog instead.
-- SECURITY DEFINER because whoever may write the settings (the sidecar's
-- role, an admin running import_config) usually does not own the tables,
-- and only owners may drop triggers; what it does is limited to the
-- dynapi_row_events trigger. EXECUTE is revoked from PUBLIC below so that
-- nobody can attach it elsewhere; firing needs no EXECUTE privilege.
CREATE FUNCTION dynapi.on_table_settings_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    names text[];
    rel regclass;
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM dynapi.attach_row_triggers();
        RETURN NULL;
    END IF;

    IF TG_OP = 'INSERT' THEN
        names := ARRAY[NEW.table_name];
    ELSIF TG_OP = 'DELETE' THEN
        names := ARRAY[OLD.table_name];
    ELSIF OLD.table_name IS DISTINCT FROM NEW.table_name OR OLD.exposed IS DISTINCT FROM NEW.exposed THEN
        names := ARRAY[OLD.table_name, NEW.table_name];
    ELSE
        RETURN NULL;   -- only lists or label changed: the trigger is not concerned
    END IF;

    -- attach_row_trigger reads the settings as they are now, so it attaches
    -- or removes as needed. Tables that do not exist (yet), are outside the
    -- exposed schemas, or belong to an extension (as in attach_row_triggers)
    -- are left alone.
    FOR rel IN
        SELECT DISTINCT dynapi.api_table(t) FROM unnest(names) AS t
    LOOP
        CONTINUE WHEN rel IS NULL
            OR EXISTS (SELECT 1 FROM pg_depend AS d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = rel AND d.deptype = 'e');
        PERFORM dynapi.attach_row_trigger(rel);
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_table_settings_change() IS
    'AFTER ROW (and AFTER TRUNCATE) trigger of dynapi.table_settings: removes the dynapi_events trigger from tables set exposed = false and puts it back when they are exposed again or lose their settings.';
REVOKE EXECUTE ON FUNCTION dynapi.on_table_settings_change() FROM PUBLIC;

CREATE TRIGGER dynapi_table_settings_sync
    AFTER INSERT OR UPDATE OR DELETE ON dynapi.table_settings
    FOR EACH ROW EXECUTE FUNCTION dynapi.on_table_settings_change();
COMMENT ON TRIGGER dynapi_table_settings_sync ON dynapi.table_settings IS
    'Removes or puts back the dynapi_row_events trigger of the tables named by changed rows, per exposed.';

CREATE TRIGGER dynapi_table_settings_truncate
    AFTER TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.on_table_settings_change();
COMMENT ON TRIGGER dynapi_table_settings_truncate ON dynapi.table_settings IS
    'After TRUNCATE no table is unexposed: puts every dynapi_row_events trigger back.';

-- The sidecar reloads its schema snapshot (served tables, hidden and
-- read-only columns, labels); dynapi_acl (0006) keeps firing as well.
CREATE TRIGGER dynapi_schema_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_schema_change();
COMMENT ON TRIGGER dynapi_schema_events ON dynapi.table_settings IS
    'NOTIFY dynapi_schema, ''table_settings'': sidecars reload their schema snapshot, which holds the settings.';

COMMENT ON COLUMN dynapi.table_settings.exposed IS
    'false: the API does not serve the table and it sends no dynapi_events (its row trigger is removed, and kept off through later DDL).';

-- Tables already set unexposed lose their trigger now.
SELECT dynapi.detach_row_trigger(dynapi.api_table(s.table_name))
  FROM dynapi.table_settings AS s
 WHERE NOT s.exposed AND dynapi.api_table(s.table_name) IS NOT NULL;
