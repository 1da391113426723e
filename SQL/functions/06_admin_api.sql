-- What the admin routes (/api/users/, /api/roles/, /api/user-roles/)
-- are served from. The sidecar runs them through its generic table pipeline
-- (INSERT ... SELECT cols FROM json_populate_record(NULL::view, $1), UPDATE
-- view AS t ... WHERE t.id = $2, DELETE ... RETURNING, SELECT ... WHERE ...),
-- so each route is a view that behaves like a table, plus two bulk functions
-- for the "apply these flags to many grants" and "grant one user many
-- tables" screens.

-- Roles are exposed as they are: a single-table view is automatically
-- updatable, and an INSERT that leaves out id or description gets the base
-- table's defaults (identity, '') through it.
CREATE OR REPLACE VIEW dynapi.api_roles AS
    SELECT id, name, description FROM dynapi.roles;
COMMENT ON VIEW dynapi.api_roles IS
    'The /api/roles/ resource: dynapi.roles as the API shows it. Automatically updatable.';

-- Users without password_hash. "password" is write-only: always NULL when
-- read, and the INSTEAD OF triggers below turn a written value into a bcrypt
-- hash. Without them the view would be automatically updatable for its plain
-- columns (and refuse "password"); with them every write goes through the
-- trigger, which also applies the defaults, since a view column has none.
-- can_change_schema (0018) comes after password: CREATE OR REPLACE VIEW can
-- only add columns at the end, and dropping the view would drop what was
-- granted on it.
CREATE OR REPLACE VIEW dynapi.api_users AS
    SELECT id, username, email, contact, is_active, is_admin, date_joined, last_login,
           NULL::text AS password, can_change_schema
      FROM dynapi.users;
COMMENT ON VIEW dynapi.api_users IS
    'The /api/users/ resource: dynapi.users without password_hash. Writable through INSTEAD OF triggers; password is write-only (always NULL when read) and stored as a bcrypt hash.';
COMMENT ON COLUMN dynapi.api_users.password IS
    'Write-only: a new password (required on INSERT, optional on UPDATE). Always NULL when read.';
COMMENT ON COLUMN dynapi.api_users.id IS 'Read-only: assigned on INSERT, ignored on UPDATE.';
COMMENT ON COLUMN dynapi.api_users.date_joined IS 'Set on INSERT (now() unless given), ignored on UPDATE.';
COMMENT ON COLUMN dynapi.api_users.last_login IS 'Read-only: set by dynapi.authenticate.';
COMMENT ON COLUMN dynapi.api_users.can_change_schema IS
    'The schema permission: may create and change tables through the schema API (false unless given).';

-- SECURITY DEFINER, as the password functions are: a role that is
-- granted only the api_users view can then manage users without ever being
-- able to read password_hash from dynapi.users. (PostgreSQL checks the view's
-- privileges before the trigger fires, so this grants nothing beyond them.)
-- EXECUTE is revoked from PUBLIC below, so nobody can attach this function to
-- a view of their own to write dynapi.users with the owner's rights; firing
-- an existing trigger needs no EXECUTE privilege.
CREATE OR REPLACE FUNCTION dynapi.api_users_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- user_roles go with the user (ON DELETE CASCADE).
        DELETE FROM dynapi.users WHERE id = OLD.id;
        IF NOT FOUND THEN
            RETURN NULL;   -- deleted concurrently: not counted
        END IF;
        RETURN OLD;
    END IF;

    -- Checked here rather than left to hash_password so that the error names
    -- the column (the sidecar reports it as a field error).
    IF TG_OP = 'INSERT' AND NEW.password IS NULL THEN
        RAISE EXCEPTION 'a password is required'
            USING ERRCODE = 'not_null_violation', COLUMN = 'password',
                  SCHEMA = 'dynapi', TABLE = 'api_users';
    END IF;
    IF NEW.password = '' THEN
        RAISE EXCEPTION 'password must not be empty'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'password',
                  SCHEMA = 'dynapi', TABLE = 'api_users';
    END IF;

    IF TG_OP = 'INSERT' THEN
        -- The view has no column defaults, so omitted columns arrive as NULL;
        -- the base table's defaults are applied by hand. id is always
        -- generated; a duplicate username raises the ordinary unique
        -- violation on users_username_key.
        INSERT INTO dynapi.users (username, email, contact, is_active, is_admin, date_joined, password_hash,
                                  can_change_schema)
        VALUES (NEW.username, coalesce(NEW.email, ''), NEW.contact,
                coalesce(NEW.is_active, true), coalesce(NEW.is_admin, false),
                coalesce(NEW.date_joined, now()), dynapi.hash_password(NEW.password),
                coalesce(NEW.can_change_schema, false))
        RETURNING id, username, email, contact, is_active, is_admin, date_joined, last_login, can_change_schema
             INTO NEW.id, NEW.username, NEW.email, NEW.contact, NEW.is_active, NEW.is_admin,
                  NEW.date_joined, NEW.last_login, NEW.can_change_schema;
    ELSE
        -- id, date_joined and last_login are read-only: whatever NEW says
        -- about them is ignored. Only columns the statement changed are
        -- written: NEW carries the view row as this statement saw it, which
        -- the view does not lock, so copying it all back would undo a
        -- concurrent change to another column. A NULL password means
        -- "unchanged" (the view always reads NULL, so an UPDATE that does
        -- not mention it passes NULL). A new password also invalidates
        -- earlier tokens.
        UPDATE dynapi.users AS u
           SET username  = CASE WHEN NEW.username  IS DISTINCT FROM OLD.username  THEN NEW.username  ELSE u.username  END,
               email     = CASE WHEN NEW.email     IS DISTINCT FROM OLD.email     THEN NEW.email     ELSE u.email     END,
               contact   = CASE WHEN NEW.contact   IS DISTINCT FROM OLD.contact   THEN NEW.contact   ELSE u.contact   END,
               is_active = CASE WHEN NEW.is_active IS DISTINCT FROM OLD.is_active THEN NEW.is_active ELSE u.is_active END,
               is_admin  = CASE WHEN NEW.is_admin  IS DISTINCT FROM OLD.is_admin  THEN NEW.is_admin  ELSE u.is_admin  END,
               can_change_schema = CASE WHEN NEW.can_change_schema IS DISTINCT FROM OLD.can_change_schema
                                        THEN NEW.can_change_schema ELSE u.can_change_schema END,
               password_hash = CASE WHEN NEW.password IS NULL THEN u.password_hash
                                    ELSE dynapi.hash_password(NEW.password) END,
               password_changed_at = CASE WHEN NEW.password IS NULL THEN u.password_changed_at
                                          ELSE now() END
         WHERE u.id = OLD.id
        RETURNING u.id, u.username, u.email, u.contact, u.is_active, u.is_admin, u.date_joined, u.last_login,
                  u.can_change_schema
             INTO NEW.id, NEW.username, NEW.email, NEW.contact, NEW.is_active, NEW.is_admin,
                  NEW.date_joined, NEW.last_login, NEW.can_change_schema;
        IF NOT FOUND THEN
            RETURN NULL;   -- deleted concurrently: not counted
        END IF;
    END IF;
    -- RETURNING sees the stored row, never the password.
    NEW.password := NULL;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION dynapi.api_users_write() IS
    'INSTEAD OF trigger of dynapi.api_users: writes dynapi.users, hashing the password; returns the stored row with password NULL.';
REVOKE EXECUTE ON FUNCTION dynapi.api_users_write() FROM PUBLIC;

DROP TRIGGER IF EXISTS dynapi_api_users_write ON dynapi.api_users;
CREATE TRIGGER dynapi_api_users_write
    INSTEAD OF INSERT OR UPDATE OR DELETE ON dynapi.api_users
    FOR EACH ROW EXECUTE FUNCTION dynapi.api_users_write();

-- Grants under the API's field names ("user", "role"). username and
-- role_name are there for searching and display; as computed columns they
-- are read-only, while the view itself stays automatically updatable.
-- PostgreSQL applies the base table's defaults (identity, NULL role, false
-- flags) to columns an INSERT through such a view leaves out, so no view
-- column defaults are needed.
CREATE OR REPLACE VIEW dynapi.api_user_roles AS
    SELECT ur.id,
           ur.user_id AS "user",
           ur.role_id AS "role",
           ur.table_name,
           ur.can_create,
           ur.can_read,
           ur.can_update,
           ur.can_delete,
           (SELECT u.username FROM dynapi.users AS u WHERE u.id = ur.user_id) AS username,
           (SELECT r.name FROM dynapi.roles AS r WHERE r.id = ur.role_id) AS role_name
      FROM dynapi.user_roles AS ur;
COMMENT ON VIEW dynapi.api_user_roles IS
    'The /api/user-roles/ resource: dynapi.user_roles with "user"/"role" for user_id/role_id. Automatically updatable; username and role_name are read-only.';
COMMENT ON COLUMN dynapi.api_user_roles.username IS 'Read-only: the user''s username, for searching.';
COMMENT ON COLUMN dynapi.api_user_roles.role_name IS 'Read-only: the role''s name, for searching.';

-- Both bulk functions check their arguments before writing anything, so a
-- refusal is a specific 22023 naming the argument in COLUMN (the sidecar
-- reports it as a field error) instead of whichever constraint a half-done
-- write would have hit. Parameters are always qualified with the function
-- name because several share a column's name. Plain SECURITY INVOKER: they
-- only touch dynapi.user_roles, which a caller must be allowed to write
-- anyway.

CREATE OR REPLACE FUNCTION dynapi.bulk_update_user_roles(ids bigint[],
                                              can_create boolean DEFAULT NULL,
                                              can_read boolean DEFAULT NULL,
                                              can_update boolean DEFAULT NULL,
                                              can_delete boolean DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    missing text;
    updated integer;
BEGIN
    IF coalesce(cardinality(bulk_update_user_roles.ids), 0) = 0 THEN
        RAISE EXCEPTION 'ids must list at least one user role'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'ids';
    END IF;
    IF array_position(bulk_update_user_roles.ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'ids must not contain null'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'ids';
    END IF;

    -- Lock the rows while checking, so none of them can vanish between the
    -- check and the update. Duplicate ids are fine.
    WITH wanted AS (
        SELECT DISTINCT w.id FROM unnest(bulk_update_user_roles.ids) AS w(id)
    ), present AS MATERIALIZED (
        SELECT ur.id FROM dynapi.user_roles AS ur
         WHERE ur.id = ANY (bulk_update_user_roles.ids)
           FOR UPDATE
    )
    SELECT string_agg(wanted.id::text, ', ' ORDER BY wanted.id) INTO missing
      FROM wanted
     WHERE NOT EXISTS (SELECT 1 FROM present WHERE present.id = wanted.id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'no user role has id %', missing
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'ids';
    END IF;

    -- NULL flags leave the column as it is.
    UPDATE dynapi.user_roles AS ur
       SET can_create = coalesce(bulk_update_user_roles.can_create, ur.can_create),
           can_read   = coalesce(bulk_update_user_roles.can_read,   ur.can_read),
           can_update = coalesce(bulk_update_user_roles.can_update, ur.can_update),
           can_delete = coalesce(bulk_update_user_roles.can_delete, ur.can_delete)
     WHERE ur.id = ANY (bulk_update_user_roles.ids);
    GET DIAGNOSTICS updated = ROW_COUNT;

    RETURN jsonb_build_object(
        'updated', updated,
        'user_roles', coalesce(
            (SELECT jsonb_agg(to_jsonb(v) ORDER BY v.id)
               FROM (SELECT a.id, a."user", a."role", a.table_name,
                            a.can_create, a.can_read, a.can_update, a.can_delete
                       FROM dynapi.api_user_roles AS a
                      WHERE a.id = ANY (bulk_update_user_roles.ids)) AS v),
            '[]'::jsonb));
END;
$$;
COMMENT ON FUNCTION dynapi.bulk_update_user_roles(bigint[], boolean, boolean, boolean, boolean) IS
    'Sets the given CRUD flags (NULL = leave unchanged) on the listed user_roles rows, all or none; returns {"updated": n, "user_roles": [rows by id]}.';

CREATE OR REPLACE FUNCTION dynapi.bulk_assign_user_roles(user_id bigint, role_id bigint, tables text[],
                                              can_create boolean DEFAULT false,
                                              can_read boolean DEFAULT false,
                                              can_update boolean DEFAULT false,
                                              can_delete boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    assigned integer;
BEGIN
    -- FOR KEY SHARE: the same lock the foreign keys would take, held from
    -- the check on, so the user or role cannot be deleted in between.
    IF bulk_assign_user_roles.user_id IS NULL THEN
        RAISE EXCEPTION 'user_id is required'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'user_id';
    END IF;
    PERFORM 1 FROM dynapi.users AS u WHERE u.id = bulk_assign_user_roles.user_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no user has id %', bulk_assign_user_roles.user_id
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'user_id';
    END IF;
    IF bulk_assign_user_roles.role_id IS NOT NULL THEN
        PERFORM 1 FROM dynapi.roles AS r WHERE r.id = bulk_assign_user_roles.role_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no role has id %', bulk_assign_user_roles.role_id
                USING ERRCODE = 'invalid_parameter_value', COLUMN = 'role_id';
        END IF;
    END IF;
    IF coalesce(cardinality(bulk_assign_user_roles.tables), 0) = 0 THEN
        RAISE EXCEPTION 'tables must list at least one table'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'tables';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(bulk_assign_user_roles.tables) AS t(name)
                WHERE t.name IS NULL OR btrim(t.name) = '') THEN
        RAISE EXCEPTION 'tables must not contain null or empty names'
            USING ERRCODE = 'invalid_parameter_value', COLUMN = 'tables';
    END IF;

    -- DISTINCT: ON CONFLICT DO UPDATE cannot touch the same row twice in one
    -- statement, and listing a table twice means the same grant. The
    -- conflict target is named by constraint because "user_id" alone would
    -- be ambiguous with the parameter of the same name.
    INSERT INTO dynapi.user_roles AS ur
           (user_id, role_id, table_name, can_create, can_read, can_update, can_delete)
    SELECT bulk_assign_user_roles.user_id, bulk_assign_user_roles.role_id, t.name,
           coalesce(bulk_assign_user_roles.can_create, false),
           coalesce(bulk_assign_user_roles.can_read, false),
           coalesce(bulk_assign_user_roles.can_update, false),
           coalesce(bulk_assign_user_roles.can_delete, false)
      FROM (SELECT DISTINCT x.name FROM unnest(bulk_assign_user_roles.tables) AS x(name)) AS t
    ON CONFLICT ON CONSTRAINT user_roles_user_id_table_name_key DO UPDATE
       SET role_id = EXCLUDED.role_id,
           can_create = EXCLUDED.can_create,
           can_read = EXCLUDED.can_read,
           can_update = EXCLUDED.can_update,
           can_delete = EXCLUDED.can_delete;
    GET DIAGNOSTICS assigned = ROW_COUNT;

    RETURN jsonb_build_object(
        'assigned', assigned,
        'user_roles', coalesce(
            (SELECT jsonb_agg(to_jsonb(v) ORDER BY v.table_name)
               FROM (SELECT a.id, a."user", a."role", a.table_name,
                            a.can_create, a.can_read, a.can_update, a.can_delete
                       FROM dynapi.api_user_roles AS a
                      WHERE a."user" = bulk_assign_user_roles.user_id
                        AND a.table_name = ANY (bulk_assign_user_roles.tables)) AS v),
            '[]'::jsonb));
END;
$$;
COMMENT ON FUNCTION dynapi.bulk_assign_user_roles(bigint, bigint, text[], boolean, boolean, boolean, boolean) IS
    'Grants one user the same role and CRUD flags (NULL = false) on each listed table, creating or overwriting one user_roles row per table; all or none. Returns {"assigned": n, "user_roles": [rows by table_name]}.';
