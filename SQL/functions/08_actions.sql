-- Custom actions. An action is a SQL function
--     f(row <table>, user_id bigint, payload jsonb) RETURNS jsonb
-- registered in dynapi.actions; the sidecar serves it at
-- POST /api/dyn/{table}/{pk}/action/{name}/. Rows are checked and
-- canonicalised by a trigger, whoever writes them (register_action,
-- import_config, a plain INSERT), so a typo is refused when it is made rather
-- than answering 500 at the first call, and `function` always holds one
-- unambiguous signature, whatever the reader's search_path.
--
-- A dropped (or renamed) function leaves its action row behind: nothing in
-- PostgreSQL ties the row to the function. The DROP itself already notifies
-- dynapi_schema (the sql_drop event trigger fires for DROP FUNCTION), the
-- sidecar reloads, cannot resolve the function (dynapi.action_function
-- below says so without raising) and leaves the action out; calling it
-- answers an error until the action is registered again.
-- (A table cannot be dropped from under its actions without CASCADE: the
-- functions depend on its row type.)

-- The function implementing an action on table rel, given as "name",
-- "schema.name" or a full signature. It must take exactly (rel's row type,
-- bigint, jsonb) and return jsonb; other overloads of the name are ignored.
-- Refusals are SQLSTATE 22023 with COLUMN 'function' and the signature that
-- was expected, since that is what the author has to write.
CREATE OR REPLACE FUNCTION dynapi.resolve_action_function(rel regclass, function text) RETURNS regprocedure
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel_schema text;
    rel_name text;
    row_type oid;
    wanted oidvector;
    given text := btrim(resolve_action_function.function);
    is_signature boolean;
    name_part text;
    parts text[];
    shown_type text;
    shown_name text;
    hint text;
    detail text;
    fn oid;
    fn_kind "char";
    fn_args oidvector;
    fn_result oid;
    fn_schema text;
BEGIN
    SELECT n.nspname, c.relname, c.reltype INTO rel_schema, rel_name, row_type
      FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = rel AND c.relkind IN ('r', 'p');
    IF row_type IS NULL THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = 'wrong_object_type';
    END IF;
    -- oidvector, as pg_proc.proargtypes (whose oid[] cast starts at index 0).
    wanted := format('%s %s %s', row_type, 'bigint'::regtype::oid, 'jsonb'::regtype::oid)::oidvector;
    -- The row type as the author would write it next to the table's API name.
    shown_type := CASE WHEN rel_schema = 'public' THEN quote_ident(rel_name)
                       ELSE format('%I.%I', rel_schema, rel_name) END;
    hint := format('An action function takes (row %s, user_id bigint, payload jsonb) and returns jsonb; '
                   'a name without a schema is looked up in schema %s.',
                   shown_type,
                   CASE WHEN rel_schema = 'public' THEN 'public'
                        ELSE format('%s, then public', quote_ident(rel_schema)) END);

    -- The name, and the argument list if there is one. A '(' inside a quoted
    -- identifier does not start the argument list.
    is_signature := given ~ '^(?:[^"(]|"(?:[^"]|"")*")*\(';
    name_part := CASE WHEN is_signature
                      THEN (regexp_match(given, '^((?:[^"(]|"(?:[^"]|"")*")*)\('))[1]
                      ELSE given END;
    BEGIN
        parts := parse_ident(btrim(name_part));
    EXCEPTION WHEN invalid_parameter_value THEN
        parts := NULL;
    END;
    IF parts IS NULL OR cardinality(parts) > 2 THEN
        RAISE EXCEPTION '% is not a function name or signature', coalesce(to_jsonb(given)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'function', HINT = hint;
    END IF;
    shown_name := array_to_string(ARRAY(SELECT quote_ident(p) FROM unnest(parts) WITH ORDINALITY AS u(p, o)
                                         ORDER BY o), '.');

    IF is_signature THEN
        -- Resolved as written, with unqualified names (of the function and of
        -- the types) looked up where a name alone would be. Before
        -- PostgreSQL 16 to_regprocedure raises on bad syntax and unknown types.
        PERFORM set_config('search_path', format('pg_catalog, %I, public, pg_temp', rel_schema), true);
        BEGIN
            fn := to_regprocedure(given);
        EXCEPTION WHEN OTHERS THEN
            fn := NULL;
            detail := SQLERRM;
        END;
        PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
        SELECT p.prokind, p.proargtypes, n.nspname INTO fn_kind, fn_args, fn_schema
          FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
         WHERE p.oid = fn;
        IF fn IS NOT NULL AND (fn_args IS DISTINCT FROM wanted OR fn_kind <> 'f' OR fn_schema LIKE 'pg\_temp\_%') THEN
            detail := format('%s is not a function of (%s, bigint, jsonb).', fn::regprocedure, shown_type);
            fn := NULL;
        END IF;
    ELSE
        -- The first schema in order that has the name with exactly these
        -- arguments; in one schema there is at most one.
        SELECT p.oid INTO fn
          FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
         WHERE p.proname = parts[cardinality(parts)]
           AND p.proargtypes = wanted
           AND p.prokind = 'f'
           AND n.nspname = ANY (CASE WHEN cardinality(parts) = 2 THEN ARRAY[parts[1]]
                                     ELSE ARRAY[rel_schema, 'public'] END)
         ORDER BY n.nspname <> rel_schema
         LIMIT 1;
    END IF;

    IF fn IS NULL THEN
        IF detail IS NULL THEN
            RAISE EXCEPTION 'function %(%, bigint, jsonb) returns jsonb does not exist', shown_name, shown_type
                USING ERRCODE = 'invalid_parameter_value', COLUMN = 'function', HINT = hint;
        ELSE
            RAISE EXCEPTION 'function %(%, bigint, jsonb) returns jsonb does not exist', shown_name, shown_type
                USING ERRCODE = 'invalid_parameter_value', COLUMN = 'function', HINT = hint, DETAIL = detail;
        END IF;
    END IF;
    SELECT p.prorettype INTO fn_result FROM pg_proc AS p WHERE p.oid = fn;
    IF fn_result <> 'jsonb'::regtype THEN
        RAISE EXCEPTION 'function %(%, bigint, jsonb) must return jsonb, not %',
                        shown_name, shown_type, format_type(fn_result, NULL)
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'function', HINT = hint,
                  DETAIL = format('%s returns %s.', fn::regprocedure, format_type(fn_result, NULL));
    END IF;
    RETURN fn;
END;
$$;
COMMENT ON FUNCTION dynapi.resolve_action_function(regclass, text) IS
    'The function (name, schema.name or signature) taking (row of rel, bigint, jsonb) and returning jsonb that implements an action on rel; SQLSTATE 22023, COLUMN function, if there is none. An unqualified name is looked up in rel''s schema, then public.';

-- For readers of dynapi.actions (the sidecar's catalog query): the function
-- of an action, or NULL when its table or function is gone or no longer
-- fits. Never raises, unlike to_regprocedure() before PostgreSQL 16, which
-- fails the whole query as soon as one action names a dropped type.
CREATE OR REPLACE FUNCTION dynapi.action_function(table_name text, function text) RETURNS regprocedure
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass := dynapi.api_table(action_function.table_name);
BEGIN
    IF rel IS NULL OR action_function.function IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN dynapi.resolve_action_function(rel, action_function.function);
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.action_function(text, text) IS
    'The function of an action row (table_name, function), or NULL if the table is no longer served or the function no longer exists or fits. Never raises.';

-- BEFORE INSERT OR UPDATE on dynapi.actions. NULLs are left to the NOT NULL
-- constraints (checked after this trigger), required_permission to its CHECK.
-- The canonical text is the regprocedure output under this function's
-- search_path, so it is schema-qualified (public.pay(public."order",bigint,jsonb))
-- and reads back as the same function from any search_path.
CREATE OR REPLACE FUNCTION dynapi.check_action() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
BEGIN
    IF NEW.table_name IS NULL OR NEW.name IS NULL OR NEW.function IS NULL THEN
        RETURN NEW;
    END IF;
    rel := dynapi.api_table(NEW.table_name);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'table % does not exist in an exposed schema', to_jsonb(NEW.table_name)::text
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'table_name',
                  HINT = 'Use the table''s API name: "order" for public."order", "sales.invoice" for a table in another schema listed in dynapi.exposed_schemas.';
    END IF;
    -- The name is a URL segment: /api/dyn/{table}/{pk}/action/{name}/.
    IF NEW.name !~ '^[A-Za-z0-9_-]+$' THEN
        RAISE EXCEPTION 'action name % may only contain letters, digits, _ and -', to_jsonb(NEW.name)::text
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'name',
                  HINT = 'It becomes a URL segment: /api/dyn/{table}/{pk}/action/{name}/.';
    END IF;
    NEW.function := dynapi.resolve_action_function(rel, NEW.function)::text;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION dynapi.check_action() IS
    'BEFORE INSERT/UPDATE trigger of dynapi.actions: checks table_name (served table), name (URL segment) and function (see resolve_action_function), and stores the function as its full, schema-qualified signature. SQLSTATE 22023 with the column in COLUMN.';

DROP TRIGGER IF EXISTS dynapi_check_action ON dynapi.actions;
CREATE TRIGGER dynapi_check_action
    BEFORE INSERT OR UPDATE ON dynapi.actions
    FOR EACH ROW EXECUTE FUNCTION dynapi.check_action();
COMMENT ON TRIGGER dynapi_check_action ON dynapi.actions IS
    'Checks table_name, name and function of every written row and canonicalises function (dynapi.check_action).';

CREATE OR REPLACE FUNCTION dynapi.register_action(table_name text, name text, function text,
                                       required_permission text DEFAULT 'update') RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO dynapi.actions AS a (table_name, name, function, required_permission)
    VALUES (register_action.table_name, register_action.name, register_action.function,
            register_action.required_permission)
    ON CONFLICT (table_name, name) DO UPDATE
       SET function = EXCLUDED.function,
           required_permission = EXCLUDED.required_permission
$$;
COMMENT ON FUNCTION dynapi.register_action(text, text, text, text) IS
    'Creates or replaces the action name on table_name (API name), run by function (name, schema.name or signature of f(row, user_id bigint, payload jsonb) RETURNS jsonb), requiring required_permission (create/read/update/delete) on the table. SQLSTATE 22023 with COLUMN if something does not fit.';

CREATE OR REPLACE FUNCTION dynapi.unregister_action(table_name text, name text) RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM dynapi.actions AS a
         WHERE a.table_name = unregister_action.table_name AND a.name = unregister_action.name
        RETURNING 1
    )
    SELECT count(*) > 0 FROM gone
$$;
COMMENT ON FUNCTION dynapi.unregister_action(text, text) IS
    'Removes the action name on table_name; true if there was one.';
