-- What an install does to what is already in the database, once the
-- functions above are current. Migrations run before the function files:
-- on a fresh install the functions do not exist yet, and on an upgrade they
-- are still the old ones, so a data step that needs them is here instead of
-- in its migration. Each step is idempotent and writes nothing when nothing
-- is out of date, since this file runs on every install.

-- Action rows written before 0011's check_action trigger: canonicalised
-- (the trigger stores the function's full signature) where the function can
-- be resolved; the others are kept as they are (the sidecar skips actions it
-- cannot resolve). The canonical text is regprocedure's output under the
-- trigger's search_path, hence the same one here.
DO $$
DECLARE
    previous_path text := current_setting('search_path');
    action record;
BEGIN
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    FOR action IN
        SELECT a.id, a.table_name, a.name FROM dynapi.actions AS a
         WHERE dynapi.action_function(a.table_name, a.function) IS NOT NULL
           AND dynapi.action_function(a.table_name, a.function)::text IS DISTINCT FROM a.function
         ORDER BY a.id
    LOOP
        BEGIN
            UPDATE dynapi.actions AS a SET function = a.function WHERE a.id = action.id;
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE WARNING 'action % on table % kept as it is: %',
                          to_jsonb(action.name)::text, to_jsonb(action.table_name)::text, SQLERRM
                USING HINT = 'Fix it with dynapi.register_action or remove it with dynapi.unregister_action.';
        END;
    END LOOP;
    PERFORM set_config('search_path', previous_path, true);
END;
$$;

-- Every table in the exposed schemas gets the row-event triggers its event
-- mode asks for, tables that existed before the install included, and their
-- generated functions as this version writes them; tables set exposed =
-- false or mode off lose theirs. That also replaces the per-row
-- dynapi_row_events triggers of installations from before 0013.
DO $$
BEGIN
    PERFORM dynapi.attach_row_triggers();
END;
$$;

-- 0004's per-row trigger function and its helpers, retired by 0013. Kept
-- until now, so that tables never went without a trigger: anything still
-- running it (a table outside the exposed schemas given a trigger by hand)
-- would keep NOTIFYing per row, so those triggers go first.
DO $$
DECLARE
    old_trigger record;
BEGIN
    IF to_regprocedure('dynapi.notify_row_event()') IS NOT NULL THEN
        FOR old_trigger IN
            SELECT t.tgname, t.tgrelid::regclass AS rel FROM pg_trigger AS t
             WHERE t.tgfoid = to_regprocedure('dynapi.notify_row_event()') AND t.tgparentid = 0
        LOOP
            PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER %I ON %s', old_trigger.tgname, old_trigger.rel));
        END LOOP;
    END IF;
END;
$$;
DROP FUNCTION IF EXISTS dynapi.notify_row_event();
DROP FUNCTION IF EXISTS dynapi.row_event_payload(text, text, jsonb);
DROP FUNCTION IF EXISTS dynapi.row_event_pk(jsonb, text[]);
