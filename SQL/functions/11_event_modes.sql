-- Event modes: dynapi.event_settings (one row) holds the database's mode,
-- dynapi.table_settings.event_mode a table's own; changing either puts the
-- row-event triggers of the tables concerned right (see 14_table_settings.sql
-- for the per-table side).

-- exposed = false is 'off' whatever the settings say: such a table sends
-- nothing.
CREATE OR REPLACE FUNCTION dynapi.event_mode(api_name text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN s.exposed IS FALSE THEN 'off'
                ELSE coalesce(s.event_mode,
                              (SELECT e.event_mode FROM dynapi.event_settings AS e),
                              'notify')
           END
      FROM (SELECT NULL) AS dummy
      LEFT JOIN dynapi.table_settings AS s ON s.table_name = event_mode.api_name
$$;
COMMENT ON FUNCTION dynapi.event_mode(text) IS
    'The event mode of a table by API name: its table_settings.event_mode, else event_settings.event_mode; off when its settings say exposed = false.';

-- One row, always: the boolean key allows one value and this guard refuses
-- DELETE and TRUNCATE.
CREATE OR REPLACE FUNCTION dynapi.keep_event_settings() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'dynapi.event_settings always has exactly one row'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'UPDATE dynapi.event_settings SET event_mode = ..., retention = ... instead.';
END;
$$;
COMMENT ON FUNCTION dynapi.keep_event_settings() IS
    'BEFORE DELETE/TRUNCATE trigger of dynapi.event_settings: refuses (SQLSTATE 22023); the one row is updated, never removed.';
DROP TRIGGER IF EXISTS dynapi_keep_event_settings ON dynapi.event_settings;
CREATE TRIGGER dynapi_keep_event_settings
    BEFORE DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.keep_event_settings();

-- SECURITY DEFINER for the same reason as on_table_settings_change: whoever
-- may change the settings usually owns none of the tables.
CREATE OR REPLACE FUNCTION dynapi.on_event_settings_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM dynapi.attach_row_triggers();
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_event_settings_change() IS
    'AFTER UPDATE trigger of dynapi.event_settings (when event_mode changes): re-attaches every table''s row-event triggers.';
REVOKE EXECUTE ON FUNCTION dynapi.on_event_settings_change() FROM PUBLIC;

DROP TRIGGER IF EXISTS dynapi_event_settings_sync ON dynapi.event_settings;
CREATE TRIGGER dynapi_event_settings_sync
    AFTER UPDATE ON dynapi.event_settings
    FOR EACH ROW WHEN (OLD.event_mode IS DISTINCT FROM NEW.event_mode)
    EXECUTE FUNCTION dynapi.on_event_settings_change();
COMMENT ON TRIGGER dynapi_event_settings_sync ON dynapi.event_settings IS
    'A new default event mode re-attaches the row-event triggers of every table.';
