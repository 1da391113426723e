-- ACL and settings events. The sidecar keeps users, grants, table settings,
-- actions and the event settings in memory; any change, from the API or from
-- psql, must make it reload: dynapi_acl for what decides access,
-- dynapi_schema for what its schema snapshot holds (actions, table and event
-- settings). Statement level: one notification per statement is enough to
-- trigger a reload, and TRUNCATE has no rows to fire for. Each notification
-- is logged as well (acl and schema entries in dynapi.change_log), so that
-- a sidecar, or a client resuming on another sidecar, misses none of them.
--
-- SECURITY DEFINER: a role allowed to write, say, dynapi.table_settings
-- need not be allowed to write the log. EXECUTE is revoked so that nobody
-- attaches them to tables of their own; firing needs no EXECUTE privilege.

CREATE OR REPLACE FUNCTION dynapi.notify_acl_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('dynapi_acl', TG_TABLE_NAME);
    INSERT INTO dynapi.change_log (event, pks) VALUES ('acl', jsonb_build_array(TG_TABLE_NAME));
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.notify_acl_change() IS
    'AFTER STATEMENT trigger: NOTIFY dynapi_acl with the changed table''s name, and log it as an acl entry.';
REVOKE EXECUTE ON FUNCTION dynapi.notify_acl_change() FROM PUBLIC;

CREATE OR REPLACE FUNCTION dynapi.notify_schema_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('dynapi_schema', TG_TABLE_NAME);
    INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', jsonb_build_array(TG_TABLE_NAME));
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.notify_schema_change() IS
    'AFTER STATEMENT trigger: NOTIFY dynapi_schema with the changed table''s name (actions, table_settings, event_settings), and log it as a schema entry.';
REVOKE EXECUTE ON FUNCTION dynapi.notify_schema_change() FROM PUBLIC;

-- users: every column except last_login. dynapi.authenticate updates
-- last_login on each successful login, and that must not make every sidecar
-- reload its ACL. (UPDATE OF fires when a listed column is assigned, changed
-- or not; a column added to users later must be added here too.)
DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.users;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF id, username, email, contact, password_hash, is_active, is_admin,
                    date_joined, password_changed_at, can_change_schema
    ON dynapi.users
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.roles;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.roles
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.user_roles;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();

-- The settings and actions are reloaded on both channels.
DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.table_settings;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();
DROP TRIGGER IF EXISTS dynapi_schema_events ON dynapi.table_settings;
CREATE TRIGGER dynapi_schema_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.table_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_schema_change();
COMMENT ON TRIGGER dynapi_schema_events ON dynapi.table_settings IS
    'NOTIFY dynapi_schema, ''table_settings'': sidecars reload their schema snapshot, which holds the settings.';

DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.actions;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.actions
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();
DROP TRIGGER IF EXISTS dynapi_schema_events ON dynapi.actions;
CREATE TRIGGER dynapi_schema_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.actions
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_schema_change();
COMMENT ON TRIGGER dynapi_schema_events ON dynapi.actions IS
    'NOTIFY dynapi_schema, ''actions'': sidecars reload their schema snapshot, which holds the actions.';

DROP TRIGGER IF EXISTS dynapi_acl_events ON dynapi.event_settings;
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();
DROP TRIGGER IF EXISTS dynapi_schema_events ON dynapi.event_settings;
CREATE TRIGGER dynapi_schema_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_schema_change();
COMMENT ON TRIGGER dynapi_schema_events ON dynapi.event_settings IS
    'NOTIFY dynapi_schema, ''event_settings'': sidecars reload their schema snapshot, which holds the settings.';
