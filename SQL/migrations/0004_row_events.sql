-- 0004: row events. Every table the API can serve gets an AFTER ROW trigger
-- that NOTIFYs dynapi_events with {"event", "table", "pk"}, so the sidecar
-- can invalidate caches and push changes no matter who wrote the row (the
-- API, psql, another application).
--
-- Partitioned tables: the trigger goes on every leaf partition, not on the
-- partitioned table. A row trigger on a partitioned table is cloned onto its
-- partitions under the same name, and PostgreSQL then refuses
-- ALTER TABLE ... ATTACH PARTITION for any table that already has a trigger
-- of that name, which every standalone table in an exposed schema has. Leaf
-- triggers never clash, and report the root table's name.

-- The payload is built by hand rather than with jsonb::text because jsonb
-- reorders keys (shortest first) and the documented order is event, table, pk.
-- NOTIFY payloads must stay under 8000 bytes; a huge composite key is dropped
-- rather than failing the user's write.
CREATE FUNCTION dynapi.row_event_payload(event text, table_name text, pk jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    head text := format('{"event": %s, "table": %s',
                        coalesce(to_jsonb(event)::text, 'null'),
                        coalesce(to_jsonb(table_name)::text, 'null'));
    payload text := head || ', "pk": ' || coalesce(pk::text, 'null') || '}';
BEGIN
    IF octet_length(payload) > 7900 THEN
        payload := head || ', "pk": null, "truncated": true}';
    END IF;
    RETURN payload;
END;
$$;
COMMENT ON FUNCTION dynapi.row_event_payload(text, text, jsonb) IS
    'The dynapi_events NOTIFY payload: {"event": ..., "table": ..., "pk": ...}, with "pk": null, "truncated": true above 7900 bytes.';

-- The primary key as the API shows it: the bare value for a one-column key,
-- an object for a composite key, null for a table without one. Separate from
-- the trigger so it can be tested (NOTIFY is only observable after commit).
CREATE FUNCTION dynapi.row_event_pk(row_data jsonb, pk_columns text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE coalesce(cardinality(pk_columns), 0)
        WHEN 0 THEN 'null'::jsonb
        -- TG_ARGV is 0-based; unnest() does not care where an array starts.
        WHEN 1 THEN (SELECT coalesce(row_data -> c, 'null') FROM unnest(pk_columns) AS c)
        ELSE (SELECT jsonb_object_agg(c, coalesce(row_data -> c, 'null')) FROM unnest(pk_columns) AS c)
    END
$$;
COMMENT ON FUNCTION dynapi.row_event_pk(jsonb, text[]) IS
    'Primary key value(s) of a row (as jsonb) for the dynapi_events payload.';

CREATE FUNCTION dynapi.api_name(rel regclass) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN n.nspname = 'public' THEN c.relname::text
                ELSE n.nspname || '.' || c.relname END
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = rel
$$;
COMMENT ON FUNCTION dynapi.api_name(regclass) IS
    'Name the API uses for a table: "customer" for public.customer, "sales.invoice" otherwise (unquoted).';

-- SECURITY DEFINER because it fires for whichever role writes the row, and
-- that role usually has no USAGE on schema dynapi; without it, installing
-- DynAPI would break every other application's INSERTs.
CREATE FUNCTION dynapi.notify_row_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    event text;
    row_data jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        event := 'created';  row_data := to_jsonb(NEW);
    ELSIF TG_OP = 'UPDATE' THEN
        event := 'updated';  row_data := to_jsonb(NEW);
    ELSE
        event := 'deleted';  row_data := to_jsonb(OLD);
    END IF;
    -- On a partition, name the partitioned table the API serves; the name
    -- is looked up per row so renames need no trigger change.
    PERFORM pg_notify('dynapi_events', dynapi.row_event_payload(
        event,
        dynapi.api_name(coalesce(pg_partition_root(TG_RELID), TG_RELID)),
        dynapi.row_event_pk(row_data, TG_ARGV)));
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.notify_row_event() IS
    'AFTER ROW trigger: NOTIFY dynapi_events. Trigger arguments are the primary-key column names.';

-- Our own CREATE/DROP TRIGGER statements fire the DDL event triggers (0005)
-- again; this flag lets those ignore them.
CREATE FUNCTION dynapi.run_internal_ddl(command text) RETURNS void
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

CREATE FUNCTION dynapi.attach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root oid := coalesce(pg_partition_root(rel), rel);
    root_kind "char";
    is_temp boolean;
    pk_columns text[];
    wanted_args bytea;
    member record;
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

    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk_columns
      FROM pg_index AS i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = root AND i.indisprimary;

    -- pg_trigger.tgargs is the arguments, each NUL-terminated, in the server
    -- encoding; comparing against it lets unchanged triggers stay untouched
    -- (no lock, no DDL) when this runs after every ALTER TABLE.
    SELECT coalesce(string_agg(convert_to(c, current_setting('server_encoding')) || '\x00'::bytea,
                               ''::bytea ORDER BY o), ''::bytea)
      INTO wanted_args
      FROM unnest(pk_columns) WITH ORDINALITY AS u(c, o);

    FOR member IN
        SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified,
               t.oid AS trigger_oid,
               t.tgfoid = 'dynapi.notify_row_event()'::regprocedure
                   AND t.tgtype = 29   -- ROW | INSERT | DELETE | UPDATE, AFTER
                   AND t.tgargs = wanted_args
                   AND t.tgparentid = 0 AS up_to_date
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
          LEFT JOIN pg_trigger AS t ON t.tgrelid = c.oid AND t.tgname = 'dynapi_row_events'
         WHERE c.oid = root
            OR c.oid IN (SELECT relid FROM pg_partition_tree(root))
         -- partitioned tables first: dropping a trigger there may remove
         -- clones from the leaves handled afterwards
         ORDER BY c.relkind = 'r', c.oid
    LOOP
        IF member.relkind = 'r' AND coalesce(member.up_to_date, false) THEN
            CONTINUE;
        END IF;
        IF member.trigger_oid IS NOT NULL
           AND EXISTS (SELECT 1 FROM pg_trigger WHERE oid = member.trigger_oid AND tgparentid = 0) THEN
            PERFORM dynapi.run_internal_ddl(
                format('DROP TRIGGER dynapi_row_events ON %s', member.qualified));
        END IF;
        IF member.relkind = 'r' THEN
            PERFORM dynapi.run_internal_ddl(format(
                'CREATE TRIGGER dynapi_row_events AFTER INSERT OR UPDATE OR DELETE ON %s '
                'FOR EACH ROW EXECUTE FUNCTION dynapi.notify_row_event(%s)',
                member.qualified,
                coalesce((SELECT string_agg(quote_literal(c), ', ' ORDER BY o)
                            FROM unnest(pk_columns) WITH ORDINALITY AS u(c, o)), '')));
        END IF;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_trigger(regclass) IS
    'Makes a table (for a partitioned table or a partition: every leaf of its tree) emit dynapi_events, keyed by the current primary key. Idempotent; a no-op for temporary tables.';

CREATE FUNCTION dynapi.detach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    member record;
BEGIN
    FOR member IN
        SELECT format('%I.%I', n.nspname, c.relname) AS qualified
          FROM pg_trigger AS t
          JOIN pg_class AS c ON c.oid = t.tgrelid
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE t.tgname = 'dynapi_row_events' AND t.tgparentid = 0
           AND (c.oid = rel OR c.oid IN (SELECT relid FROM pg_partition_tree(rel)))
    LOOP
        PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER dynapi_row_events ON %s', member.qualified));
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.detach_row_trigger(regclass) IS
    'Removes the dynapi_events trigger from a table and all of its partitions.';

-- Tables the API can serve: ordinary and partitioned tables (partitions are
-- reached through their root) in an exposed schema, except temporary tables
-- and tables that belong to an extension (their scripts own them).
CREATE FUNCTION dynapi.attach_row_triggers() RETURNS integer
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
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e')
         ORDER BY c.oid
    LOOP
        PERFORM dynapi.attach_row_trigger(rel);
        attached := attached + 1;
    END LOOP;
    RETURN attached;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_triggers() IS
    'Attaches the dynapi_events trigger to every table in dynapi.exposed_schemas; returns how many tables now emit events.';

-- Keeps triggers in line with dynapi.exposed_schemas. Statement level and
-- rebuilding from the catalog (instead of looking at the changed rows) so
-- that TRUNCATE and multi-row changes are handled the same way.
CREATE FUNCTION dynapi.on_exposed_schemas_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root regclass;
BEGIN
    FOR root IN
        SELECT DISTINCT coalesce(pg_partition_root(t.tgrelid), t.tgrelid)
          FROM pg_trigger AS t
         WHERE t.tgname = 'dynapi_row_events'
           AND t.tgfoid = 'dynapi.notify_row_event()'::regprocedure
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_class AS c
                         JOIN pg_namespace AS n ON n.oid = c.relnamespace
                         JOIN dynapi.exposed_schemas AS e ON e.name = n.nspname
                        WHERE c.oid = root) THEN
            PERFORM dynapi.detach_row_trigger(root);
        END IF;
    END LOOP;
    PERFORM dynapi.attach_row_triggers();
    PERFORM pg_notify('dynapi_schema', 'exposed_schemas');
    RETURN NULL;
END;
$$;

CREATE TRIGGER dynapi_exposed_schemas_sync
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.exposed_schemas
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.on_exposed_schemas_change();

SELECT dynapi.attach_row_triggers();
