-- 0006: ACL events. The sidecar keeps users, grants, table settings and
-- actions in memory; any change, from the API or from psql, must make it
-- reload. Statement level: one notification per statement is enough to
-- trigger a reload, and TRUNCATE has no rows to fire for.

CREATE FUNCTION dynapi.notify_acl_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('dynapi_acl', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.notify_acl_change() IS
    'AFTER STATEMENT trigger: NOTIFY dynapi_acl with the changed table''s name.';

-- users: every column except last_login. dynapi.authenticate updates
-- last_login on each successful login, and that must not make every sidecar
-- reload its ACL. (UPDATE OF fires when a listed column is assigned, changed
-- or not; a column added to users later must be added here too.)
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF id, username, email, contact, password_hash, is_active, is_admin,
                    date_joined, password_changed_at
    ON dynapi.users
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.roles
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.actions
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();
