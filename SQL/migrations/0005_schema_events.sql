-- 0005: schema events. The sidecar caches the catalog; DDL from anywhere
-- (migrations, psql, other services) must tell it to reload, and new or
-- re-keyed tables in exposed schemas must get a correct row trigger without
-- anyone calling dynapi.attach_row_trigger by hand.
--
-- Both functions return at once while dynapi.run_internal_ddl is running:
-- the CREATE/DROP TRIGGER it issues are DDL too and fire these again.
-- Temporary objects never notify: ORMs and reporting tools create them all
-- the time and the API never serves them.

-- SECURITY DEFINER because event triggers fire for every role's DDL, and a
-- role without access to dynapi.exposed_schemas would otherwise be unable to
-- create any table at all once DynAPI is installed.
CREATE FUNCTION dynapi.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root regclass;
BEGIN
    IF current_setting('dynapi.internal_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    -- These never change what the API looks like, and a matview refreshed
    -- every minute must not make every sidecar reload its catalog.
    IF tg_tag IN ('REFRESH MATERIALIZED VIEW', 'REINDEX') THEN
        RETURN;
    END IF;

    -- 'table column' is how RENAME COLUMN is reported; the command for
    -- CREATE TABLE, ADD/DROP PRIMARY KEY, SET SCHEMA, ATTACH PARTITION ... is
    -- 'table'. A partition stands for its whole tree. Objects created and
    -- dropped within the same command are gone from pg_class by now.
    FOR root IN
        SELECT DISTINCT coalesce(pg_partition_root(c.oid), c.oid)
          FROM pg_event_trigger_ddl_commands() AS cmd
          JOIN pg_class AS c ON c.oid = cmd.objid
         WHERE cmd.classid = 'pg_class'::regclass
           AND cmd.object_type IN ('table', 'table column')
           AND NOT cmd.in_extension
           AND c.relkind IN ('r', 'p')
           AND c.relpersistence <> 't'
           -- an extension's tables belong to its scripts (as in attach_row_triggers)
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
    LOOP
        IF EXISTS (SELECT 1 FROM pg_class AS c
                     JOIN pg_namespace AS n ON n.oid = c.relnamespace
                     JOIN dynapi.exposed_schemas AS e ON e.name = n.nspname
                    WHERE c.oid = root) THEN
            PERFORM dynapi.attach_row_trigger(root);
        ELSE
            -- e.g. ALTER TABLE ... SET SCHEMA into a schema that is not exposed
            PERFORM dynapi.detach_row_trigger(root);
        END IF;
    END LOOP;

    -- No rows at all means nothing changed (e.g. CREATE TABLE IF NOT EXISTS
    -- on an existing table), so that is not announced either.
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() AS cmd
                WHERE cmd.schema_name IS NULL OR cmd.schema_name NOT LIKE 'pg\_temp%') THEN
        PERFORM pg_notify('dynapi_schema', tg_tag);
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_ddl_command_end() IS
    'ddl_command_end event trigger: keeps row triggers on exposed tables current and NOTIFYs dynapi_schema with the command tag.';

CREATE FUNCTION dynapi.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('dynapi.internal_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() WHERE NOT is_temporary) THEN
        PERFORM pg_notify('dynapi_schema', 'DROP');
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_sql_drop() IS
    'sql_drop event trigger: NOTIFYs dynapi_schema with DROP unless only temporary objects went away.';

-- Event triggers have no IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'dynapi_ddl_command_end') THEN
        CREATE EVENT TRIGGER dynapi_ddl_command_end ON ddl_command_end
            EXECUTE FUNCTION dynapi.on_ddl_command_end();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'dynapi_sql_drop') THEN
        CREATE EVENT TRIGGER dynapi_sql_drop ON sql_drop
            EXECUTE FUNCTION dynapi.on_sql_drop();
    END IF;
END;
$$;
