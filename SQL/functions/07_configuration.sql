-- Configuration documents. Roles, grants, table settings, actions, the
-- schema editors, the event settings and the history settings can be exported as one JSON
-- document (the Django original's "DynAPI configuration" export) and
-- imported into another install, e.g. to promote a configuration from
-- staging to production or to keep it in git:
--
--   {"format": "dynapi-config", "version": 1,
--    "roles":          [{"name", "description"}],
--    "user_roles":     [{"username", "role", "table_name", "can_create", "can_read", "can_update", "can_delete"}],
--    "table_settings": [{"table_name", "exposed", "hidden_columns", "read_only_columns", "label", "event_mode",
--                        "key_columns", "history"}],
--    "actions":        [{"table_name", "name", "function", "required_permission"}],
--    "schema_editors": [{"username"}],
--    "events":         {"mode", "retention"},
--    "history":        {"retention"}}
--
-- Users are referred to by username and never exported or created: they hold
-- passwords, which have no business in a configuration file. The schema
-- permission (users.can_change_schema) is a grant like user_roles, so it
-- travels with them: schema_editors lists the users who hold it, and an
-- import gives it to those listed and takes it from nobody, as it never
-- deletes a grant.

-- Rows are sorted with COLLATE "C" so that the same configuration exports
-- to the same document on every install, whatever the database collation
-- (the documents are meant to be diffed). Keys inside each object come out
-- in jsonb's order, not the order above; JSON readers do not care.
-- IntervalStyle fixed so that the same retention exports as the same text
-- whatever the session's style.
CREATE OR REPLACE FUNCTION dynapi.export_config() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET IntervalStyle = 'postgres'
AS $$
    SELECT jsonb_build_object(
        'format', 'dynapi-config',
        'version', 1,
        'roles', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('name', r.name, 'description', r.description)
                              ORDER BY r.name COLLATE "C")
               FROM dynapi.roles AS r),
            '[]'::jsonb),
        'user_roles', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('username', u.username, 'role', r.name,
                                                 'table_name', ur.table_name,
                                                 'can_create', ur.can_create, 'can_read', ur.can_read,
                                                 'can_update', ur.can_update, 'can_delete', ur.can_delete)
                              ORDER BY u.username COLLATE "C", ur.table_name COLLATE "C")
               FROM dynapi.user_roles AS ur
               JOIN dynapi.users AS u ON u.id = ur.user_id
               LEFT JOIN dynapi.roles AS r ON r.id = ur.role_id),
            '[]'::jsonb),
        'table_settings', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('table_name', s.table_name, 'exposed', s.exposed,
                                                 'hidden_columns', to_jsonb(s.hidden_columns),
                                                 'read_only_columns', to_jsonb(s.read_only_columns),
                                                 'label', s.label, 'event_mode', s.event_mode,
                                                 'key_columns', to_jsonb(s.key_columns),
                                                 'history', s.history)
                              ORDER BY s.table_name COLLATE "C")
               FROM dynapi.table_settings AS s),
            '[]'::jsonb),
        'actions', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('table_name', a.table_name, 'name', a.name,
                                                 'function', a.function,
                                                 'required_permission', a.required_permission)
                              ORDER BY a.table_name COLLATE "C", a.name COLLATE "C")
               FROM dynapi.actions AS a),
            '[]'::jsonb),
        'schema_editors', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('username', u.username) ORDER BY u.username COLLATE "C")
               FROM dynapi.users AS u
              WHERE u.can_change_schema),
            '[]'::jsonb),
        'events', coalesce(
            (SELECT jsonb_build_object('mode', e.event_mode, 'retention', e.retention::text)
               FROM dynapi.event_settings AS e),
            '{"mode": "notify", "retention": "24:00:00"}'::jsonb),
        'history', coalesce(
            (SELECT jsonb_build_object('retention', h.retention::text)
               FROM dynapi.history_settings AS h),
            '{"retention": "90 days"}'::jsonb))
$$;
COMMENT ON FUNCTION dynapi.export_config() IS
    'The configuration (roles, user_roles by username, table_settings, actions, schema_editors by username, events, history) as a "dynapi-config" version 1 document, rows in a stable order. Users and passwords are not included.';

-- The shape of an entry in each list section, used by import_config to
-- refuse unknown keys and wrong types. Kinds:
--   text      a non-empty string (blank counts as empty)
--   string    any string
--   name150   a non-empty string of at most 150 characters (roles.name)
--   text?     a string or null
--   boolean   true or false
--   texts     an array of strings
--   perm      one of create, read, update, delete
--   mode?     one of notify, log, off, or null
-- Not a table: the shape belongs to the code that reads it, not to the data.
-- The "events" and "history" objects are checked by import_config itself.
CREATE OR REPLACE FUNCTION dynapi.config_spec()
RETURNS TABLE (section text, section_order integer, key text, key_order integer,
               kind text, required boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('roles',          1, 'name',              1, 'name150', true),
           ('roles',          1, 'description',       2, 'string',  false),
           ('user_roles',     2, 'username',          1, 'string',  true),
           ('user_roles',     2, 'role',              2, 'text?',   false),
           ('user_roles',     2, 'table_name',        3, 'text',    true),
           ('user_roles',     2, 'can_create',        4, 'boolean', false),
           ('user_roles',     2, 'can_read',          5, 'boolean', false),
           ('user_roles',     2, 'can_update',        6, 'boolean', false),
           ('user_roles',     2, 'can_delete',        7, 'boolean', false),
           ('table_settings', 3, 'table_name',        1, 'text',    true),
           ('table_settings', 3, 'exposed',           2, 'boolean', false),
           ('table_settings', 3, 'hidden_columns',    3, 'texts',   false),
           ('table_settings', 3, 'read_only_columns', 4, 'texts',   false),
           ('table_settings', 3, 'label',             5, 'text?',   false),
           ('table_settings', 3, 'event_mode',        6, 'mode?',   false),
           ('table_settings', 3, 'key_columns',       7, 'texts',   false),
           ('table_settings', 3, 'history',           8, 'boolean', false),
           ('actions',        4, 'table_name',        1, 'text',    true),
           ('actions',        4, 'name',              2, 'text',    true),
           ('actions',        4, 'function',          3, 'text',    true),
           ('actions',        4, 'required_permission', 4, 'perm',  false),
           ('schema_editors', 5, 'username',          1, 'string',  true)
$$;
COMMENT ON FUNCTION dynapi.config_spec() IS
    'Internal: the keys import_config accepts in each list section of a configuration document, with their kinds.';

-- All or nothing: every check runs before the first write, and any error
-- (ours or a constraint's) aborts the caller's transaction. Checks are set-
-- based queries that collect every problem and report the first one in
-- document order, so the message is the same whichever way the planner goes.
-- The "events" object is checked after the list sections' shapes and before
-- their meaning (its problems are shape problems of the last section).
CREATE OR REPLACE FUNCTION dynapi.import_config(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    problem record;
    extra text;
    events jsonb;
    new_mode text;
    new_retention interval;
    history jsonb;
    new_history_retention interval;
    n_roles integer := 0;
    n_user_roles integer := 0;
    n_table_settings integer := 0;
    n_actions integer := 0;
    n_schema_editors integer := 0;
    n_events integer := 0;
    n_history integer := 0;
BEGIN
    -- The document itself.
    IF import_config.doc IS NULL OR jsonb_typeof(import_config.doc) <> 'object' THEN
        RAISE EXCEPTION 'configuration document: must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass what dynapi.export_config() returns.';
    END IF;
    SELECT k INTO extra
      FROM jsonb_object_keys(import_config.doc) AS k
     WHERE k NOT IN ('format', 'version', 'roles', 'user_roles', 'table_settings', 'actions', 'schema_editors',
                     'events', 'history')
     ORDER BY k COLLATE "C" LIMIT 1;
    IF extra IS NOT NULL THEN
        RAISE EXCEPTION 'configuration document: unknown key %', to_jsonb(extra)::text
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Allowed keys: format, version, roles, user_roles, table_settings, actions, schema_editors, events, history.';
    END IF;
    IF import_config.doc ? 'format' AND import_config.doc -> 'format' <> '"dynapi-config"'::jsonb THEN
        RAISE EXCEPTION 'format: must be "dynapi-config"'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'This is not a DynAPI configuration document.';
    END IF;
    IF import_config.doc ? 'version' AND import_config.doc -> 'version' <> '1'::jsonb THEN
        RAISE EXCEPTION 'version: must be 1'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'This DynAPI reads version 1 configuration documents.';
    END IF;

    -- Shape: sections are arrays of objects, no unknown keys, right types.
    -- Ordered by section, entry, then (section-level problems first) the
    -- entry's own problems in key order.
    WITH spec AS (
        SELECT * FROM dynapi.config_spec()
    ), sections AS (
        SELECT DISTINCT s.section, s.section_order, import_config.doc -> s.section AS body
          FROM spec AS s
         WHERE import_config.doc ? s.section
    ), entries AS (
        SELECT sec.section, sec.section_order, e.ord - 1 AS idx, e.entry
          FROM sections AS sec
          -- CASE: jsonb_array_elements would fail on a non-array.
          CROSS JOIN LATERAL jsonb_array_elements(
              CASE WHEN jsonb_typeof(sec.body) = 'array' THEN sec.body ELSE '[]' END
          ) WITH ORDINALITY AS e(entry, ord)
    ), problems AS (
        SELECT sec.section_order, -1 AS idx, 0 AS step, 0 AS key_order,
               sec.section AS place, 'must be an array' AS message,
               'Each section is a list of objects, e.g. "roles": [{"name": "Manager"}].' AS hint
          FROM sections AS sec
         WHERE jsonb_typeof(sec.body) <> 'array'
        UNION ALL
        SELECT en.section_order, en.idx, 1, 0,
               format('%s[%s]', en.section, en.idx), 'must be an object', NULL
          FROM entries AS en
         WHERE jsonb_typeof(en.entry) <> 'object'
        UNION ALL
        SELECT en.section_order, en.idx, 2, 0,
               format('%s[%s]', en.section, en.idx),
               format('unknown key %s', to_jsonb(k.key)::text),
               format('Allowed keys: %s.',
                      (SELECT string_agg(s.key, ', ' ORDER BY s.key_order)
                         FROM spec AS s WHERE s.section = en.section))
          FROM entries AS en
          CROSS JOIN LATERAL (
              -- the first unknown key of the entry, alphabetically
              SELECT min(x COLLATE "C") AS key
                FROM jsonb_object_keys(
                         CASE WHEN jsonb_typeof(en.entry) = 'object' THEN en.entry ELSE '{}' END) AS x
               WHERE NOT EXISTS (SELECT 1 FROM spec AS s WHERE s.section = en.section AND s.key = x)
          ) AS k
         WHERE k.key IS NOT NULL
        UNION ALL
        SELECT en.section_order, en.idx, 3, s.key_order,
               format('%s[%s].%s', en.section, en.idx, s.key), c.message, c.hint
          FROM entries AS en
          JOIN spec AS s ON s.section = en.section
          CROSS JOIN LATERAL (SELECT en.entry -> s.key AS v) AS val
          CROSS JOIN LATERAL (
              SELECT CASE
                  WHEN val.v IS NULL THEN
                      CASE WHEN s.required THEN 'is required' END
                  WHEN s.kind = 'string' AND jsonb_typeof(val.v) <> 'string' THEN
                      'must be a string'
                  WHEN s.kind IN ('text', 'name150')
                       AND (jsonb_typeof(val.v) <> 'string' OR btrim(val.v #>> '{}') = '') THEN
                      'must be a non-empty string'
                  WHEN s.kind = 'name150' AND char_length(val.v #>> '{}') > 150 THEN
                      'must be at most 150 characters'
                  WHEN s.kind = 'text?' AND jsonb_typeof(val.v) NOT IN ('string', 'null') THEN
                      'must be a string or null'
                  WHEN s.kind = 'boolean' AND jsonb_typeof(val.v) <> 'boolean' THEN
                      'must be true or false'
                  WHEN s.kind = 'texts'
                       AND (jsonb_typeof(val.v) <> 'array'
                            OR EXISTS (SELECT 1 FROM jsonb_array_elements(
                                           CASE WHEN jsonb_typeof(val.v) = 'array' THEN val.v ELSE '[]' END) AS t
                                        WHERE jsonb_typeof(t) <> 'string')) THEN
                      'must be an array of strings'
                  WHEN s.kind = 'perm'
                       AND (jsonb_typeof(val.v) <> 'string'
                            OR val.v #>> '{}' NOT IN ('create', 'read', 'update', 'delete')) THEN
                      'must be one of create, read, update, delete'
                  WHEN s.kind = 'mode?'
                       AND jsonb_typeof(val.v) <> 'null'
                       AND (jsonb_typeof(val.v) <> 'string'
                            OR val.v #>> '{}' NOT IN ('notify', 'log', 'off')) THEN
                      'must be one of notify, log, off, or null'
              END AS message,
              CASE WHEN val.v IS NULL THEN NULL
                   WHEN s.kind = 'perm' THEN 'The permission the caller needs on the table to run the action; absent means update.'
                   WHEN s.kind = 'boolean' THEN 'JSON true or false, not a string; absent means ' ||
                        CASE WHEN s.key = 'exposed' THEN 'true.' ELSE 'false.' END
                   WHEN s.kind = 'mode?' THEN 'null or absent means the database default, events.mode.'
              END AS hint
          ) AS c
         WHERE en.entry IS NOT NULL AND jsonb_typeof(en.entry) = 'object' AND c.message IS NOT NULL
    )
    SELECT p.place, p.message, p.hint INTO problem
      FROM problems AS p
     ORDER BY p.section_order, p.idx, p.step, p.key_order
     LIMIT 1;
    IF FOUND AND problem.hint IS NULL THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value';
    ELSIF FOUND THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value', HINT = problem.hint;
    END IF;

    -- "events": one object; absent keys take the defaults, like entries.
    IF import_config.doc ? 'events' THEN
        events := import_config.doc -> 'events';
        IF jsonb_typeof(events) <> 'object' THEN
            RAISE EXCEPTION 'events: must be an object'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'e.g. "events": {"mode": "log", "retention": "24 hours"}.';
        END IF;
        SELECT min(k COLLATE "C") INTO extra
          FROM jsonb_object_keys(events) AS k WHERE k NOT IN ('mode', 'retention');
        IF extra IS NOT NULL THEN
            RAISE EXCEPTION 'events: unknown key %', to_jsonb(extra)::text
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed keys: mode, retention.';
        END IF;
        IF events ? 'mode' AND (jsonb_typeof(events -> 'mode') <> 'string'
                                OR events ->> 'mode' NOT IN ('notify', 'log', 'off')) THEN
            RAISE EXCEPTION 'events.mode: must be one of notify, log, off'
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Absent means notify.';
        END IF;
        new_mode := coalesce(events ->> 'mode', 'notify');
        IF events ? 'retention' THEN
            IF jsonb_typeof(events -> 'retention') <> 'string' THEN
                RAISE EXCEPTION 'events.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END IF;
            BEGIN
                new_retention := (events ->> 'retention')::interval;
            EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
                RAISE EXCEPTION 'events.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END;
            IF new_retention <= interval '0' THEN
                RAISE EXCEPTION 'events.retention: must be longer than zero'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END IF;
        ELSE
            new_retention := interval '24 hours';
        END IF;
    END IF;

    -- "history": one object, checked as "events" is.
    IF import_config.doc ? 'history' THEN
        history := import_config.doc -> 'history';
        IF jsonb_typeof(history) <> 'object' THEN
            RAISE EXCEPTION 'history: must be an object'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'e.g. "history": {"retention": "90 days"}.';
        END IF;
        SELECT min(k COLLATE "C") INTO extra
          FROM jsonb_object_keys(history) AS k WHERE k NOT IN ('retention');
        IF extra IS NOT NULL THEN
            RAISE EXCEPTION 'history: unknown key %', to_jsonb(extra)::text
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed keys: retention.';
        END IF;
        IF history ? 'retention' THEN
            IF jsonb_typeof(history -> 'retention') <> 'string' THEN
                RAISE EXCEPTION 'history.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "90 days" or "1 year"; absent means 90 days.';
            END IF;
            BEGIN
                new_history_retention := (history ->> 'retention')::interval;
            EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
                RAISE EXCEPTION 'history.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "90 days" or "1 year"; absent means 90 days.';
            END;
            IF new_history_retention <= interval '0' THEN
                RAISE EXCEPTION 'history.retention: must be longer than zero'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "90 days" or "1 year"; absent means 90 days.';
            END IF;
        ELSE
            new_history_retention := interval '90 days';
        END IF;
    END IF;

    -- Meaning: no entry twice (one statement cannot upsert a row twice, and
    -- which one should win is anyone's guess), users exist, roles exist in
    -- the database or in this document.
    WITH role_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'name' AS name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'roles', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), grant_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'username' AS username, e.entry ->> 'role' AS role,
               e.entry ->> 'table_name' AS table_name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'user_roles', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), setting_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'table_name' AS table_name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'table_settings', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), action_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'table_name' AS table_name, e.entry ->> 'name' AS name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'actions', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), editor_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'username' AS username
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'schema_editors', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), problems AS (
        SELECT 1 AS section_order, d.idx, 0 AS step,
               format('roles[%s].name', d.idx) AS place,
               format('role %s already appears in roles[%s]', to_jsonb(d.name)::text, d.first) AS message,
               'Each role may appear once.' AS hint
          FROM (SELECT r.idx, r.name, min(r.idx) OVER (PARTITION BY r.name) AS first FROM role_entries AS r) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 2, d.idx, 0, format('user_roles[%s]', d.idx),
               format('user %s and table %s already appear in user_roles[%s]',
                      to_jsonb(d.username)::text, to_jsonb(d.table_name)::text, d.first),
               'Each user may have one entry per table.'
          FROM (SELECT g.idx, g.username, g.table_name,
                       min(g.idx) OVER (PARTITION BY g.username, g.table_name) AS first
                  FROM grant_entries AS g) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 2, g.idx, 1, format('user_roles[%s].username', g.idx),
               format('no user named %s', to_jsonb(g.username)::text),
               'Import does not create users (they hold passwords); create the user first, e.g. with dynapi.create_user.'
          FROM grant_entries AS g
         WHERE NOT EXISTS (SELECT 1 FROM dynapi.users AS u WHERE u.username = g.username)
        UNION ALL
        SELECT 2, g.idx, 2, format('user_roles[%s].role', g.idx),
               format('no role named %s', to_jsonb(g.role)::text),
               'Add the role to this document''s roles or create it first.'
          FROM grant_entries AS g
         WHERE g.role IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM dynapi.roles AS r WHERE r.name = g.role)
           AND NOT EXISTS (SELECT 1 FROM role_entries AS r WHERE r.name = g.role)
        UNION ALL
        SELECT 3, d.idx, 0, format('table_settings[%s].table_name', d.idx),
               format('table %s already appears in table_settings[%s]', to_jsonb(d.table_name)::text, d.first),
               'Each table may have one entry.'
          FROM (SELECT s.idx, s.table_name, min(s.idx) OVER (PARTITION BY s.table_name) AS first
                  FROM setting_entries AS s) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 4, d.idx, 0, format('actions[%s].name', d.idx),
               format('action %s on table %s already appears in actions[%s]',
                      to_jsonb(d.name)::text, to_jsonb(d.table_name)::text, d.first),
               'Each table may have one action of a name.'
          FROM (SELECT a.idx, a.table_name, a.name,
                       min(a.idx) OVER (PARTITION BY a.table_name, a.name) AS first
                  FROM action_entries AS a) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 5, d.idx, 0, format('schema_editors[%s].username', d.idx),
               format('user %s already appears in schema_editors[%s]', to_jsonb(d.username)::text, d.first),
               'Each user may appear once.'
          FROM (SELECT s.idx, s.username, min(s.idx) OVER (PARTITION BY s.username) AS first
                  FROM editor_entries AS s) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 5, s.idx, 1, format('schema_editors[%s].username', s.idx),
               format('no user named %s', to_jsonb(s.username)::text),
               'Import does not create users (they hold passwords); create the user first, e.g. with dynapi.create_user.'
          FROM editor_entries AS s
         WHERE NOT EXISTS (SELECT 1 FROM dynapi.users AS u WHERE u.username = s.username)
    )
    SELECT p.place, p.message, p.hint INTO problem
      FROM problems AS p
     ORDER BY p.section_order, p.idx, p.step
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value', HINT = problem.hint;
    END IF;

    -- Writes. Absent keys take the column defaults, so an entry always
    -- describes the whole row and importing it twice changes nothing the
    -- second time. Rows the document leaves out are kept. Roles first: the
    -- grants below may name roles created here.
    INSERT INTO dynapi.roles AS r (name, description)
    SELECT e ->> 'name', coalesce(e ->> 'description', '')
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'roles', '[]')) AS e
    ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description;
    GET DIAGNOSTICS n_roles = ROW_COUNT;

    INSERT INTO dynapi.user_roles AS ur
           (user_id, role_id, table_name, can_create, can_read, can_update, can_delete)
    SELECT u.id, r.id, e ->> 'table_name',
           coalesce((e ->> 'can_create')::boolean, false),
           coalesce((e ->> 'can_read')::boolean, false),
           coalesce((e ->> 'can_update')::boolean, false),
           coalesce((e ->> 'can_delete')::boolean, false)
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'user_roles', '[]')) AS e
      JOIN dynapi.users AS u ON u.username = e ->> 'username'
      LEFT JOIN dynapi.roles AS r ON r.name = e ->> 'role'
    ON CONFLICT (user_id, table_name) DO UPDATE
       SET role_id = EXCLUDED.role_id,
           can_create = EXCLUDED.can_create,
           can_read = EXCLUDED.can_read,
           can_update = EXCLUDED.can_update,
           can_delete = EXCLUDED.can_delete;
    GET DIAGNOSTICS n_user_roles = ROW_COUNT;

    INSERT INTO dynapi.table_settings AS s (table_name, exposed, hidden_columns, read_only_columns, label, event_mode,
                                            key_columns, history)
    SELECT e ->> 'table_name',
           coalesce((e ->> 'exposed')::boolean, true),
           -- an absent list gives ARRAY() of nothing: '{}', the default
           ARRAY(SELECT h.name FROM jsonb_array_elements_text(e -> 'hidden_columns')
                                    WITH ORDINALITY AS h(name, ord) ORDER BY h.ord),
           ARRAY(SELECT r.name FROM jsonb_array_elements_text(e -> 'read_only_columns')
                                    WITH ORDINALITY AS r(name, ord) ORDER BY r.ord),
           e ->> 'label',
           e ->> 'event_mode',
           ARRAY(SELECT k.name FROM jsonb_array_elements_text(e -> 'key_columns')
                                    WITH ORDINALITY AS k(name, ord) ORDER BY k.ord),
           coalesce((e ->> 'history')::boolean, false)
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'table_settings', '[]')) AS e
    ON CONFLICT (table_name) DO UPDATE
       SET exposed = EXCLUDED.exposed,
           hidden_columns = EXCLUDED.hidden_columns,
           read_only_columns = EXCLUDED.read_only_columns,
           label = EXCLUDED.label,
           event_mode = EXCLUDED.event_mode,
           key_columns = EXCLUDED.key_columns,
           history = EXCLUDED.history;
    GET DIAGNOSTICS n_table_settings = ROW_COUNT;

    INSERT INTO dynapi.actions AS a (table_name, name, function, required_permission)
    SELECT e ->> 'table_name', e ->> 'name', e ->> 'function',
           coalesce(e ->> 'required_permission', 'update')
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'actions', '[]')) AS e
    ON CONFLICT (table_name, name) DO UPDATE
       SET function = EXCLUDED.function,
           required_permission = EXCLUDED.required_permission;
    GET DIAGNOSTICS n_actions = ROW_COUNT;

    -- Only when the document has the section: every UPDATE of users makes
    -- every sidecar reload its ACL, rows changed or not.
    IF import_config.doc ? 'schema_editors' THEN
        UPDATE dynapi.users AS u SET can_change_schema = true
          FROM jsonb_array_elements(import_config.doc -> 'schema_editors') AS e
         WHERE u.username = e ->> 'username';
        GET DIAGNOSTICS n_schema_editors = ROW_COUNT;
    END IF;

    IF events IS NOT NULL THEN
        UPDATE dynapi.event_settings SET event_mode = new_mode, retention = new_retention;
        n_events := 1;
    END IF;

    IF history IS NOT NULL THEN
        UPDATE dynapi.history_settings SET retention = new_history_retention;
        n_history := 1;
    END IF;

    RETURN jsonb_build_object('roles', n_roles, 'user_roles', n_user_roles,
                              'table_settings', n_table_settings, 'actions', n_actions,
                              'schema_editors', n_schema_editors, 'events', n_events, 'history', n_history);
END;
$$;
COMMENT ON FUNCTION dynapi.import_config(jsonb) IS
    'Applies a "dynapi-config" document (see export_config): validates everything first (SQLSTATE 22023 naming the place, e.g. user_roles[2].username), then upserts roles by name, user_roles by (username, table_name), table_settings by table_name and actions by (table_name, name), gives the schema permission (can_change_schema) to the users listed in schema_editors, sets the event settings if "events" is given and the history retention if "history" is. Never deletes rows, never takes the schema permission away and never creates users. Returns the number of entries applied per section (events, history: 1 if given).';
