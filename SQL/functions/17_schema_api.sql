-- The schema API (docs/schema-api.md): what the sidecar reads to describe
-- tables and types, what it checks inside its DDL transaction, and the
-- change history (recorded by the event triggers, functions/15_schema_events.sql).
--
-- The descriptions are built here rather than from the sidecar's catalog
-- snapshot because they show what the API does not serve (unexposed tables,
-- indexes, check constraints, comments), and they must be read in the
-- transaction that just ran the DDL, before any reload.
--
-- None of them is SECURITY DEFINER: they run with the caller's rights (the
-- sidecar's role), reading the catalog, which anyone may, and the bundle's
-- tables, which the caller must be allowed to read. So EXECUTE stays with
-- PUBLIC, like the other functions the sidecar calls.

-- Types are named as the API names tables (dynapi.api_name's rule): "mood"
-- in public, "sales.mood" elsewhere, so that a column's type can be sent
-- back as it reads. Under this search_path format_type qualifies every type
-- outside pg_catalog, so only "public." has to go.
CREATE OR REPLACE FUNCTION dynapi.api_type_name(type_oid oid, typmod integer) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT regexp_replace(format_type(type_oid, typmod), '^public\.', '') $$;
COMMENT ON FUNCTION dynapi.api_type_name(oid, integer) IS
    'Internal: a column type as the schema API shows it: format_type, schema-qualified outside pg_catalog and public ("integer", "character varying(80)", "mood[]", "sales.mood").';

-- describe_tables reads column numbers and foreign key actions in several
-- places each.
CREATE OR REPLACE FUNCTION dynapi.attribute_names(rel oid, attnums int2[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT a.attname::text
                   FROM unnest(attnums) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute AS a ON a.attrelid = rel AND a.attnum = k.attnum
                  ORDER BY k.ord)
$$;
COMMENT ON FUNCTION dynapi.attribute_names(oid, int2[]) IS
    'Internal: the names of a relation''s columns by number (pg_constraint.conkey, confkey), in the order given; NULL for NULL.';

CREATE OR REPLACE FUNCTION dynapi.foreign_key_action(action "char") RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE action WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict' WHEN 'c' THEN 'cascade'
                       WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END
$$;
COMMENT ON FUNCTION dynapi.foreign_key_action("char") IS
    'Internal: a foreign key''s ON DELETE or ON UPDATE action (pg_constraint.confdeltype, confupdtype) as the schema API spells it: no action, restrict, cascade, set null, set default.';

-- The relations are found first, all of them or the one by pg_class's
-- index on names; then one statement describes them, each part looked up
-- by OID through the catalogs' indexes (the foreign keys pointing at a
-- relation through pg_depend: pg_constraint has no index on confrelid), so
-- that describing 1,000 tables costs 1,000 times one. Planning that
-- statement costs more than running it for one table, so its plan is kept
-- for the session (plpgsql), whatever the number of relations
-- (plan_cache_mode: it is the same plan). Partitions are left out, as the
-- API serves them through their root; and so are the copies of a foreign
-- key that PostgreSQL makes for each partition (conparentid), which say
-- nothing the original does not.
CREATE OR REPLACE FUNCTION dynapi.describe_tables(schemas text[], only_table text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    rels oid[];
BEGIN
    IF describe_tables.only_table IS NULL THEN
        rels := ARRAY(SELECT c.oid
                        FROM pg_namespace AS n
                        JOIN pg_class AS c ON c.relnamespace = n.oid
                       WHERE n.nspname = ANY (describe_tables.schemas)
                         AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
                         AND c.relpersistence <> 't');
    ELSE
        rels := ARRAY(SELECT c.oid
                        FROM pg_namespace AS n
                       CROSS JOIN LATERAL (
                           SELECT (CASE WHEN n.nspname = 'public' THEN describe_tables.only_table
                                        WHEN starts_with(describe_tables.only_table, n.nspname || '.')
                                            THEN substr(describe_tables.only_table, char_length(n.nspname) + 2)
                                   END)::name AS relname) AS wanted
                        JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = wanted.relname
                       WHERE n.nspname = ANY (describe_tables.schemas)
                         AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
                         AND c.relpersistence <> 't'
                       -- should public hold a "sales.invoice" too, the public
                       -- one is served under that name (as dynapi.api_relation)
                       ORDER BY n.nspname <> 'public', n.nspname
                       LIMIT 1);
    END IF;

    RETURN (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                'name', named.api_name,
                'schema', n.nspname,
                'table', r.relname,
                'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                       WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END,
                'label', s.label,
                'description', obj_description(r.oid, 'pg_class'),
                'exposed', coalesce(s.exposed, true),
                'columns', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                               'name', a.attname,
                               'type', dynapi.api_type_name(a.atttypid, a.atttypmod),
                               'nullable', NOT a.attnotnull,
                               -- a generated column's expression is no default
                               'default', CASE WHEN a.attgenerated = '' THEN
                                              (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef AS d
                                                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) END,
                               'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
                               'generated', a.attgenerated <> '',
                               'primary_key', coalesce(a.attnum = ANY (pk.conkey), false),
                               -- partial and expression indexes do not make the column unique
                               'unique', EXISTS (SELECT 1 FROM pg_index AS i
                                                  WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid
                                                    AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
                                                    AND i.indpred IS NULL),
                               'description', col_description(a.attrelid, a.attnum),
                               'position', a.attnum)
                           ORDER BY a.attnum)
                      FROM pg_attribute AS a
                     WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'),
                'primary_key', to_jsonb(coalesce(dynapi.attribute_names(r.oid, pk.conkey), '{}')),
                'unique_constraints', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('name', con.conname,
                                                        'columns', to_jsonb(dynapi.attribute_names(r.oid, con.conkey)))
                                     ORDER BY con.conname COLLATE "C")
                      FROM pg_constraint AS con
                     WHERE con.conrelid = r.oid AND con.contype = 'u'), '[]'),
                'indexes', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                               'name', ic.relname,
                               -- an expression has no column: its text stands in
                               'columns', to_jsonb(ARRAY(
                                   SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::integer, true)
                                               ELSE (SELECT a.attname::text FROM pg_attribute AS a
                                                      WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum) END
                                     FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                                    WHERE k.ord <= i.indnkeyatts
                                    ORDER BY k.ord)),
                               'unique', i.indisunique,
                               'primary', i.indisprimary,
                               'definition', pg_get_indexdef(i.indexrelid))
                           ORDER BY ic.relname COLLATE "C")
                      FROM pg_index AS i
                      JOIN pg_class AS ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid = r.oid), '[]'),
                'foreign_keys', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                               'name', con.conname,
                               'columns', to_jsonb(dynapi.attribute_names(r.oid, con.conkey)),
                               'references', jsonb_build_object(
                                   'table', dynapi.api_name(con.confrelid),
                                   'columns', to_jsonb(dynapi.attribute_names(con.confrelid, con.confkey))),
                               'on_delete', dynapi.foreign_key_action(con.confdeltype),
                               'on_update', dynapi.foreign_key_action(con.confupdtype))
                           ORDER BY con.conname COLLATE "C")
                      FROM pg_constraint AS con
                     WHERE con.conrelid = r.oid AND con.contype = 'f' AND con.conparentid = 0), '[]'),
                'referenced_by', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                               'name', con.conname,
                               'table', dynapi.api_name(con.conrelid),
                               'columns', to_jsonb(dynapi.attribute_names(con.conrelid, con.conkey)),
                               'referenced_columns', to_jsonb(dynapi.attribute_names(r.oid, con.confkey)))
                           ORDER BY dynapi.api_name(con.conrelid) COLLATE "C", con.conname COLLATE "C")
                      FROM pg_constraint AS con
                     -- a foreign key depends on each column it references
                     WHERE con.oid IN (SELECT d.objid FROM pg_depend AS d
                                        WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = r.oid
                                          AND d.classid = 'pg_constraint'::regclass)
                       AND con.contype = 'f' AND con.confrelid = r.oid AND con.conparentid = 0), '[]'),
                'check_constraints', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('name', con.conname, 'definition', pg_get_constraintdef(con.oid))
                                     ORDER BY con.conname COLLATE "C")
                      FROM pg_constraint AS con
                     WHERE con.conrelid = r.oid AND con.contype = 'c'), '[]'))
                   ORDER BY named.api_name COLLATE "C"), '[]')
          FROM pg_class AS r
          JOIN pg_namespace AS n ON n.oid = r.relnamespace
         CROSS JOIN LATERAL (SELECT dynapi.api_name(r.oid) AS api_name) AS named
          LEFT JOIN dynapi.table_settings AS s ON s.table_name = named.api_name
          LEFT JOIN LATERAL (SELECT con.conkey FROM pg_constraint AS con
                              WHERE con.conrelid = r.oid AND con.contype = 'p') AS pk ON true
         WHERE r.oid = ANY (rels));
END;
$$;
COMMENT ON FUNCTION dynapi.describe_tables(text[], text) IS
    'The schema API''s description of every table, partitioned table, view, materialized view and foreign table of the given schemas (not partitions, not temporary), or only of the one served under the API name only_table: a JSON array sorted by API name, [] when there is none. Each: {"name", "schema", "table", "kind", "label", "description", "exposed", "columns": [{"name", "type", "nullable", "default", "identity", "generated", "primary_key", "unique", "description", "position"}], "primary_key": [column...], "unique_constraints": [{"name", "columns"}], "indexes": [{"name", "columns", "unique", "primary", "definition"}], "foreign_keys": [{"name", "columns", "references": {"table", "columns"}, "on_delete", "on_update"}], "referenced_by": [{"name", "table", "columns", "referenced_columns"}], "check_constraints": [{"name", "definition"}]} (see docs/schema-api.md).';

-- A column may have an enum type of an exposed schema; the API names it as
-- it names tables.
CREATE OR REPLACE FUNCTION dynapi.enum_types(schemas text[]) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'name', e.name, 'schema', e.schema_name, 'type', e.type_name,
                        'values', to_jsonb(ARRAY(SELECT v.enumlabel::text FROM pg_enum AS v
                                                  WHERE v.enumtypid = e.oid ORDER BY v.enumsortorder)))
                    ORDER BY e.name COLLATE "C"), '[]')
      FROM (SELECT t.oid, n.nspname::text AS schema_name, t.typname::text AS type_name,
                   CASE WHEN n.nspname = 'public' THEN t.typname::text ELSE n.nspname || '.' || t.typname END AS name
              FROM pg_namespace AS n
              JOIN pg_type AS t ON t.typnamespace = n.oid
             WHERE n.nspname = ANY (enum_types.schemas) AND t.typtype = 'e') AS e
$$;
COMMENT ON FUNCTION dynapi.enum_types(text[]) IS
    'The enum types of the given schemas, sorted by name: [{"name": "mood" (public) or "sales.mood", "schema", "type", "values": [labels in their order]}].';

-- PostgreSQL would refuse such DDL too, but in its words (42704, 42703),
-- naming schemas and catalog objects; the sidecar calls this first, in the
-- same transaction, so that the client hears of the table it asked about
-- by its API name, and gets a 404 (P0002) for what is not there, or a 400
-- (22023) for a type it may not use.
CREATE OR REPLACE FUNCTION dynapi.schema_api_require(kind text, schema_name text, table_name text, name text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel oid;
    -- the API names of the type or table asked about
    type_shown text := CASE WHEN schema_api_require.schema_name = 'public' THEN schema_api_require.name
                            ELSE schema_api_require.schema_name || '.' || schema_api_require.name END;
    table_shown text := CASE WHEN schema_api_require.schema_name = 'public' THEN schema_api_require.table_name
                             ELSE schema_api_require.schema_name || '.' || schema_api_require.table_name END;
BEGIN
    IF schema_api_require.kind = 'enum' THEN
        IF NOT EXISTS (SELECT 1 FROM pg_namespace AS n
                         JOIN pg_type AS t ON t.typnamespace = n.oid
                        WHERE n.nspname = schema_api_require.schema_name AND t.typname = schema_api_require.name
                          AND t.typtype = 'e') THEN
            RAISE EXCEPTION 'type % is not an enum type', to_jsonb(coalesce(type_shown, ''))::text
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN;
    END IF;
    IF schema_api_require.kind IS NULL OR schema_api_require.kind NOT IN ('table', 'column', 'index', 'constraint') THEN
        RAISE EXCEPTION 'unknown kind %', coalesce(to_jsonb(schema_api_require.kind)::text, 'null')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'kind is one of enum, table, column, index, constraint.';
    END IF;

    SELECT c.oid INTO rel
      FROM pg_namespace AS n
      JOIN pg_class AS c ON c.relnamespace = n.oid
     WHERE n.nspname = schema_api_require.schema_name AND c.relname = schema_api_require.table_name
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f');
    IF rel IS NULL THEN
        RAISE EXCEPTION 'table % does not exist', to_jsonb(coalesce(table_shown, ''))::text
            USING ERRCODE = 'no_data_found';
    END IF;

    -- What the API changes: tables, partitioned tables and foreign tables
    -- (ALTER TABLE would take a view, an index or a sequence too).
    IF schema_api_require.kind = 'table' THEN
        IF (SELECT c.relkind FROM pg_class AS c WHERE c.oid = rel) NOT IN ('r', 'p', 'f') THEN
            RAISE EXCEPTION '% is a %, and the schema API changes tables only', to_jsonb(table_shown)::text,
                            (SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'relation' END
                               FROM pg_class AS c WHERE c.oid = rel)
                USING ERRCODE = 'wrong_object_type';
        END IF;
        RETURN;
    END IF;

    IF schema_api_require.kind = 'column' THEN
        IF NOT EXISTS (SELECT 1 FROM pg_attribute AS a
                        WHERE a.attrelid = rel AND a.attname = schema_api_require.name
                          AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'table % has no column %', to_jsonb(table_shown)::text,
                            to_jsonb(coalesce(schema_api_require.name, ''))::text
                USING ERRCODE = 'no_data_found';
        END IF;
    ELSIF schema_api_require.kind = 'index' THEN
        -- an index lives in its table's schema
        IF NOT EXISTS (SELECT 1 FROM pg_index AS i
                         JOIN pg_class AS ic ON ic.oid = i.indexrelid
                        WHERE i.indrelid = rel AND ic.relname = schema_api_require.name) THEN
            RAISE EXCEPTION 'table % has no index %', to_jsonb(table_shown)::text,
                            to_jsonb(coalesce(schema_api_require.name, ''))::text
                USING ERRCODE = 'no_data_found';
        END IF;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM pg_constraint AS con
                        WHERE con.conrelid = rel AND con.conname = schema_api_require.name) THEN
            RAISE EXCEPTION 'table % has no constraint %', to_jsonb(table_shown)::text,
                            to_jsonb(coalesce(schema_api_require.name, ''))::text
                USING ERRCODE = 'no_data_found';
        END IF;
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.schema_api_require(text, text, text, text) IS
    'For the schema API, before its DDL: raises unless the object exists. kind enum: type schema_name.name is an enum type (else 22023, ''type "mood" is not an enum type''; table_name is ignored); column, index, constraint: table schema_name.table_name has one of that name (else P0002, ''table "sales.invoice" has no column "total"'', or ''table "x" does not exist''). Names are shown as the API spells them (no "public."). Any other kind: 22023.';

-- Pages by id, newest first: the primary key's index read backwards from
-- before, one row more than the page to tell whether another page follows.
-- Statements may hold literals nobody else should read (a password in a
-- CREATE USER MAPPING, or beside the DDL in one query string): a viewer who
-- is no admin reads the text of their own changes only.
CREATE OR REPLACE FUNCTION dynapi.schema_change_history(max_rows integer, before bigint DEFAULT NULL,
                                                        statements_of bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH wanted AS (
        SELECT least(greatest(coalesce(schema_change_history.max_rows, 50), 1), 500) AS n
    ), page AS (
        SELECT c.*, row_number() OVER (ORDER BY c.id DESC) AS ord
          FROM (SELECT * FROM dynapi.schema_changes AS c
                 WHERE c.id < coalesce(schema_change_history.before, 9223372036854775807)
                 ORDER BY c.id DESC
                 LIMIT (SELECT w.n + 1 FROM wanted AS w)) AS c
    )
    SELECT jsonb_build_object(
        'changes', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                        'id', p.id, 'at', p.at, 'user_id', p.user_id, 'username', p.username,
                                        'database_role', p.database_role, 'tag', p.tag,
                                        'objects', to_jsonb(p.objects),
                                        'statement', CASE WHEN schema_change_history.statements_of IS NULL
                                                            OR p.user_id = schema_change_history.statements_of
                                                          THEN p.statement END)
                                    ORDER BY p.id DESC)
                               FROM page AS p, wanted AS w WHERE p.ord <= w.n), '[]'),
        'next', (SELECT p.id FROM page AS p, wanted AS w
                  WHERE p.ord = w.n AND EXISTS (SELECT 1 FROM page AS more WHERE more.ord > w.n)))
$$;
COMMENT ON FUNCTION dynapi.schema_change_history(integer, bigint, bigint) IS
    'A page of the schema change history, newest first: {"changes": [{"id", "at", "user_id", "username", "database_role", "tag", "objects", "statement"}], "next": the id to pass as before for the next page, or null on the last}. max_rows is clamped to 1..500 (NULL: 50); before (NULL: from the newest) lists the changes with a smaller id.';

-- The bundle's rows that name a table (settings, grants, actions) follow the
-- schema API's renames and drops, in the transaction of the DDL. Each table
-- is written only when it holds a row to change: their triggers are per
-- statement and fire on no rows too, and each firing makes every sidecar
-- re-read its whole catalog (settings) or its whole ACL (grants).
CREATE OR REPLACE FUNCTION dynapi.schema_api_move_table(old_name text, new_name text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A drop, or a rename onto a name with stale rows: those go.
    IF EXISTS (SELECT 1 FROM dynapi.table_settings AS s WHERE s.table_name = coalesce(new_name, old_name)) THEN
        DELETE FROM dynapi.table_settings AS s WHERE s.table_name = coalesce(new_name, old_name);
    END IF;
    IF EXISTS (SELECT 1 FROM dynapi.user_roles AS r WHERE r.table_name = coalesce(new_name, old_name)) THEN
        DELETE FROM dynapi.user_roles AS r WHERE r.table_name = coalesce(new_name, old_name);
    END IF;
    IF EXISTS (SELECT 1 FROM dynapi.actions AS a WHERE a.table_name = coalesce(new_name, old_name)) THEN
        DELETE FROM dynapi.actions AS a WHERE a.table_name = coalesce(new_name, old_name);
    END IF;
    IF new_name IS NULL THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM dynapi.table_settings AS s WHERE s.table_name = old_name) THEN
        UPDATE dynapi.table_settings AS s SET table_name = new_name WHERE s.table_name = old_name;
    END IF;
    IF EXISTS (SELECT 1 FROM dynapi.user_roles AS r WHERE r.table_name = old_name) THEN
        UPDATE dynapi.user_roles AS r SET table_name = new_name WHERE r.table_name = old_name;
    END IF;
    IF EXISTS (SELECT 1 FROM dynapi.actions AS a WHERE a.table_name = old_name) THEN
        -- The stored signature names the row type by the table's old name;
        -- without its argument list the function is looked up again by name
        -- for the renamed table's row type (dynapi.check_action).
        UPDATE dynapi.actions AS a SET table_name = new_name, function = regexp_replace(a.function, '\([^()]*\)$', '')
         WHERE a.table_name = old_name;
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.schema_api_move_table(text, text) IS
    'For the schema API, after its DDL: the settings, grants and actions of table old_name (an API name) move to new_name, rows already kept under new_name (a table dropped in psql) making way; new_name NULL (a drop) deletes them. Tables with nothing to change are not written.';

-- A renamed or dropped column leaves its table's settings naming it.
CREATE OR REPLACE FUNCTION dynapi.schema_api_move_column(table_name text, old_name text, new_name text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM dynapi.table_settings AS s
                WHERE s.table_name = schema_api_move_column.table_name
                  AND old_name = ANY (s.hidden_columns || s.read_only_columns || s.key_columns)) THEN
        UPDATE dynapi.table_settings AS s
           SET hidden_columns = CASE WHEN new_name IS NULL THEN array_remove(s.hidden_columns, old_name)
                                     ELSE array_replace(s.hidden_columns, old_name, new_name) END,
               read_only_columns = CASE WHEN new_name IS NULL THEN array_remove(s.read_only_columns, old_name)
                                        ELSE array_replace(s.read_only_columns, old_name, new_name) END,
               key_columns = CASE WHEN new_name IS NULL THEN array_remove(s.key_columns, old_name)
                                  ELSE array_replace(s.key_columns, old_name, new_name) END
         WHERE s.table_name = schema_api_move_column.table_name;
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.schema_api_move_column(text, text, text) IS
    'For the schema API, after its DDL: the hidden, read-only and key columns of table table_name (an API name) name new_name instead of old_name; new_name NULL (a drop) removes it. Not written when no setting names the column.';
