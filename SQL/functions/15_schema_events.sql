-- Schema events. The sidecar caches the catalog; DDL from anywhere
-- (migrations, psql, other services) must tell it to reload, and new or
-- changed tables in exposed schemas must get the right row-event triggers
-- without anyone calling dynapi.attach_row_trigger by hand. Two event
-- triggers do both: ddl_command_end and sql_drop.
--
-- Both return at once while dynapi.run_internal_ddl is running (the
-- CREATE/DROP TRIGGER it issues are DDL too and fire them again), and while
-- the install re-applies these files. Temporary objects never notify: ORMs
-- and reporting tools create them all the time and the API never serves
-- them.
--
-- The dynapi_schema payload names the relations the statement touched, so
-- that a sidecar re-reads those instead of the whole catalog (1,000 tables:
-- about 200 ms, on every sidecar, for every ALTER TABLE).
--
-- Payload (JSON text): {"tag":"ALTER TABLE","relations":[16384,16390]}, the
-- OIDs of the relations a sidecar may serve (tables, partitioned tables,
-- views, materialized views, foreign tables) whose description may have
-- changed, dropped ones included; or {"tag":"CREATE TYPE"}, without
-- relations, when the statement touched anything that belongs to no one
-- relation (types, domains, functions, schemas, grants, extensions...), or
-- something whose relation cannot be found, or more than 500 relations: the
-- sidecar then re-reads everything. A missed relation would leave the API
-- stale until the next full re-read, while a needless one only costs time,
-- so whatever is uncertain falls back to the full form. Settings, actions
-- and exposed_schemas keep their plain payloads (notify_schema_change,
-- on_exposed_schemas_change): anything that is not JSON with a relations
-- array means a full re-read to the sidecar.
--
-- The change_log schema entries keep their shape (["ALTER TABLE"],
-- ["DROP"]): a sidecar that may have missed notifications re-reads
-- everything anyway, and change_log_events hands out each element of pks
-- as an event of its own, which a list of OIDs would multiply.
--
-- Every statement announced is also recorded in dynapi.schema_changes (the
-- schema change history, 0018), once, however many of the two triggers it
-- fires: see record_schema_change.
--
-- Every DDL statement pays for what is here, so none of it may grow with
-- the number of tables: see schema_change_relations for how the catalogs are
-- read.

----------------------------------------------------------------------------
-- Helpers

-- At most 500 OIDs (10 digits and a comma each) keep the payload well under
-- NOTIFY's 8,000 bytes; past that, re-reading everything costs about as much.
-- plpgsql, which keeps its plan for the session: a SQL function with a SET
-- clause is never inlined and is parsed and planned again at every DDL
-- statement.
CREATE OR REPLACE FUNCTION dynapi.schema_change_payload(tag text, relations oid[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    listed oid[];
BEGIN
    IF relations IS NOT NULL THEN
        listed := ARRAY(SELECT DISTINCT r FROM unnest(relations) AS r WHERE r IS NOT NULL ORDER BY r);
    END IF;
    IF listed IS NULL OR cardinality(listed) > 500 THEN
        RETURN format('{"tag":%s}', to_json(tag));
    END IF;
    RETURN format('{"tag":%s,"relations":[%s]}', to_json(tag), array_to_string(listed, ','));
END;
$$;
COMMENT ON FUNCTION dynapi.schema_change_payload(text, oid[]) IS
    'Internal: the dynapi_schema payload of a DDL statement: {"tag":...,"relations":[oid,...]} (sorted, distinct), or {"tag":...} (a full re-read) when relations is NULL or holds more than 500.';

-- A relation's description in the API also depends on relations around it:
-- a partition is served through its root and a legacy-inheritance parent's
-- new column is its children's too; a view's updatability follows the
-- relation under it; a foreign key names the table (and columns) it
-- references, and a sidecar may keep the reverse relation on that table.
-- OIDs no longer in pg_class are those of dropped relations and stay as
-- they are. Partitions below are left out: they are not served, and a root
-- with hundreds of them would make every ALTER a full re-read.
-- Every DDL statement pays for this, so it walks the catalog in steps, each
-- a few index lookups (= ANY of an array), rather than in recursive queries
-- the planner cannot estimate (it scanned whole catalogs: 3 ms an ALTER
-- TABLE with 1,000 tables); and it stops once past 500, which the payload
-- cannot list anyway.
-- plpgsql keeps a plan for the session, and the catalogs may grow by
-- thousands of rows after it was made (one transaction creating hundreds of
-- tables), so every plan must stay a handful of index lookups whatever the
-- estimates it was made with:
-- - enable_seqscan off: a catalog of a page or two (pg_inherits,
--   pg_constraint in a new database) would otherwise be read whole ever
--   after. jit off with it: a table no index serves is then costed far past
--   jit_above_cost, and compiling a query takes tens of milliseconds;
-- - each catalog is read through one key, the other conditions in a query
--   above it (OFFSET 0 keeps the planner from moving them down, where they
--   could choose another index: pg_depend's by classid, rare when the plan
--   was made, then reads every dependency of that class);
-- - what one catalog leads to is looked up in the next through LATERAL, a
--   lookup per row, never joined (a join may be hashed over a whole
--   catalog).
CREATE OR REPLACE FUNCTION dynapi.schema_change_relations(relations oid[]) RETURNS oid[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    gone oid[];
    start oid[];
    family oid[];
    step oid[];
    partners oid[];
BEGIN
    gone := ARRAY(SELECT DISTINCT g.oid FROM unnest(relations) AS g(oid)
                   WHERE (SELECT c.oid FROM pg_class AS c WHERE c.oid = g.oid) IS NULL);
    start := ARRAY(SELECT c.oid FROM pg_class AS c
                    WHERE c.oid = ANY (relations)
                      AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relpersistence <> 't');
    -- partition roots and inheritance parents, inheritance children (not
    -- partitions)
    family := dynapi.inheritance_family(start, whole => false, partitions => false, up_to => 500);
    -- views (and materialized views) on them, and views on those
    step := family;
    WHILE cardinality(step) > 0 AND cardinality(family) <= 500 LOOP
        step := ARRAY(SELECT DISTINCT r.ev_class
                        FROM (SELECT d.classid, d.objid, d.deptype FROM pg_depend AS d
                               WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY (step)
                              OFFSET 0) AS d
                       CROSS JOIN LATERAL (SELECT r.ev_class FROM pg_rewrite AS r WHERE r.oid = d.objid
                                           OFFSET 0) AS r
                       WHERE d.classid = 'pg_rewrite'::regclass AND d.deptype = 'n'
                         AND r.ev_class <> ALL (family));
        family := family || step;
    END LOOP;
    IF cardinality(family) > 500 THEN
        RETURN family;
    END IF;
    -- Tables referencing them, and those they reference: the constraint on a
    -- partitioned table, not its clones on partitions. A foreign key depends
    -- on the table it references (pg_constraint has no index on confrelid).
    partners := ARRAY(
        SELECT con.conrelid
          FROM (SELECT d.classid, d.objid, d.refobjid FROM pg_depend AS d
                 WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY (family)
                OFFSET 0) AS d
         CROSS JOIN LATERAL (SELECT con.conrelid, con.contype, con.conparentid, con.confrelid
                               FROM pg_constraint AS con WHERE con.oid = d.objid
                             OFFSET 0) AS con
         WHERE d.classid = 'pg_constraint'::regclass
           AND con.contype = 'f' AND con.conparentid = 0 AND con.confrelid = d.refobjid
        UNION
        SELECT con.confrelid
          FROM (SELECT con.confrelid, con.contype, con.conparentid FROM pg_constraint AS con
                 WHERE con.conrelid = ANY (family)
                OFFSET 0) AS con
         WHERE con.contype = 'f' AND con.conparentid = 0);
    RETURN ARRAY(SELECT c.oid FROM pg_class AS c
                  WHERE c.oid = ANY (family || partners)
                    AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relpersistence <> 't'
                 UNION
                 SELECT g.oid FROM unnest(gone) AS g(oid)
                 ORDER BY 1);
END;
$$;
COMMENT ON FUNCTION dynapi.schema_change_relations(oid[]) IS
    'Internal: the relations (tables, partitioned tables, views, materialized views, foreign tables; not temporary) whose description may change with the given ones: themselves, their partition roots and inheritance parents, their inheritance children (not partitions), views on them (recursively), and the tables their foreign keys reference or that reference them. OIDs not in pg_class (dropped relations) are kept. Sorted; stops early (unsorted, more than 500) once past 500.';

-- pg_event_trigger_ddl_commands() reports each object a statement created
-- or altered; most belong to one relation. Called from on_ddl_command_end
-- only (the function it reads works in a ddl_command_end trigger alone).
-- Each object is looked up by its OID, and what it leads to by a subquery
-- of its own (see schema_change_relations for why, and for the settings).
CREATE OR REPLACE FUNCTION dynapi.ddl_command_relations(tag text) RETURNS oid[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    touched oid[];
    unmapped boolean;
BEGIN
    SELECT coalesce(array_agg(DISTINCT r.oid) FILTER (WHERE r.oid IS NOT NULL), '{}'),
           coalesce(bool_or(m.relations IS NULL), false)
      INTO touched, unmapped
      FROM pg_event_trigger_ddl_commands() AS cmd
     CROSS JOIN LATERAL (
         -- NULL: belongs to no relation, or to one that cannot be found
         -- (an object created and dropped within the command)
         SELECT CASE cmd.classid
             WHEN 'pg_class'::regclass THEN (
                 SELECT CASE
                     -- 'table column', 'view column' ...: objid is the relation
                     WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f') THEN ARRAY[c.oid]
                     WHEN c.relkind IN ('i', 'I') THEN ARRAY(SELECT i.indrelid FROM pg_index AS i WHERE i.indexrelid = c.oid)
                     WHEN c.relkind = 't' THEN nullif(ARRAY(
                         SELECT d.refobjid FROM pg_depend AS d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i'), '{}')
                     -- serial and identity columns, and the defaults that
                     -- draw from it; a free-standing sequence is no
                     -- relation's (and may be about to be)
                     WHEN c.relkind = 'S' THEN nullif(ARRAY(
                         SELECT d.refobjid FROM pg_depend AS d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                         UNION
                         SELECT a.adrelid
                           FROM (SELECT d.classid, d.objid FROM pg_depend AS d
                                  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
                                 OFFSET 0) AS d
                          CROSS JOIN LATERAL (SELECT a.adrelid FROM pg_attrdef AS a WHERE a.oid = d.objid
                                              OFFSET 0) AS a
                          WHERE d.classid = 'pg_attrdef'::regclass), '{}')
                 END
                   FROM pg_class AS c WHERE c.oid = cmd.objid)
             -- a domain's constraint has no conrelid: NULL
             WHEN 'pg_constraint'::regclass THEN (SELECT ARRAY[con.conrelid] FROM pg_constraint AS con
                                                   WHERE con.oid = cmd.objid AND con.conrelid <> 0)
             WHEN 'pg_trigger'::regclass THEN (SELECT ARRAY[t.tgrelid] FROM pg_trigger AS t WHERE t.oid = cmd.objid)
             WHEN 'pg_rewrite'::regclass THEN (SELECT ARRAY[r.ev_class] FROM pg_rewrite AS r WHERE r.oid = cmd.objid)
             WHEN 'pg_policy'::regclass THEN (SELECT ARRAY[p.polrelid] FROM pg_policy AS p WHERE p.oid = cmd.objid)
             WHEN 'pg_attrdef'::regclass THEN (SELECT ARRAY[a.adrelid] FROM pg_attrdef AS a WHERE a.oid = cmd.objid)
             WHEN 'pg_statistic_ext'::regclass THEN (SELECT ARRAY[s.stxrelid] FROM pg_statistic_ext AS s WHERE s.oid = cmd.objid)
         END AS relations
     ) AS m
      LEFT JOIN LATERAL unnest(m.relations) AS r(oid) ON true
     -- as on_ddl_command_end: temporary objects are nobody's business
     WHERE cmd.schema_name IS NULL OR cmd.schema_name NOT LIKE 'pg\_temp%';
    IF unmapped THEN
        RETURN NULL;
    END IF;

    -- ATTACH and DETACH PARTITION report the partitioned table only, yet
    -- the attached table is no longer served and the detached one is again,
    -- and nothing left in the catalog says which table it was. Only an
    -- ALTER TABLE naming a partitioned table can do either.
    IF tag = 'ALTER TABLE' AND EXISTS (SELECT 1 FROM pg_class AS c WHERE c.oid = ANY (touched) AND c.relkind = 'p') THEN
        RETURN NULL;
    END IF;
    RETURN dynapi.schema_change_relations(touched);
END;
$$;
COMMENT ON FUNCTION dynapi.ddl_command_relations(text) IS
    'Internal, for the ddl_command_end event trigger (tag: its command tag): the relations the statement created or altered, with those around them (schema_change_relations); NULL if it touched something that is no relation''s (a type, function, schema, grant, free-standing sequence...), or is an ALTER TABLE of a partitioned table (which may attach or detach a partition). Columns, indexes, constraints, triggers, rules, policies, defaults, statistics and owned sequences stand for their relation.';

-- pg_event_trigger_dropped_objects() lists what a statement dropped, after
-- the fact: a dropped constraint, trigger, rule, policy or default is gone
-- from the catalog, but its address names its table. What a dropped object
-- took with it through an automatic or internal dependency (a table's
-- indexes, row type, TOAST table, owned sequences) is neither original nor
-- normal and belongs to something else in the list, so only such objects
-- may go unmapped without a full re-read. Settings as in
-- schema_change_relations.
CREATE OR REPLACE FUNCTION dynapi.dropped_relations() RETURNS oid[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    dropped oid[];
    unmapped boolean;
BEGIN
    SELECT coalesce(array_agg(DISTINCT m.oid) FILTER (WHERE m.oid IS NOT NULL), '{}'),
           coalesce(bool_or(m.oid IS NULL AND (d.original OR d.normal)), false)
      INTO dropped, unmapped
      FROM pg_event_trigger_dropped_objects() AS d
     CROSS JOIN LATERAL (
         SELECT CASE
             WHEN d.classid = 'pg_class'::regclass
                  AND d.object_type IN ('table', 'view', 'materialized view', 'foreign table',
                                        'table column', 'view column', 'materialized view column',
                                        'foreign table column') THEN d.objid
             WHEN d.object_type IN ('table constraint', 'trigger', 'rule', 'policy', 'default value')
                  AND cardinality(d.address_names) >= 2 THEN coalesce(
                 (SELECT c.oid FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
                   WHERE n.nspname = d.address_names[1] AND c.relname = d.address_names[2]),
                 -- its table went in the same statement
                 (SELECT o.objid FROM pg_event_trigger_dropped_objects() AS o
                   WHERE o.classid = 'pg_class'::regclass AND o.objsubid = 0
                     AND o.address_names = d.address_names[1:2]))
         END AS oid
     ) AS m
     WHERE NOT d.is_temporary;
    IF unmapped THEN
        RETURN NULL;
    END IF;
    RETURN dynapi.schema_change_relations(dropped);
END;
$$;
COMMENT ON FUNCTION dynapi.dropped_relations() IS
    'Internal, for the sql_drop event trigger: the relations the statement dropped (their OIDs) or changed by dropping a column, constraint, trigger, rule, policy or default, with those around them (schema_change_relations); NULL if it dropped something that is no relation''s, or whose relation cannot be told (an index, a sequence, a type...).';

-- One place that sends: the event triggers build the payload, this sends
-- and logs it.
CREATE OR REPLACE FUNCTION dynapi.announce_schema_change(payload text, tag text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('dynapi_schema', payload);
    INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', jsonb_build_array(tag));
END;
$$;
COMMENT ON FUNCTION dynapi.announce_schema_change(text, text) IS
    'Internal: NOTIFY dynapi_schema with payload and log a schema entry [tag] in dynapi.change_log.';
REVOKE EXECUTE ON FUNCTION dynapi.announce_schema_change(text, text) FROM PUBLIC;

-- The history must show who changed the schema, and through the API the
-- database role is always the sidecar's: the API user comes from the
-- request's setting. current_user is the bundle's owner here (the event
-- triggers are SECURITY DEFINER), so a SET ROLE is read from its setting.
-- One row per statement: a statement that drops something fires sql_drop
-- and then ddl_command_end (ALTER TABLE ... DROP COLUMN has something to
-- report in both), so on_sql_drop only keeps what it dropped for
-- on_ddl_command_end, the one caller. The user is looked up by key; the
-- insert is one index entry: neither grows with the number of tables. The
-- user id is read as dynapi.current_user_id() reads it, except that a
-- setting that is no number (where it would raise) counts as no user: a
-- stray SET must not make every DDL statement of the session fail.
CREATE OR REPLACE FUNCTION dynapi.record_schema_change(tag text, objects text[]) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    setting text := current_setting('dynapi.user_id', true);
    who bigint := CASE WHEN setting ~ '^\s*[-+]?[0-9]{1,18}\s*$' THEN setting::bigint END;
    as_role text := current_setting('role');
BEGIN
    INSERT INTO dynapi.schema_changes (user_id, username, database_role, tag, objects, statement)
    VALUES (who,
            (SELECT u.username FROM dynapi.users AS u WHERE u.id = who),
            CASE WHEN as_role IN ('none', session_user) THEN session_user::text
                 ELSE session_user || ' as ' || as_role END,
            tag,
            ARRAY(SELECT o.identity FROM unnest(objects) WITH ORDINALITY AS o(identity, ord)
                   WHERE o.identity IS NOT NULL
                   GROUP BY o.identity ORDER BY min(o.ord)),
            -- The options of a foreign server or user mapping hold the
            -- remote password; the history (kept in backups, replicated, read
            -- by admins) must not.
            CASE WHEN tag IN ('CREATE USER MAPPING', 'ALTER USER MAPPING', 'CREATE SERVER', 'ALTER SERVER')
                 THEN format('(%s: not recorded, its options may hold a password)', tag)
                 ELSE coalesce(current_query(), '') END);
END;
$$;
COMMENT ON FUNCTION dynapi.record_schema_change(text, text[]) IS
    'Internal, for the ddl_command_end event trigger: records a DDL statement in dynapi.schema_changes (the API user and username, the database role, the command tag, objects without NULLs or repeats, in order, and current_query(), except for CREATE/ALTER SERVER and USER MAPPING, whose options may hold a password).';
REVOKE EXECUTE ON FUNCTION dynapi.record_schema_change(text, text[]) FROM PUBLIC;

----------------------------------------------------------------------------
-- The event triggers

-- SECURITY DEFINER because event triggers fire for every role's DDL, and a
-- role without access to dynapi.exposed_schemas (or allowed to drop its own
-- tables, but not to write the log) would otherwise be unable to create or
-- drop any table at all once DynAPI is installed.
--
-- jit off: the catalog queries below are quick, but their estimates (a
-- set-returning function is guessed at 100 rows) can pass jit_above_cost,
-- and compiling them cost every ALTER TABLE some 40 ms. Catalogs are read
-- by key, one lookup per row, with enable_seqscan off, as in
-- schema_change_relations: the plans made at a session's first DDL
-- statement must not read whole catalogs grown since. And since those plans
-- are a few index lookups whatever the estimates, the functions called from
-- here use them as they are (plan_cache_mode, which applies to them too):
-- planned again for each call's values, as plpgsql does by default for a
-- query with parameters whose generic plan looks dearer (an array of OIDs
-- is guessed at 10), they cost an ALTER TABLE a third of its time.
CREATE OR REPLACE FUNCTION dynapi.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    root regclass;
    root_kind "char";
    touched_partitioned boolean := false;
    payload text;
    announced boolean;
    recorded boolean;
    created text[];
    dropped text[];
BEGIN
    IF current_setting('dynapi.internal_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    -- What on_sql_drop kept of this statement, cleared at once so that no
    -- later statement of the transaction takes it for its own.
    dropped := nullif(current_setting('dynapi.dropped_objects', true), '')::text[];
    IF dropped IS NOT NULL THEN
        PERFORM set_config('dynapi.dropped_objects', '', true);
    END IF;
    -- These never change what the API looks like, and a matview refreshed
    -- every minute must not make every sidecar reload its catalog.
    IF tg_tag IN ('REFRESH MATERIALIZED VIEW', 'REINDEX') THEN
        RETURN;
    END IF;

    -- No rows at all means nothing changed (e.g. CREATE TABLE IF NOT EXISTS
    -- on an existing table), so that is neither announced nor recorded. Read
    -- before the row triggers are put right below, which is not the
    -- statement's doing. An extension's script fires this trigger for each
    -- of its statements (in_extension): announced as they come, but recorded
    -- once, as the CREATE or ALTER EXTENSION that ran them.
    SELECT count(*) > 0, coalesce(bool_or(NOT cmd.in_extension), false),
           array_agg(cmd.object_identity ORDER BY cmd.ordinality) FILTER (WHERE NOT cmd.in_extension)
      INTO announced, recorded, created
      FROM pg_event_trigger_ddl_commands() WITH ORDINALITY AS cmd
     WHERE cmd.schema_name IS NULL OR cmd.schema_name NOT LIKE 'pg\_temp%';
    IF announced THEN
        payload := dynapi.schema_change_payload(tg_tag, dynapi.ddl_command_relations(tg_tag));
    END IF;

    -- 'table column' is how RENAME COLUMN is reported; the command for
    -- CREATE TABLE, ADD/DROP PRIMARY KEY, SET SCHEMA, ATTACH/DETACH
    -- PARTITION ... is 'table' ('foreign table' and 'foreign table column'
    -- for CREATE FOREIGN TABLE, each table of IMPORT FOREIGN SCHEMA, and
    -- their ALTERs: a foreign table of its own has row triggers too, whose
    -- key is a setting naming its columns). A partition stands for its whole tree.
    -- The changed table's whole inheritance family (a partition tree, or
    -- legacy inheritance) is checked: a foreign table joining it changes
    -- the family's triggers (see attach_row_trigger). Objects created and
    -- dropped within the same command are gone by now.
    FOR root, root_kind IN
        SELECT DISTINCT r.oid, r.relkind
          FROM unnest(dynapi.inheritance_family(ARRAY(
                   SELECT c.oid
                     FROM pg_event_trigger_ddl_commands() AS cmd
                    CROSS JOIN LATERAL (SELECT c.oid, c.relkind FROM pg_class AS c WHERE c.oid = cmd.objid
                                        OFFSET 0) AS c
                    WHERE cmd.classid = 'pg_class'::regclass
                      AND cmd.object_type IN ('table', 'table column', 'foreign table', 'foreign table column')
                      AND NOT cmd.in_extension
                      AND c.relkind IN ('r', 'p', 'f')))) AS touched(oid)
         CROSS JOIN LATERAL (SELECT r.oid, r.relkind, r.relpersistence FROM pg_class AS r
                              WHERE r.oid = coalesce(pg_partition_root(touched.oid), touched.oid)
                             OFFSET 0) AS r
         WHERE r.relkind IN ('r', 'p', 'f')
           AND r.relpersistence <> 't'
           -- an extension's tables belong to its scripts (as in
           -- attach_row_triggers); OFFSET 0: a lookup per row, never a join
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid IN (touched.oid, r.oid)
                              AND d.deptype = 'e'
                           OFFSET 0)
    LOOP
        touched_partitioned := touched_partitioned OR root_kind = 'p';
        IF EXISTS (SELECT 1 FROM pg_class AS c
                     JOIN pg_namespace AS n ON n.oid = c.relnamespace
                     JOIN dynapi.exposed_schemas AS e ON e.name = n.nspname
                    WHERE c.oid = root) THEN
            PERFORM dynapi.attach_row_trigger(root);
        ELSE
            -- e.g. ALTER TABLE ... SET SCHEMA into a schema that is not exposed
            PERFORM dynapi.detach_row_trigger(root);
        END IF;
        -- the row history trigger (18_row_history.sql): a new table whose
        -- settings ask for it, a new key, a new name; nothing to do (and
        -- nothing locked) for a table without history
        PERFORM dynapi.attach_history_trigger(root);
    END LOOP;
    -- A partition detached by the command above still logs its old root's
    -- name: DETACH PARTITION is an ALTER TABLE of the partitioned table, whose
    -- tree the loop has just handled. The loop puts right whatever else a
    -- statement on tables changes, so fix_stale_row_triggers, a pass over
    -- every row-event trigger, is not run after each of them: a transaction
    -- creating 1,000 tables spent seconds in it. A table that joined an
    -- extension is no longer served (ALTER EXTENSION ... ADD TABLE); a
    -- renamed schema changes the names of all its tables (and may make them
    -- exposed or not).
    IF (touched_partitioned AND tg_tag = 'ALTER TABLE') OR tg_tag = 'ALTER EXTENSION' THEN
        PERFORM dynapi.fix_stale_row_triggers();
    END IF;
    IF tg_tag = 'ALTER SCHEMA' THEN
        PERFORM dynapi.fix_stale_row_triggers();
        PERFORM dynapi.attach_row_triggers();
        PERFORM dynapi.attach_history_triggers();
    END IF;

    IF payload IS NOT NULL THEN
        PERFORM dynapi.announce_schema_change(payload, tg_tag);
    END IF;
    IF recorded OR dropped IS NOT NULL THEN
        PERFORM dynapi.record_schema_change(tg_tag, created || dropped);
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_ddl_command_end() IS
    'ddl_command_end event trigger: keeps row-event triggers on exposed tables current, and the row history triggers (attach_history_trigger); unless the statement only touched temporary objects, NOTIFYs dynapi_schema with {"tag":<command tag>,"relations":[<oid>,...]} (ddl_command_relations), or {"tag":<command tag>} when they cannot all be named, logs a schema entry [<command tag>], and records the statement in dynapi.schema_changes (with what on_sql_drop found it dropped).';

-- A dropped table (or trigger) leaves its generated row-log functions
-- behind, which go too.
CREATE OR REPLACE FUNCTION dynapi.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    payload text;
BEGIN
    IF current_setting('dynapi.internal_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() WHERE NOT is_temporary) THEN
        -- For on_ddl_command_end, which fires next for the same statement
        -- and records it with whatever it created or altered (the function
        -- reading this list works in a sql_drop trigger only). What went
        -- along with the objects named (a table's indexes, types,
        -- sequences) is not listed: they are not original.
        PERFORM set_config('dynapi.dropped_objects',
                           ARRAY(SELECT d.object_identity
                                   FROM pg_event_trigger_dropped_objects() WITH ORDINALITY AS d
                                  WHERE d.original AND NOT d.is_temporary
                                  ORDER BY d.ordinality)::text,
                           true);
        -- before the DDL below, which is not the statement's doing
        payload := dynapi.schema_change_payload('DROP', dynapi.dropped_relations());
        IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects()
                    WHERE NOT is_temporary AND object_type IN ('table', 'trigger')) THEN
            PERFORM dynapi.drop_unused_row_log_functions();
        END IF;
        PERFORM dynapi.announce_schema_change(payload, 'DROP');
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_sql_drop() IS
    'sql_drop event trigger: drops the generated row-log functions of dropped tables; unless only temporary objects went away, NOTIFYs dynapi_schema with {"tag":"DROP","relations":[<oid>,...]} (dropped_relations; dropped relations by their old OID), or {"tag":"DROP"} when they cannot all be named, logs a schema entry ["DROP"], and keeps the identities of what the statement dropped (setting dynapi.dropped_objects) for on_ddl_command_end to record.';

-- Re-created by every install (event triggers have no CREATE OR REPLACE):
-- one transaction, so no DDL of another session ever runs without them.
DROP EVENT TRIGGER IF EXISTS dynapi_ddl_command_end;
CREATE EVENT TRIGGER dynapi_ddl_command_end ON ddl_command_end
    EXECUTE FUNCTION dynapi.on_ddl_command_end();
DROP EVENT TRIGGER IF EXISTS dynapi_sql_drop;
CREATE EVENT TRIGGER dynapi_sql_drop ON sql_drop
    EXECUTE FUNCTION dynapi.on_sql_drop();
