-- Helpers shared by the pgTAP files (included with \ir): what the bundle's
-- row-event triggers on a table look like, and where the change log stood.

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

-- pg_temp.mark() remembers the newest change_log entry, for a
-- pg_temp.logged() of the file's own to list what was written since.
CREATE FUNCTION pg_temp.mark() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('dynapi_test.mark', (SELECT coalesce(max(id), 0) FROM dynapi.change_log)::text, true);
END;
$$;
