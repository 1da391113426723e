-- Row-event triggers. Every table the API can serve (an ordinary or
-- partitioned table in an exposed schema; not temporary, not an
-- extension's) logs its row changes per its event mode through three AFTER
-- ... FOR EACH STATEMENT triggers with transition tables,
-- dynapi_row_events_insert, _update and _delete, each running the tree
-- root's generated function for its command (12_row_log_functions.sql).
-- PostgreSQL allows a transition table only on a trigger for one event,
-- hence three triggers. Statement triggers are not cloned to partitions and
-- a statement fires only those of the table it names, so every member of a
-- partition tree (root, intermediate, leaf) gets its own, all logging the
-- root's API name and key; not being clones, they never block
-- ATTACH PARTITION.
--
-- Except above a foreign table (a foreign partition, or a foreign
-- inheritance child): PostgreSQL refuses to collect transition rows from
-- one, so a transition-table trigger on any table above it would make every
-- write that reaches the foreign table fail. Such a tree has FOR EACH ROW
-- triggers (same names) running the generic dynapi.log_row_changes on its
-- local leaves (and on a plain inheritance parent), none on partitioned
-- tables; foreign partitions log nothing.
--
-- A foreign table served on its own (postgres_fdw: a table of a second
-- database, not a partition) has the same three FOR EACH ROW triggers:
-- PostgreSQL fires AFTER ROW triggers on foreign tables (postgres_fdw asks
-- the remote server for the written row) but refuses transition tables on
-- them. Its key is dynapi.table_settings.key_columns (it can have no primary
-- key). They log what is written through this database only: writes made in
-- the remote database itself never pass here.

-- Our own CREATE/DROP TRIGGER statements fire the DDL event triggers
-- (15_schema_events.sql) again; this flag lets those ignore them. (The
-- installers set it for the whole of the function files, too.)
CREATE OR REPLACE FUNCTION dynapi.run_internal_ddl(command text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    previous text := current_setting('dynapi.internal_ddl', true);
BEGIN
    PERFORM set_config('dynapi.internal_ddl', 'on', true);
    EXECUTE command;
    PERFORM set_config('dynapi.internal_ddl', coalesce(previous, ''), true);
END;
$$;
COMMENT ON FUNCTION dynapi.run_internal_ddl(text) IS
    'Internal: runs DDL that the dynapi event triggers should neither react to nor announce.';

-- Triggers whose definition and arguments already fit are left alone (no
-- lock, no DDL); those that differ (mode, a renamed table or key, a new
-- root) are recreated, and the generated functions they used and no longer
-- need are dropped. The trigger arguments are the mode and the API name
-- (fix_stale_row_triggers compares the name; the generated functions need
-- neither), and, on row triggers, log_row_changes' key position '0' and key
-- columns. An old per-row dynapi_row_events trigger (before 0013) goes.
-- Every catalog is read through one key (see schema_change_relations): the
-- tree's members once, as an array (the table and pg_partition_tree's
-- rows), and what they lead to looked up per row. The functions the
-- triggers ran before are {} rather than NULL when there were none (a new
-- table), which drop_unused_row_log_functions takes as nothing to check.
CREATE OR REPLACE FUNCTION dynapi.attach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    root oid := coalesce(pg_partition_root(rel), rel);
    members oid[];
    root_kind "char";
    is_temp boolean;
    root_name text;
    mode text;
    pk_columns text[];
    args text[];
    wanted_args bytea;
    wanted_function regprocedure;
    previous_functions oid[];
    per_row boolean;
    member record;
    kind record;
BEGIN
    SELECT c.relkind, c.relpersistence = 't' INTO root_kind, is_temp
      FROM pg_class AS c WHERE c.oid = root;
    IF root_kind IS NULL OR root_kind NOT IN ('r', 'p', 'f') THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = 'wrong_object_type';
    END IF;
    -- Temporary tables are private to one session; the API never serves them.
    IF is_temp THEN
        RETURN;
    END IF;
    -- Waits for DDL on the table still in progress in another transaction
    -- (a new key, a rename), so that what is read below is what it
    -- committed, and keeps two sessions from re-generating the same
    -- functions at once (which fails: "tuple concurrently updated"). This
    -- lock does not conflict with writers' (ROW EXCLUSIVE). PostgreSQL
    -- cannot LOCK a foreign table: two sessions attaching its triggers at
    -- once are kept apart by an advisory lock on its OID instead (mapped
    -- into the integer key; 4242 is the bundle's), and DDL in progress on it
    -- is waited for by the CREATE TRIGGER below.
    IF root_kind = 'f' THEN
        PERFORM pg_advisory_xact_lock(4242, (root::oid::bigint - 2147483648)::integer);
    ELSE
        EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', root::regclass);
    END IF;
    root_name := dynapi.api_name(root);
    mode := dynapi.event_mode(root_name);
    -- Mode off, or exposed = false (0012): no triggers at all.
    IF mode = 'off' THEN
        PERFORM dynapi.detach_row_trigger(root);
        RETURN;
    END IF;
    members := ARRAY(SELECT root UNION SELECT t.relid FROM pg_partition_tree(root) AS t);

    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk_columns
      FROM pg_index AS i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = root AND i.indisprimary;
    IF root_kind = 'f' THEN
        pk_columns := nullif(dynapi.settings_key_columns(root), '{}');
    END IF;

    -- the whole inheritance family: a statement on a parent also writes the
    -- children, whose own statement triggers do not fire then (a foreign
    -- table is in its own family)
    per_row := EXISTS (SELECT 1 FROM pg_class AS c
                        WHERE c.oid = ANY (dynapi.inheritance_family(ARRAY[root])) AND c.relkind = 'f');

    previous_functions := ARRAY(
        SELECT DISTINCT t.tgfoid
          FROM pg_trigger AS t
         WHERE t.tgrelid = ANY (members)
           AND t.tgname IN ('dynapi_row_events_insert', 'dynapi_row_events_update', 'dynapi_row_events_delete')
           AND t.tgparentid = 0);

    args := CASE WHEN per_row THEN ARRAY[mode, root_name, '0'] || coalesce(pk_columns, '{}')
                 ELSE ARRAY[mode, root_name] END;
    -- pg_trigger.tgargs is the arguments, each NUL-terminated, in the
    -- server encoding.
    SELECT string_agg(convert_to(a, current_setting('server_encoding')) || '\x00'::bytea, ''::bytea ORDER BY o)
      INTO wanted_args
      FROM unnest(args) WITH ORDINALITY AS u(a, o);

    -- 0004's per-row trigger, on a tree never re-attached since
    -- (partitioned tables first: dropping it there drops its clones)
    FOR member IN
        SELECT c.qualified
          FROM pg_trigger AS t
         CROSS JOIN LATERAL (SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified
                               FROM pg_class AS c
                               JOIN pg_namespace AS n ON n.oid = c.relnamespace
                              WHERE c.oid = t.tgrelid
                             OFFSET 0) AS c
         WHERE t.tgrelid = ANY (members)
           AND t.tgname = 'dynapi_row_events' AND t.tgparentid = 0
         ORDER BY c.relkind = 'r', c.oid
    LOOP
        PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER dynapi_row_events ON %s', member.qualified));
    END LOOP;

    -- tgtype: AFTER, the event's bit, and 1 for FOR EACH ROW.
    FOR kind IN
        SELECT v.suffix, v.command, v.transition, v.tgtype | CASE WHEN per_row THEN 1 ELSE 0 END AS tgtype
          FROM (VALUES ('insert', 'INSERT', 'NEW', 4), ('update', 'UPDATE', 'NEW', 16),
                       ('delete', 'DELETE', 'OLD', 8)) AS v(suffix, command, transition, tgtype)
    LOOP
        wanted_function := CASE WHEN per_row THEN 'dynapi.log_row_changes()'::regprocedure
                                ELSE dynapi.ensure_row_log_function(root_name, mode, kind.command, pk_columns) END;
        FOR member IN
            SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified
              FROM pg_class AS c
              JOIN pg_namespace AS n ON n.oid = c.relnamespace
             WHERE c.oid = ANY (members)
               -- foreign partitions have none; a foreign table of its own does
               AND (c.relkind IN ('r', 'p') OR c.oid = root)
             -- partitioned tables first: dropping an old row trigger there
             -- removes its clones from the leaves handled afterwards
             ORDER BY c.relkind = 'r', c.oid
        LOOP
            CONTINUE WHEN NOT (per_row AND member.relkind = 'p') AND EXISTS (
                SELECT 1 FROM pg_trigger AS t
                 WHERE t.tgrelid = member.oid AND t.tgname = 'dynapi_row_events_' || kind.suffix
                   AND t.tgfoid = wanted_function
                   AND t.tgtype = kind.tgtype
                   AND t.tgargs = wanted_args
                   AND t.tgparentid = 0
                   AND cardinality(t.tgattr::int2[]) = 0
                   AND CASE WHEN per_row THEN t.tgnewtable IS NULL AND t.tgoldtable IS NULL
                            WHEN kind.transition = 'NEW' THEN t.tgnewtable = 'dynapi_rows' AND t.tgoldtable IS NULL
                            ELSE t.tgoldtable = 'dynapi_rows' AND t.tgnewtable IS NULL END);
            IF EXISTS (SELECT 1 FROM pg_trigger AS t
                        WHERE t.tgrelid = member.oid AND t.tgname = 'dynapi_row_events_' || kind.suffix
                          AND t.tgparentid = 0) THEN
                PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER %I ON %s',
                                                       'dynapi_row_events_' || kind.suffix, member.qualified));
            END IF;
            IF NOT per_row THEN
                PERFORM dynapi.run_internal_ddl(format(
                    'CREATE TRIGGER %I AFTER %s ON %s REFERENCING %s TABLE AS dynapi_rows '
                    'FOR EACH STATEMENT EXECUTE FUNCTION dynapi.%I(%s)',
                    'dynapi_row_events_' || kind.suffix, kind.command, member.qualified, kind.transition,
                    dynapi.row_log_function_name(root_name, kind.command),
                    (SELECT string_agg(quote_literal(a), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o))));
            ELSIF member.relkind IN ('r', 'f') THEN
                PERFORM dynapi.run_internal_ddl(format(
                    'CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION dynapi.log_row_changes(%s)',
                    'dynapi_row_events_' || kind.suffix, kind.command, member.qualified,
                    (SELECT string_agg(quote_literal(a), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o))));
            END IF;
        END LOOP;
    END LOOP;
    PERFORM dynapi.drop_unused_row_log_functions(previous_functions);
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_trigger(regclass) IS
    'Makes a table (for a partitioned table or a partition: every member of its tree) log its row changes per its event mode: the dynapi_row_events_insert/_update/_delete statement triggers on the root''s generated functions dynapi.row_log_<name>_<hash>_<command>() (made for its API name, primary key and mode), arguments mode and API name; row triggers on dynapi.log_row_changes() on the local leaves of a tree with foreign tables, and on a foreign table of its own (its key: table_settings.key_columns); removes them for mode off or exposed = false. Idempotent; a no-op for temporary tables.';

CREATE OR REPLACE FUNCTION dynapi.detach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    members oid[] := ARRAY(SELECT rel::oid UNION SELECT t.relid FROM pg_partition_tree(rel) AS t);
    member record;
    previous_functions oid[] := '{}';
BEGIN
    FOR member IN
        SELECT t.tgname, t.tgfoid, c.qualified
          FROM pg_trigger AS t
         CROSS JOIN LATERAL (SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified
                               FROM pg_class AS c
                               JOIN pg_namespace AS n ON n.oid = c.relnamespace
                              WHERE c.oid = t.tgrelid
                             OFFSET 0) AS c
         WHERE t.tgrelid = ANY (members)
           AND t.tgname IN ('dynapi_row_events', 'dynapi_row_events_insert',
                            'dynapi_row_events_update', 'dynapi_row_events_delete')
           AND t.tgparentid = 0
         ORDER BY c.relkind = 'r', c.oid, t.tgname
    LOOP
        PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER %I ON %s', member.tgname, member.qualified));
        previous_functions := previous_functions || member.tgfoid;
    END LOOP;
    PERFORM dynapi.drop_unused_row_log_functions(previous_functions);
END;
$$;
COMMENT ON FUNCTION dynapi.detach_row_trigger(regclass) IS
    'Removes the row-event triggers (dynapi_row_events_insert/_update/_delete, and the old dynapi_row_events) from a table and all members of its partition tree, and the generated functions no other trigger runs.';

-- Tables the API can serve: ordinary, partitioned and foreign tables
-- (partitions are reached through their root) in an exposed schema, except
-- temporary tables and tables that belong to an extension (their scripts
-- own them).
CREATE OR REPLACE FUNCTION dynapi.attach_row_triggers() RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
    attached integer := 0;
BEGIN
    FOR rel IN
        SELECT c.oid
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
          JOIN dynapi.exposed_schemas AS e ON e.name = n.nspname
         WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND c.relpersistence <> 't'
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
         ORDER BY c.oid
    LOOP
        PERFORM dynapi.attach_row_trigger(rel);
        IF dynapi.event_mode(dynapi.api_name(rel)) <> 'off' THEN
            attached := attached + 1;
        END IF;
    END LOOP;
    RETURN attached;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_triggers() IS
    'Attaches the row-event triggers to every table (ordinary, partitioned, foreign) in dynapi.exposed_schemas per its event mode (removing them where it is off); returns how many tables now log row events.';

-- Triggers that no longer fit their table for reasons the table's own DDL
-- does not report: a partition detached from its root (it still logs the
-- root's name), a table whose schema was renamed or is no longer exposed,
-- a table that became part of an extension. Cheap when nothing is stale:
-- one pass over pg_trigger comparing the name argument of the triggers
-- found by name (they do not share one function).
CREATE OR REPLACE FUNCTION dynapi.fix_stale_row_triggers() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stale record;
BEGIN
    FOR stale IN
        SELECT DISTINCT r.oid AS root, r.served
          FROM pg_trigger AS t
          JOIN LATERAL (
              SELECT c.oid,
                     CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS api_name,
                     EXISTS (SELECT 1 FROM dynapi.exposed_schemas AS e WHERE e.name = n.nspname)
                     AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                        AND d.deptype = 'e') AS served
                FROM pg_class AS c
                JOIN pg_namespace AS n ON n.oid = c.relnamespace
               WHERE c.oid = coalesce(pg_partition_root(t.tgrelid), t.tgrelid)
          ) AS r ON true
          -- the second argument, after the mode and its NUL, is the API name
          CROSS JOIN LATERAL (SELECT convert_to(r.api_name, current_setting('server_encoding')) || '\x00'::bytea AS wanted,
                                     position('\x00'::bytea IN t.tgargs) AS mode_end) AS a
         WHERE t.tgname = 'dynapi_row_events_insert' AND t.tgparentid = 0
           -- ours: a generated function or 0013's, not a user's trigger of that name
           AND EXISTS (SELECT 1 FROM pg_proc AS p
                        WHERE p.oid = t.tgfoid AND p.pronamespace = 'dynapi'::regnamespace
                          AND (p.proname LIKE 'row\_log\_%' OR p.proname = 'log_row_changes'))
           AND (NOT r.served
                OR substring(t.tgargs FROM a.mode_end + 1 FOR octet_length(a.wanted)) IS DISTINCT FROM a.wanted)
    LOOP
        IF stale.served THEN
            PERFORM dynapi.attach_row_trigger(stale.root);
        ELSE
            PERFORM dynapi.detach_row_trigger(stale.root);
        END IF;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.fix_stale_row_triggers() IS
    'Internal: re-attaches row-event triggers that log a name no longer their table''s (a detached partition, a renamed schema), and removes those of tables no longer served.';

-- Keeps triggers in line with dynapi.exposed_schemas. Statement level and
-- rebuilding from the catalog (instead of looking at the changed rows) so
-- that TRUNCATE and multi-row changes are handled the same way.
CREATE OR REPLACE FUNCTION dynapi.on_exposed_schemas_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM dynapi.fix_stale_row_triggers();
    PERFORM dynapi.attach_row_triggers();
    -- the row history triggers follow the exposed schemas too (18_row_history.sql)
    PERFORM dynapi.attach_history_triggers();
    PERFORM pg_notify('dynapi_schema', 'exposed_schemas');
    INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', '["exposed_schemas"]');
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_exposed_schemas_change() IS
    'AFTER STATEMENT trigger of dynapi.exposed_schemas: removes the row-event triggers of tables no longer exposed, attaches them to newly exposed ones (and the row history triggers likewise), NOTIFYs dynapi_schema and logs a schema entry (exposed_schemas).';

DROP TRIGGER IF EXISTS dynapi_exposed_schemas_sync ON dynapi.exposed_schemas;
CREATE TRIGGER dynapi_exposed_schemas_sync
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.exposed_schemas
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.on_exposed_schemas_change();
