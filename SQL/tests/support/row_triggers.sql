-- Helpers shared by the pgTAP files (included with \ir): what the bundle's
-- row-event triggers on a table look like, its generated functions, and what
-- the change log got since a mark.

-- The arguments of a table's row-event triggers (mode, API name; row
-- triggers also the key position 0 and the key columns): NULL without
-- triggers, {inconsistent} unless all three are there with the same
-- arguments.
CREATE FUNCTION pg_temp.row_trigger_args(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL
                WHEN count(*) = 3 AND count(DISTINCT t.tgargs) = 1
                    THEN (string_to_array(encode((array_agg(t.tgargs))[1], 'escape'), '\000'))[1:min(t.tgnargs)]
                ELSE ARRAY['inconsistent'] END
      FROM pg_trigger AS t
     WHERE t.tgrelid = rel AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
$$;

-- The key the triggers log: the columns their functions read from each row
-- (in key order; {} without a key), found in the first SELECT of the
-- generated functions' bodies: NULL without triggers, {inconsistent} unless
-- all three have the same arguments and run the generated function of the
-- API name they log, for their command, reading the same columns.
CREATE FUNCTION pg_temp.row_trigger_key(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT CASE WHEN count(*) = 0 THEN NULL
                WHEN count(*) = 3 AND count(DISTINCT t.tgargs) = 1 AND count(DISTINCT k.cols) = 1
                     AND bool_and(p.pronamespace = 'dynapi'::regnamespace
                                  AND p.proname = dynapi.row_log_function_name(
                                      (string_to_array(encode(t.tgargs, 'escape'), '\000'))[2], substr(t.tgname, 19)))
                    THEN min(k.cols)
                ELSE ARRAY['inconsistent'] END
      FROM pg_trigger AS t
      JOIN pg_proc AS p ON p.oid = t.tgfoid
     CROSS JOIN LATERAL (SELECT ARRAY(SELECT m[1] FROM regexp_matches(substring(p.prosrc FROM 'SELECT [^\n]*'), '\mr\.(\w+)', 'g') AS m) AS cols) AS k
     WHERE t.tgrelid = rel AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
$$;

-- How many tables in the exposed schemas log events (what
-- dynapi.attach_row_triggers answers): roots, not temporary, not an
-- extension's, whose event mode is not off (exposed = false among those).
CREATE FUNCTION pg_temp.logging_tables() RETURNS integer LANGUAGE sql AS $$
    SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN (SELECT name FROM dynapi.exposed_schemas)
       AND c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND c.relpersistence <> 't'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                   AND d.objid = c.oid AND d.deptype = 'e')
       AND dynapi.event_mode(dynapi.api_name(c.oid)) <> 'off'
$$;

-- pg_temp.mark() remembers the newest change_log entry, for a
-- pg_temp.logged() of the file's own to list what was written since.
CREATE FUNCTION pg_temp.mark() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('dynapi_test.mark', (SELECT coalesce(max(id), 0) FROM dynapi.change_log)::text, true);
END;
$$;

-- pg_temp.logged() lists the entries written since pg_temp.mark(), oldest
-- first; pg_temp.logged(false), without schema entries.
CREATE FUNCTION pg_temp.logged(with_schema boolean DEFAULT true) RETURNS TABLE (table_name text, event text, pks jsonb)
LANGUAGE sql AS $$
    SELECT l.table_name, l.event, l.pks FROM dynapi.change_log AS l
     WHERE l.id > current_setting('dynapi_test.mark')::bigint AND (with_schema OR l.event <> 'schema')
     ORDER BY l.id
$$;

-- The generated function of a table (by API name) for a command, NULL when
-- there is none.
CREATE FUNCTION pg_temp.fn(api_name text, command text) RETURNS regprocedure LANGUAGE sql AS $$
    SELECT to_regprocedure('dynapi.' || quote_ident(dynapi.row_log_function_name(api_name, command)) || '()')
$$;
