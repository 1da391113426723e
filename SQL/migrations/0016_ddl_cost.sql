-- 0016: what the DDL event triggers cost a statement no longer grows with
-- the number of tables (0015's event triggers were changed with it).
--
-- Creating 1,000 tables in one transaction took 80 to 180 s with 0014 or
-- 0015 against 4 to 5 s without the bundle, and one ALTER TABLE ... ADD
-- COLUMN among 1,000 tables 7 to 16 ms against 0.2 ms
-- (Deploy/bench/ddl-cost.sh). Each statement read whole catalogs:
--
-- - attach_row_trigger passed drop_unused_row_log_functions the functions
--   the table's triggers ran before: NULL for a new table (array_agg of no
--   rows), which means "all of them", and each generated function was then
--   checked with a NOT EXISTS on pg_trigger.tgfoid, which has no index: a
--   pass over pg_trigger per function, 97 of the 115 s.
-- - attach_row_trigger and detach_row_trigger found the members of a tree
--   with "oid = rel OR oid IN (SELECT relid FROM pg_partition_tree(rel))",
--   which no index serves: a pass over pg_class or pg_trigger in each of
--   five queries.
-- - fix_stale_row_triggers, a pass over every row-event trigger, ran after
--   every statement on a table (0015's on_ddl_command_end now runs it only
--   after those that can leave a trigger stale).
-- - plpgsql plans a query once per session, at the first DDL statement,
--   while the catalogs may be small (pg_trigger, pg_attrdef, pg_inherits
--   are a page or two in a new database): reading one whole was cheapest
--   then, and still done a thousand tables later.
--
-- So attach_row_trigger and detach_row_trigger take the members once, as an
-- array, and look everything up by key; drop_unused_row_log_functions
-- checks a list of candidates through pg_depend's index, so that an empty
-- one (a new table) costs nothing, while NULL (on_sql_drop) still means
-- every generated function, in one pass over each catalog; and these
-- functions plan as 0015's schema_change_relations does (see there):
-- enable_seqscan and jit off, one index per catalog, LATERAL lookups rather
-- than joins.

----------------------------------------------------------------------------

-- A trigger depends on its function (pg_depend, normal), and pg_depend is
-- indexed by what is depended on while pg_trigger.tgfoid is not: a
-- candidate costs two index lookups whatever the number of triggers. All
-- of them (NULL, from on_sql_drop, which cannot tell whose functions a
-- dropped table's triggers ran) are a set difference of one pass over each
-- catalog, which no estimate can turn into a pass per function.
CREATE OR REPLACE FUNCTION dynapi.drop_unused_row_log_functions(candidates oid[] DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    unused oid;
    generated boolean;
    dropped integer := 0;
BEGIN
    IF candidates IS NULL THEN
        FOR unused IN
            SELECT p.oid
              FROM pg_proc AS p
             WHERE p.pronamespace = 'dynapi'::regnamespace
               AND p.proname LIKE 'row\_log\_%' AND p.pronargs = 0
               AND p.prorettype = 'trigger'::regtype
            EXCEPT
            SELECT t.tgfoid FROM pg_trigger AS t
        LOOP
            PERFORM dynapi.run_internal_ddl(format('DROP FUNCTION %s', unused::regprocedure));
            dropped := dropped + 1;
        END LOOP;
    ELSE
        FOR unused IN SELECT DISTINCT c.oid FROM unnest(candidates) AS c(oid) LOOP
            -- Only the key in each WHERE clause (as in 0015's
            -- schema_change_relations): given the name's prefix too, the
            -- planner may take the name index and read every generated
            -- function to find one; given pg_trigger's class, the index of
            -- dependants, and read every trigger's dependencies.
            SELECT p.pronamespace = 'dynapi'::regnamespace AND p.proname LIKE 'row\_log\_%'
                   AND p.pronargs = 0 AND p.prorettype = 'trigger'::regtype
              INTO generated
              FROM pg_proc AS p WHERE p.oid = unused;
            CONTINUE WHEN generated IS NOT TRUE
                       OR EXISTS (SELECT 1
                                    FROM (SELECT d.classid FROM pg_depend AS d
                                           WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = unused
                                             AND d.refobjsubid = 0
                                          OFFSET 0) AS d
                                   WHERE d.classid = 'pg_trigger'::regclass);
            PERFORM dynapi.run_internal_ddl(format('DROP FUNCTION %s', unused::regprocedure));
            dropped := dropped + 1;
        END LOOP;
    END IF;
    RETURN dropped;
END;
$$;
COMMENT ON FUNCTION dynapi.drop_unused_row_log_functions(oid[]) IS
    'Internal: drops the generated row-log functions (dynapi.row_log_*) among candidates that no trigger runs (NULL: all generated functions; an empty array: none); returns how many.';

-- 0014's function, every catalog read through one key (see 0015's
-- schema_change_relations): the tree's members once, as an array (the table
-- and pg_partition_tree's rows, as before), and what they lead to looked up
-- per row. The functions the triggers ran before are {} rather than NULL
-- when there were none (a new table), which drop_unused_row_log_functions
-- takes as nothing to check.
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
    family oid[];
    step oid[];
    member record;
    kind record;
BEGIN
    SELECT c.relkind, c.relpersistence = 't' INTO root_kind, is_temp
      FROM pg_class AS c WHERE c.oid = root;
    IF root_kind IS NULL OR root_kind NOT IN ('r', 'p') THEN
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
    -- lock does not conflict with writers' (ROW EXCLUSIVE).
    EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', root::regclass);
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

    -- the whole inheritance family: a statement on a parent also writes the
    -- children, whose own statement triggers do not fire then (a step at a
    -- time, each an index lookup per member)
    family := ARRAY[root];
    step := family;
    WHILE cardinality(step) > 0 LOOP
        step := ARRAY(SELECT DISTINCT p.oid
                        FROM unnest(step) AS s(oid)
                       CROSS JOIN LATERAL unnest(ARRAY(SELECT i.inhparent FROM pg_inherits AS i
                                                        WHERE i.inhrelid = s.oid)) AS p(oid)
                       WHERE p.oid <> ALL (family));
        family := family || step;
    END LOOP;
    step := family;
    WHILE cardinality(step) > 0 LOOP
        step := ARRAY(SELECT DISTINCT p.oid
                        FROM unnest(step) AS s(oid)
                       CROSS JOIN LATERAL unnest(ARRAY(SELECT i.inhrelid FROM pg_inherits AS i
                                                        WHERE i.inhparent = s.oid)) AS p(oid)
                       WHERE p.oid <> ALL (family));
        family := family || step;
    END LOOP;
    per_row := EXISTS (SELECT 1 FROM pg_class AS c WHERE c.oid = ANY (family) AND c.relkind = 'f');

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
               AND c.relkind IN ('r', 'p')
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
            ELSIF member.relkind = 'r' THEN
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
    'Makes a table (for a partitioned table or a partition: every member of its tree) log its row changes per its event mode: the dynapi_row_events_insert/_update/_delete statement triggers on the root''s generated functions dynapi.row_log_<name>_<hash>_<command>() (made for its API name, primary key and mode), arguments mode and API name; row triggers on dynapi.log_row_changes() on the local leaves of a tree with foreign tables; removes them for mode off or exposed = false. Idempotent; a no-op for temporary tables.';

-- 0014's function, the members looked up by OID.
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
