-- Removes everything the DynAPI SQL bundle created:
--     psql -v ON_ERROR_STOP=1 -f SQL/uninstall.sql "$DATABASE_URL"
--
-- One DO statement, hence one transaction whether it is run by psql -f,
-- sent as a single PQexec string, or wrapped in BEGIN/COMMIT by the caller;
-- if any step fails nothing has changed, and no aborted transaction is left
-- open on the connection.
--
-- Nothing is dropped with CASCADE: if user objects depend on the bundle
-- (an RLS policy or view calling dynapi.current_user_id(), a foreign key to
-- dynapi.users, ...) PostgreSQL refuses with "cannot drop ... because other
-- objects depend on it" and names them, instead of silently dropping the
-- user's policy. Objects are found in the catalog, not from a fixed list, so
-- whatever later migrations and function files add is covered. User tables
-- and data are kept.
DO $uninstall$
DECLARE
    ns oid;
    r record;
    names text;
BEGIN
    -- Same lock as the installer: never uninstall while a sidecar installs.
    PERFORM pg_advisory_xact_lock(4242000001);

    ns := to_regnamespace('dynapi');
    IF ns IS NULL THEN
        RAISE NOTICE 'schema dynapi does not exist, nothing to uninstall';
        RETURN;
    END IF;

    -- Event triggers first, so the drops below do not fire our own handlers.
    FOR r IN
        SELECT e.evtname FROM pg_catalog.pg_event_trigger AS e
          JOIN pg_catalog.pg_proc AS p ON p.oid = e.evtfoid
         WHERE p.pronamespace = ns
    LOOP
        EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
    END LOOP;

    -- Row triggers on user tables (dynapi_row_events and anything else
    -- running a dynapi function). Clones on partitions (tgparentid <> 0)
    -- cannot be dropped directly; they go with their parent's trigger.
    FOR r IN
        SELECT t.tgname, format('%I.%I', n.nspname, c.relname) AS qualified
          FROM pg_catalog.pg_trigger AS t
          JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
          JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
          JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE p.pronamespace = ns AND c.relnamespace <> ns AND t.tgparentid = 0
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.qualified);
    END LOOP;

    -- Below, "NOT EXISTS (... deptype = 'e')" skips objects that belong to an
    -- extension (pgcrypto, if 0001 installed it here): DROP EXTENSION owns them.

    -- Views, then tables, each in a single statement so dependencies among
    -- them need no particular order.
    SELECT string_agg(format('%I.%I', 'dynapi', c.relname), ', ') INTO names
      FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = ns AND c.relkind = 'v'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = c.tableoid AND d.objid = c.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP VIEW ' || names;
    END IF;
    SELECT string_agg(format('%I.%I', 'dynapi', c.relname), ', ') INTO names
      FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = ns AND c.relkind = 'm'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = c.tableoid AND d.objid = c.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP MATERIALIZED VIEW ' || names;
    END IF;
    SELECT string_agg(format('%I.%I', 'dynapi', c.relname), ', ') INTO names
      FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = ns AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = c.tableoid AND d.objid = c.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP TABLE ' || names;
    END IF;

    -- Functions, procedures and aggregates, one by one so that the error
    -- names the routine a user object still depends on.
    FOR r IN
        SELECT p.oid::regprocedure AS routine
          FROM pg_catalog.pg_proc AS p
         WHERE p.pronamespace = ns
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = p.tableoid AND d.objid = p.oid AND d.deptype = 'e')
         ORDER BY p.prokind <> 'a', p.oid DESC   -- aggregates before their support functions
    LOOP
        EXECUTE format('DROP ROUTINE %s', r.routine);
    END LOOP;

    -- Standalone sequences, composite/enum/range types and domains. Row and
    -- array types, and sequences owned by columns, went with their tables.
    SELECT string_agg(format('%I.%I', 'dynapi', c.relname), ', ') INTO names
      FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = ns AND c.relkind = 'S'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = c.tableoid AND d.objid = c.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP SEQUENCE ' || names;
    END IF;
    SELECT string_agg(format('%I.%I', 'dynapi', t.typname), ', ') INTO names
      FROM pg_catalog.pg_type AS t
      LEFT JOIN pg_catalog.pg_class AS c ON c.oid = t.typrelid
     WHERE t.typnamespace = ns AND t.typtype IN ('c', 'e', 'r')
       AND (t.typtype <> 'c' OR c.relkind = 'c')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = t.tableoid AND d.objid = t.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP TYPE ' || names;
    END IF;
    SELECT string_agg(format('%I.%I', 'dynapi', t.typname), ', ') INTO names
      FROM pg_catalog.pg_type AS t
     WHERE t.typnamespace = ns AND t.typtype = 'd'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                        WHERE d.classid = t.tableoid AND d.objid = t.oid AND d.deptype = 'e');
    IF names IS NOT NULL THEN
        EXECUTE 'DROP DOMAIN ' || names;
    END IF;

    -- pgcrypto only if 0001 put it here; one installed elsewhere predates us.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto' AND extnamespace = ns) THEN
        DROP EXTENSION pgcrypto;
    END IF;

    DROP SCHEMA dynapi;
END;
$uninstall$;
