-- Helper shared by the pgTAP files (included with \ir): the error a
-- statement fails with.

-- The fields of the error sql fails with (sqlstate, message, and column,
-- hint, detail: null when PostgreSQL has none), or NULL if it succeeds. A
-- test that checks only some of them takes the others away
-- (pg_temp.error_of(...) - 'hint' - 'detail').
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    state text; message text; column_name text; hint text; detail text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            column_name = COLUMN_NAME, hint = PG_EXCEPTION_HINT, detail = PG_EXCEPTION_DETAIL;
    RETURN jsonb_build_object('sqlstate', state, 'message', message, 'column', nullif(column_name, ''),
                              'hint', nullif(hint, ''), 'detail', nullif(detail, ''));
END;
$$;
