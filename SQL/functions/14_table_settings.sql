-- Live per-table settings. A change to dynapi.table_settings must reach
-- every sidecar at once (they keep the settings in their schema snapshot,
-- reloaded on dynapi_schema: 09_settings_events.sql), and exposed = false
-- (or event_mode off) must mean what it says everywhere: the table sends no
-- row events, so its row-event triggers go, and stay gone whatever DDL
-- happens to the table afterwards (attach_row_trigger reads the settings),
-- until the table is exposed again.
--
-- Settings are keyed by API name and may be written before the table exists
-- (or after it is gone); that is why neither the table nor the column lists
-- are checked against the catalog.

-- The lists are column names. NULL and '' can never name a column (and
-- PostgreSQL has no zero-length identifiers), so they are typos; a
-- multi-dimensional array is not a list, and a key that names a column
-- twice is no key. SQLSTATE 22023 with the column in COLUMN, like every
-- other refusal of the bundle (a CHECK would be 23514).
CREATE OR REPLACE FUNCTION dynapi.check_table_settings() RETURNS trigger
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
        UNION ALL
        SELECT 'key_columns', NEW.key_columns
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
    IF cardinality(NEW.key_columns) > (SELECT count(DISTINCT k) FROM unnest(NEW.key_columns) AS k) THEN
        RAISE EXCEPTION 'key_columns must not name a column twice'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'key_columns';
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION dynapi.check_table_settings() IS
    'BEFORE INSERT/UPDATE trigger of dynapi.table_settings: hidden_columns, read_only_columns and key_columns must be one-dimensional and hold no NULL or empty name, key_columns no name twice (SQLSTATE 22023, COLUMN the list).';

DROP TRIGGER IF EXISTS dynapi_check_table_settings ON dynapi.table_settings;
CREATE TRIGGER dynapi_check_table_settings
    BEFORE INSERT OR UPDATE ON dynapi.table_settings
    FOR EACH ROW EXECUTE FUNCTION dynapi.check_table_settings();
COMMENT ON TRIGGER dynapi_check_table_settings ON dynapi.table_settings IS
    'Refuses NULL and empty names in hidden_columns, read_only_columns and key_columns, and a key naming a column twice (dynapi.check_table_settings).';

-- AFTER ROW: only the tables named by the changed rows are touched (an
-- admin toggling one table must not make the database walk every table).
-- TRUNCATE has no rows, so it rebuilds from the catalog instead.
-- SECURITY DEFINER because whoever may write the settings (the sidecar's
-- role, an admin running import_config) usually does not own the tables,
-- and only owners may drop triggers; what it does is limited to the
-- row-event triggers. EXECUTE is revoked from PUBLIC so that nobody can
-- attach it elsewhere; firing needs no EXECUTE privilege.
CREATE OR REPLACE FUNCTION dynapi.on_table_settings_change() RETURNS trigger
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
    ELSIF OLD.table_name IS DISTINCT FROM NEW.table_name OR OLD.exposed IS DISTINCT FROM NEW.exposed
          OR OLD.event_mode IS DISTINCT FROM NEW.event_mode OR OLD.key_columns IS DISTINCT FROM NEW.key_columns THEN
        -- (key_columns: a foreign table's triggers log that key)
        names := ARRAY[OLD.table_name, NEW.table_name];
    ELSE
        RETURN NULL;   -- only the column lists or label changed: the triggers are not concerned
    END IF;

    -- attach_row_trigger reads the settings as they are now, so it attaches,
    -- re-attaches or removes as needed. Tables that do not exist (yet), are
    -- outside the exposed schemas, or belong to an extension are left alone.
    FOR rel IN
        SELECT DISTINCT coalesce(dynapi.api_table(t), dynapi.api_foreign_table(t)) FROM unnest(names) AS t
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
    'AFTER ROW (and AFTER TRUNCATE) trigger of dynapi.table_settings: re-attaches or removes the row-event triggers of the tables (ordinary, partitioned, foreign) named by changed rows when exposed, event_mode or key_columns changes.';
REVOKE EXECUTE ON FUNCTION dynapi.on_table_settings_change() FROM PUBLIC;

DROP TRIGGER IF EXISTS dynapi_table_settings_sync ON dynapi.table_settings;
CREATE TRIGGER dynapi_table_settings_sync
    AFTER INSERT OR UPDATE OR DELETE ON dynapi.table_settings
    FOR EACH ROW EXECUTE FUNCTION dynapi.on_table_settings_change();
COMMENT ON TRIGGER dynapi_table_settings_sync ON dynapi.table_settings IS
    'Removes or puts back the dynapi_row_events trigger of the tables named by changed rows, per exposed.';

DROP TRIGGER IF EXISTS dynapi_table_settings_truncate ON dynapi.table_settings;
CREATE TRIGGER dynapi_table_settings_truncate
    AFTER TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.on_table_settings_change();
COMMENT ON TRIGGER dynapi_table_settings_truncate ON dynapi.table_settings IS
    'After TRUNCATE no table is unexposed: puts every dynapi_row_events trigger back.';
