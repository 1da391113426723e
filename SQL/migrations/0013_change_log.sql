-- 0013: events through a durable change log. Until now every exposed table
-- had an AFTER ROW trigger calling pg_notify for each row: every writer then
-- queued one notification per row and, at commit, serialised on PostgreSQL's
-- cluster-wide notify lock. Now three AFTER STATEMENT triggers per table write
-- the keys of the changed rows into dynapi.change_log, one entry per 1,000
-- rows; the sidecars tail the log, and NOTIFY (mode 'notify') is only a
-- wake-up, one per transaction.
--
-- Delivery follows PgQ: a "tick" records a snapshot, and the events of tick t
-- (batch t) are the entries whose transaction is visible in snapshot(t) and
-- not in snapshot(t - 1). Since transactions commit out of order, entries are
-- not ordered by id across batches, but every sidecar computes the same
-- batches from the same ticks, so an event's position (tick, id, ord) is the
-- same everywhere and a client can resume on any sidecar.
--
-- What other applications' writers pay is what matters most: the trigger
-- reads no dynapi table (its mode and the table's API name are trigger
-- arguments), uses static SQL only (plans cached per trigger), and inserts
-- into a table with one index and no constraint that could make it wait or
-- fail. Nothing running day to day takes a lock a writer's INSERT into the
-- log conflicts with: pruning only DELETEs, vacuum never truncates the log.
-- (Above a foreign table, where PostgreSQL cannot collect transition rows,
-- the triggers stay per row; see attach_row_trigger.)

----------------------------------------------------------------------------
-- Tables

-- No primary key: every index costs every writer, and nothing looks entries
-- up by id. No CHECK on event either: PostgreSQL reads a CHECK expression
-- back from the catalog for every statement that inserts, which cost each
-- writing statement as much as a third of the rest of the trigger; only the
-- bundle's own functions write here. The xid index serves batches (entries of given transactions) and
-- pruning (entries older than a transaction). id has no CACHE so that it
-- orders the entries of a batch as they were written (with a cache, each
-- session would draw from a range of its own).
CREATE TABLE dynapi.change_log (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at         timestamptz NOT NULL DEFAULT now(),
    table_name text,
    event      text NOT NULL,
    pks        jsonb NOT NULL
) WITH (
    -- A queue: rows arrive at the end and leave from the front (prune, at
    -- most 50,000 a call). Vacuum after each prune's worth of deletes, not
    -- after a fraction of a table that may hold a day of writes.
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 20000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 100000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 100000,
    -- Truncating empty pages at the end takes an ACCESS EXCLUSIVE lock, which
    -- would make every writer of an exposed table wait behind vacuum.
    vacuum_truncate = false
);
CREATE INDEX change_log_xid_idx ON dynapi.change_log (xid);
COMMENT ON TABLE dynapi.change_log IS
    'Row, schema and ACL changes, for the sidecars to tail in batches between ticks (dynapi.change_log_events). Written by triggers; pruned by dynapi.prune_change_log.';
COMMENT ON COLUMN dynapi.change_log.id IS 'Orders the entries of a batch.';
COMMENT ON COLUMN dynapi.change_log.xid IS 'The writing transaction: decides which batch the entry belongs to.';
COMMENT ON COLUMN dynapi.change_log.table_name IS
    'API name of the table (dynapi.api_name; the partitioned table for a partition); NULL for schema and acl entries.';
COMMENT ON COLUMN dynapi.change_log.event IS 'created, updated, deleted (rows), schema (DDL, settings) or acl (users, grants, settings).';
COMMENT ON COLUMN dynapi.change_log.pks IS
    'JSON array. Row events: one element per row, its primary key as the API shows it (bare value, {col: value} for a composite key, null without a key), at most 1,000 per entry. schema: [command tag]; acl: [table name].';

CREATE TABLE dynapi.change_log_ticks (
    tick     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot pg_snapshot NOT NULL,
    xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dynapi.change_log_ticks IS
    'Batch boundaries: batch t is the change_log entries whose transaction is visible in snapshot(t) and not in the snapshot of the tick before t. Written by dynapi.change_log_tick.';
COMMENT ON COLUMN dynapi.change_log_ticks.xid IS 'The transaction that made the tick (the next tick waits until it is visible).';
-- The base of the first batch: what was written before the install is not an event.
INSERT INTO dynapi.change_log_ticks (snapshot) VALUES (pg_current_snapshot());

-- One row, always: the boolean key allows one value and the guard below
-- refuses DELETE and TRUNCATE.
CREATE TABLE dynapi.event_settings (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    event_mode text NOT NULL DEFAULT 'notify' CHECK (event_mode IN ('notify', 'log', 'off')),
    retention  interval NOT NULL DEFAULT '24 hours' CHECK (retention > interval '0')
);
INSERT INTO dynapi.event_settings DEFAULT VALUES;
COMMENT ON TABLE dynapi.event_settings IS
    'Row events of the whole database (one row; UPDATE it): event_mode and how long the change log keeps events.';
COMMENT ON COLUMN dynapi.event_settings.event_mode IS
    'notify: log row changes and NOTIFY dynapi_events once per writing transaction (a wake-up); log: log only, the sidecars poll; off: no row triggers at all. dynapi.table_settings.event_mode overrides it per table.';
COMMENT ON COLUMN dynapi.event_settings.retention IS
    'Ticks (and the events of their batches) older than this are pruned; a client resuming from a pruned event must resynchronise.';

CREATE FUNCTION dynapi.keep_event_settings() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'dynapi.event_settings always has exactly one row'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'UPDATE dynapi.event_settings SET event_mode = ..., retention = ... instead.';
END;
$$;
COMMENT ON FUNCTION dynapi.keep_event_settings() IS
    'BEFORE DELETE/TRUNCATE trigger of dynapi.event_settings: refuses (SQLSTATE 22023); the one row is updated, never removed.';
CREATE TRIGGER dynapi_keep_event_settings
    BEFORE DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.keep_event_settings();

-- NULL: the database default (event_settings.event_mode).
ALTER TABLE dynapi.table_settings
    ADD COLUMN event_mode text CHECK (event_mode IN ('notify', 'log', 'off'));
COMMENT ON COLUMN dynapi.table_settings.event_mode IS
    'notify, log or off for this table; NULL uses dynapi.event_settings.event_mode. exposed = false means off whatever this says.';

----------------------------------------------------------------------------
-- Reading the log

-- The one definition of a batch: entries whose transaction is visible in
-- upto and was not in since. Those are transactions running at since (its
-- xip list) or starting after it (xid >= xmax(since)); both sets are found
-- through the xid index. Scanning from xmin(since) instead would make one
-- transaction left open for an hour cost every batch an hour of log.
-- SQL, not plpgsql, and with everything schema-qualified instead of a SET
-- clause, so that the planner inlines it into its callers.
CREATE FUNCTION dynapi.change_log_between(since pg_snapshot, upto pg_snapshot)
RETURNS TABLE (id bigint, xid xid8, table_name text, event text, pks jsonb)
LANGUAGE sql STABLE
AS $$
    SELECT l.id, l.xid, l.table_name, l.event, l.pks
      FROM dynapi.change_log AS l
     WHERE l.xid >= pg_catalog.pg_snapshot_xmax(since) AND l.xid < pg_catalog.pg_snapshot_xmax(upto)
       AND pg_catalog.pg_visible_in_snapshot(l.xid, upto)
    UNION ALL
    -- running at since, and no longer at upto: a transaction still open
    -- is not even looked up, however much it has written
    SELECT l.id, l.xid, l.table_name, l.event, l.pks
      FROM dynapi.change_log AS l
     WHERE l.xid = ANY (ARRAY(SELECT x FROM pg_catalog.pg_snapshot_xip(since) AS x
                               WHERE pg_catalog.pg_visible_in_snapshot(x, upto)))
$$;
COMMENT ON FUNCTION dynapi.change_log_between(pg_snapshot, pg_snapshot) IS
    'Internal: the change_log entries whose transaction is visible in upto and not in since (one batch, when they are consecutive ticks), found through the xid index.';

-- Called by every sidecar every few hundred milliseconds; one of them ticks
-- at a time (the others get the newest tick), and an idle database gets no
-- new tick, hence no write.
CREATE FUNCTION dynapi.change_log_tick() RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_snapshot pg_snapshot;
    last record;
    made bigint;
BEGIN
    -- A standby cannot write; it serves the ticks replicated from the primary.
    IF pg_is_in_recovery() OR NOT pg_try_advisory_xact_lock(4242000002) THEN
        RETURN (SELECT max(t.tick) FROM dynapi.change_log_ticks AS t);
    END IF;
    -- A statement of its own, after the lock, so that (in READ COMMITTED)
    -- the snapshot includes the commit of the previous tick.
    SELECT pg_current_snapshot() INTO current_snapshot;
    SELECT t.tick, t.snapshot, t.xid INTO last
      FROM dynapi.change_log_ticks AS t ORDER BY t.tick DESC LIMIT 1;
    IF FOUND THEN
        -- Only when the caller's snapshot is older than the last tick (a
        -- REPEATABLE READ transaction): a batch must never go backwards.
        IF NOT pg_visible_in_snapshot(last.xid, current_snapshot) THEN
            RETURN last.tick;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM dynapi.change_log_between(last.snapshot, current_snapshot)) THEN
            RETURN last.tick;
        END IF;
    END IF;
    -- Losing a tick in a crash only means its events come in the next batch;
    -- ticks are frequent, so they need not wait for the WAL flush.
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO dynapi.change_log_ticks (snapshot) VALUES (current_snapshot) RETURNING tick INTO made;
    RETURN made;
END;
$$;
COMMENT ON FUNCTION dynapi.change_log_tick() IS
    'Records a tick (a snapshot ending a batch) if change_log entries became visible since the last one, and returns it; otherwise, on a standby, or while another session ticks, returns the newest tick. Sets synchronous_commit off for the rest of the calling transaction when it ticks.';

CREATE FUNCTION dynapi.change_log_bounds() RETURNS TABLE (oldest_tick bigint, newest_tick bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT min(t.tick), max(t.tick) FROM dynapi.change_log_ticks AS t
$$;
COMMENT ON FUNCTION dynapi.change_log_bounds() IS
    'The oldest and newest tick kept. Events of the oldest tick''s batch are no longer complete: a client whose last event''s tick is <= oldest_tick must resynchronise.';

-- Raises rather than answering nothing: the caller must tell its client
-- that events were lost, not that there were none.
CREATE FUNCTION dynapi.change_log_check_since(since_tick bigint, since_id bigint, since_ord integer) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF since_tick IS NULL OR NOT EXISTS (SELECT 1 FROM dynapi.change_log_ticks AS t WHERE t.tick = since_tick) THEN
        RAISE EXCEPTION 'change log tick % does not exist (pruned, or never made)', coalesce(since_tick::text, 'NULL')
            USING ERRCODE = 'no_data_found',
                  HINT = 'Events after it may be lost: resynchronise, then follow from dynapi.change_log_bounds().newest_tick.';
    END IF;
    -- The rest of batch since_tick is wanted, but the tick before it (the
    -- batch's base) was pruned, and with it perhaps some of its entries.
    IF (since_id, since_ord) < (9223372036854775807, 2147483647)
       AND NOT EXISTS (SELECT 1 FROM dynapi.change_log_ticks AS t WHERE t.tick < since_tick) THEN
        RAISE EXCEPTION 'change log batch % is no longer complete (the tick before it was pruned)', since_tick
            USING ERRCODE = 'no_data_found',
                  HINT = 'Events of it may be lost: resynchronise, then follow from dynapi.change_log_bounds().newest_tick.';
    END IF;
    RETURN true;
END;
$$;
COMMENT ON FUNCTION dynapi.change_log_check_since(bigint, bigint, integer) IS
    'Internal: true if change_log_events can start after (since_tick, since_id, since_ord); raises SQLSTATE P0002 if it cannot.';

-- SQL so that it is inlined into the caller's query: a caller's LIMIT then
-- stops the reading (the batches come in tick order, each one sorted on its
-- own), and paging through a long backlog does not recompute all of it for
-- every page. The check runs once, before any batch is read.
CREATE FUNCTION dynapi.change_log_events(since_tick bigint, since_id bigint, since_ord integer, upto_tick bigint,
                                         only_table text DEFAULT NULL)
RETURNS TABLE (tick bigint, id bigint, ord integer, table_name text, event text, pk jsonb)
LANGUAGE sql STABLE
AS $$
    SELECT b.tick, l.id, (e.n - 1)::integer, l.table_name, l.event, e.pk
      FROM (SELECT t.tick, t.snapshot, pg_catalog.lag(t.snapshot) OVER (ORDER BY t.tick) AS base
              FROM dynapi.change_log_ticks AS t
             -- from the tick before since_tick: the base of batch since_tick
             WHERE t.tick >= coalesce((SELECT max(p.tick) FROM dynapi.change_log_ticks AS p
                                        WHERE p.tick < change_log_events.since_tick),
                                      change_log_events.since_tick)
               AND t.tick <= change_log_events.upto_tick) AS b
     CROSS JOIN LATERAL dynapi.change_log_between(b.base, b.snapshot) AS l
     CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(l.pks) WITH ORDINALITY AS e(pk, n)
     WHERE dynapi.change_log_check_since(change_log_events.since_tick, change_log_events.since_id,
                                         change_log_events.since_ord)
       AND b.base IS NOT NULL
       AND b.tick >= change_log_events.since_tick
       -- the live tailer's (t, max, max): batch t is not even read
       AND (b.tick > change_log_events.since_tick
            OR (change_log_events.since_id, change_log_events.since_ord) < (9223372036854775807, 2147483647))
       AND (b.tick > change_log_events.since_tick
            OR (l.id, e.n - 1) > (change_log_events.since_id, change_log_events.since_ord))
       AND (change_log_events.only_table IS NULL
            OR (l.table_name = change_log_events.only_table AND l.event IN ('created', 'updated', 'deleted')))
     ORDER BY b.tick, l.id, e.n
$$;
COMMENT ON FUNCTION dynapi.change_log_events(bigint, bigint, integer, bigint, text) IS
    'Events of batches since_tick..upto_tick after position (since_tick, since_id, since_ord), one row per key (ord: its index in the entry''s pks), ordered by (tick, id, ord); only_table: that table''s row events only. (t, 9223372036854775807, 2147483647, u) gives the batches after t. SQLSTATE P0002 if since_tick (or, when part of its batch is wanted, the tick before it) is no longer kept.';

-- The sidecars call it about once a minute. Only DELETE, which takes the
-- same lock as the writers' INSERTs, and at most 50,000 entries a call so
-- that no call runs long; a backlog goes in a few calls.
CREATE FUNCTION dynapi.prune_change_log() RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retention interval := coalesce((SELECT s.retention FROM dynapi.event_settings AS s), interval '24 hours');
    keep bigint;
    horizon xid8;
    deleted bigint;
BEGIN
    -- A standby cannot write; the primary's pruning is replicated to it.
    IF pg_is_in_recovery() OR NOT pg_try_advisory_xact_lock(4242000003) THEN
        RETURN 0;
    END IF;
    -- No tick for longer than the retention: no sidecar is running. Tick
    -- here, so that pruning from cron alone keeps the log from growing.
    IF (SELECT max(t.at) FROM dynapi.change_log_ticks AS t) < now() - retention THEN
        PERFORM dynapi.change_log_tick();
    END IF;
    -- The newest tick past the retention stays, as the base of the next
    -- batch: the batches after it are all still complete.
    SELECT max(t.tick) INTO keep
      FROM dynapi.change_log_ticks AS t
     WHERE t.at < now() - retention;
    IF keep IS NOT NULL THEN
        DELETE FROM dynapi.change_log_ticks AS t WHERE t.tick < keep;
    END IF;
    -- Entries of transactions older than every transaction running at the
    -- oldest tick are visible in it: they belonged to batches now gone.
    SELECT pg_snapshot_xmin(t.snapshot) INTO horizon
      FROM dynapi.change_log_ticks AS t ORDER BY t.tick LIMIT 1;
    IF horizon IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM dynapi.change_log AS l
     WHERE l.ctid = ANY (ARRAY(SELECT o.ctid FROM dynapi.change_log AS o
                                WHERE o.xid < horizon ORDER BY o.xid LIMIT 50000));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    -- A lost prune is redone by the next call.
    PERFORM set_config('synchronous_commit', 'off', true);
    RETURN deleted;
END;
$$;
COMMENT ON FUNCTION dynapi.prune_change_log() IS
    'Deletes the ticks past dynapi.event_settings.retention (keeping the newest of them as the oldest tick) and up to 50,000 change_log entries of the batches gone with them; returns the number of entries deleted (0 while another session prunes, and on a standby). Call it again while it returns 50000. Ticks first if the newest tick is past the retention (no sidecar running).';

----------------------------------------------------------------------------
-- Modes

-- exposed = false is 'off' whatever the settings say: such a table sends
-- nothing (0012).
CREATE FUNCTION dynapi.event_mode(api_name text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN s.exposed IS FALSE THEN 'off'
                ELSE coalesce(s.event_mode,
                              (SELECT e.event_mode FROM dynapi.event_settings AS e),
                              'notify')
           END
      FROM (SELECT NULL) AS dummy
      LEFT JOIN dynapi.table_settings AS s ON s.table_name = event_mode.api_name
$$;
COMMENT ON FUNCTION dynapi.event_mode(text) IS
    'The event mode of a table by API name: its table_settings.event_mode, else event_settings.event_mode; off when its settings say exposed = false.';

----------------------------------------------------------------------------
-- Row triggers

-- Trigger arguments: mode, API name, key position, then the primary-key
-- columns. The key position is '1', '2' or '3' when the key is one column
-- and that column is the first, second or third of the rows the trigger
-- sees (the columns of the table it is on, dropped ones not counted), and
-- '0' otherwise (a composite key, no key, a key further right, a table with
-- another column named dynapi_key, row triggers). The statement's rows are
-- in the transition table dynapi_rows (NEW TABLE for INSERT and UPDATE, OLD
-- TABLE for DELETE). SECURITY DEFINER because it fires for whichever role
-- writes the rows, and that role usually has no access to schema dynapi.
-- Static SQL only: plpgsql prepares it once per trigger and reuses the plan
-- for every statement, so one function serves every key shape through
-- branches its arguments choose.
--
-- No SET clause: a SET search_path made every writing statement set the
-- setting and recompute the search path on the way in and again on the
-- way out, a tenth of what the trigger cost. The function runs with the
-- writer's search_path instead, so nothing in it may be found through it:
-- every function, operator and type is schema-qualified
-- (pg_catalog.jsonb_build_array, OPERATOR(pg_catalog.=), pg_catalog.jsonb),
-- the log is dynapi.change_log, and dynapi_rows is an ephemeral named
-- relation, which PostgreSQL looks up before any schema. What is left
-- unqualified is syntax (IF, NOT, AND, OR, CASE WHEN, coalesce, EXISTS,
-- FOUND, RAISE). Keep it so: test_change_log.sql writes through every
-- branch with a search_path whose first schema shadows these names. (Plans remember
-- the search_path they were made under: a backend whose writers alternate
-- between search_paths re-plans the statements at each change, which costs
-- time, never correctness.)
CREATE FUNCTION dynapi.log_row_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    row_data pg_catalog.jsonb;
BEGIN
    -- Every statement, plan node and plpgsql expression here is paid by
    -- each writing statement of the table, and setting up an executor
    -- costs more than the work for one row; a plpgsql expression costs
    -- about 2,000 instructions, one subscripting TG_ARGV 2,500 more. So the
    -- most common statement, one row with a one-column key, takes two
    -- expressions and one INSERT ... SELECT without aggregate (guarded by an
    -- uncorrelated "no second row", evaluated once) that reads the key by
    -- position: the transition table's columns are renamed positionally,
    -- (dynapi_c1, dynapi_key), instead of converting the whole row with
    -- to_jsonb to find the key by name. One statement per key shape, as a
    -- sub-select in a CASE branch is set up even when not taken, tested in
    -- the order of how common the shapes are: the key in the first column;
    -- found by name (composite keys, no key, row triggers); the second and
    -- third column. The event is looked up in a constant jsonb object,
    -- cheaper than a CASE on TG_OP.
    IF TG_ARGV[2] OPERATOR(pg_catalog.=) '1' THEN
        INSERT INTO dynapi.change_log (table_name, event, pks)
        SELECT TG_ARGV[1],
               '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                   OPERATOR(pg_catalog.->>) TG_OP,
               pg_catalog.jsonb_build_array(r.dynapi_key)
          FROM dynapi_rows AS r (dynapi_key)
         WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
    ELSIF TG_ARGV[2] OPERATOR(pg_catalog.=) '0' THEN
        -- The key found by name (or none); and the row triggers.
        IF TG_LEVEL OPERATOR(pg_catalog.=) 'ROW' THEN
            -- Only on the leaves of a tree with foreign tables (see
            -- attach_row_trigger): one entry per row.
            IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
                row_data := pg_catalog.to_jsonb(OLD);
            ELSE
                row_data := pg_catalog.to_jsonb(NEW);
            END IF;
            INSERT INTO dynapi.change_log (table_name, event, pks)
            VALUES (TG_ARGV[1],
                    '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                        OPERATOR(pg_catalog.->>) TG_OP,
                    pg_catalog.jsonb_build_array(CASE
                        WHEN TG_NARGS OPERATOR(pg_catalog.=) 3 THEN 'null'::pg_catalog.jsonb
                        WHEN TG_NARGS OPERATOR(pg_catalog.=) 4
                            THEN coalesce(row_data OPERATOR(pg_catalog.->) TG_ARGV[3], 'null'::pg_catalog.jsonb)
                        ELSE (SELECT pg_catalog.jsonb_object_agg(c.name, coalesce(row_data OPERATOR(pg_catalog.->) c.name,
                                                                                  'null'::pg_catalog.jsonb))
                                FROM pg_catalog.unnest(TG_ARGV[3:]) AS c(name))
                    END));
            IF TG_ARGV[0] OPERATOR(pg_catalog.=) 'notify' THEN
                PERFORM pg_catalog.pg_notify('dynapi_events', pg_catalog.pg_current_xact_id()::pg_catalog.text);
            END IF;
            RETURN NULL;
        ELSIF TG_NARGS OPERATOR(pg_catalog.>) 4 THEN
            -- a composite key
            INSERT INTO dynapi.change_log (table_name, event, pks)
            SELECT TG_ARGV[1],
                   '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                       OPERATOR(pg_catalog.->>) TG_OP,
                   pg_catalog.jsonb_build_array((SELECT pg_catalog.jsonb_object_agg(c.name,
                                                            coalesce(j.row_data OPERATOR(pg_catalog.->) c.name,
                                                                     'null'::pg_catalog.jsonb))
                                                   FROM (SELECT pg_catalog.to_jsonb(r)) AS j(row_data),
                                                        pg_catalog.unnest(TG_ARGV[3:]) AS c(name)))
              FROM dynapi_rows AS r
             WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
        ELSIF TG_NARGS OPERATOR(pg_catalog.=) 4 THEN
            -- a one-column key, by name
            INSERT INTO dynapi.change_log (table_name, event, pks)
            SELECT TG_ARGV[1],
                   '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                       OPERATOR(pg_catalog.->>) TG_OP,
                   pg_catalog.jsonb_build_array(coalesce(pg_catalog.to_jsonb(r) OPERATOR(pg_catalog.->) TG_ARGV[3],
                                                         'null'::pg_catalog.jsonb))
              FROM dynapi_rows AS r
             WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
        ELSE
            -- no key
            INSERT INTO dynapi.change_log (table_name, event, pks)
            SELECT TG_ARGV[1],
                   '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                       OPERATOR(pg_catalog.->>) TG_OP,
                   '[null]'::pg_catalog.jsonb
              FROM dynapi_rows AS r
             WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
        END IF;
    ELSIF TG_ARGV[2] OPERATOR(pg_catalog.=) '2' THEN
        INSERT INTO dynapi.change_log (table_name, event, pks)
        SELECT TG_ARGV[1],
               '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                   OPERATOR(pg_catalog.->>) TG_OP,
               pg_catalog.jsonb_build_array(r.dynapi_key)
          FROM dynapi_rows AS r (dynapi_c1, dynapi_key)
         WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
    ELSIF TG_ARGV[2] OPERATOR(pg_catalog.=) '3' THEN
        INSERT INTO dynapi.change_log (table_name, event, pks)
        SELECT TG_ARGV[1],
               '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                   OPERATOR(pg_catalog.->>) TG_OP,
               pg_catalog.jsonb_build_array(r.dynapi_key)
          FROM dynapi_rows AS r (dynapi_c1, dynapi_c2, dynapi_key)
         WHERE NOT EXISTS (SELECT FROM dynapi_rows OFFSET 1);
    ELSE
        RAISE EXCEPTION 'dynapi.log_row_changes: trigger arguments % are not (mode, API name, key position, key columns...)',
                        TG_ARGV::pg_catalog.text
            USING HINT = 'SELECT dynapi.attach_row_triggers() re-creates the triggers.';
    END IF;

    -- One expression for "one row logged, mode log": nothing more to do.
    IF NOT FOUND OR TG_ARGV[0] OPERATOR(pg_catalog.=) 'notify' THEN
        -- Nothing logged: no row (an UPDATE matching nothing, the idle half
        -- of an upsert), or several. Then one entry per 1,000 rows, keys in
        -- the order the statement wrote the rows. (Nested IFs: one
        -- expression with a sub-select would set up an executor every time.)
        IF NOT FOUND THEN
            IF NOT EXISTS (SELECT FROM dynapi_rows) THEN
                RETURN NULL;
            END IF;
            IF TG_ARGV[2] OPERATOR(pg_catalog.=) '1' THEN
                INSERT INTO dynapi.change_log (table_name, event, pks)
                SELECT TG_ARGV[1],
                       '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                           OPERATOR(pg_catalog.->>) TG_OP,
                       pg_catalog.jsonb_agg(k.pk ORDER BY k.n)
                  FROM (SELECT r.dynapi_key AS pk, pg_catalog.row_number() OVER () OPERATOR(pg_catalog.-) 1 AS n
                          FROM dynapi_rows AS r (dynapi_key)) AS k
                 GROUP BY k.n OPERATOR(pg_catalog./) 1000
                 ORDER BY k.n OPERATOR(pg_catalog./) 1000;
            ELSIF TG_ARGV[2] OPERATOR(pg_catalog.=) '2' THEN
                INSERT INTO dynapi.change_log (table_name, event, pks)
                SELECT TG_ARGV[1],
                       '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                           OPERATOR(pg_catalog.->>) TG_OP,
                       pg_catalog.jsonb_agg(k.pk ORDER BY k.n)
                  FROM (SELECT r.dynapi_key AS pk, pg_catalog.row_number() OVER () OPERATOR(pg_catalog.-) 1 AS n
                          FROM dynapi_rows AS r (dynapi_c1, dynapi_key)) AS k
                 GROUP BY k.n OPERATOR(pg_catalog./) 1000
                 ORDER BY k.n OPERATOR(pg_catalog./) 1000;
            ELSIF TG_ARGV[2] OPERATOR(pg_catalog.=) '3' THEN
                INSERT INTO dynapi.change_log (table_name, event, pks)
                SELECT TG_ARGV[1],
                       '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                           OPERATOR(pg_catalog.->>) TG_OP,
                       pg_catalog.jsonb_agg(k.pk ORDER BY k.n)
                  FROM (SELECT r.dynapi_key AS pk, pg_catalog.row_number() OVER () OPERATOR(pg_catalog.-) 1 AS n
                          FROM dynapi_rows AS r (dynapi_c1, dynapi_c2, dynapi_key)) AS k
                 GROUP BY k.n OPERATOR(pg_catalog./) 1000
                 ORDER BY k.n OPERATOR(pg_catalog./) 1000;
            ELSE
                INSERT INTO dynapi.change_log (table_name, event, pks)
                SELECT TG_ARGV[1],
                       '{"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}'::pg_catalog.jsonb
                           OPERATOR(pg_catalog.->>) TG_OP,
                       pg_catalog.jsonb_agg(k.pk ORDER BY k.n)
                  FROM (SELECT CASE
                                   WHEN TG_NARGS OPERATOR(pg_catalog.=) 3 THEN 'null'::pg_catalog.jsonb
                                   WHEN TG_NARGS OPERATOR(pg_catalog.=) 4
                                       THEN coalesce(pg_catalog.to_jsonb(r) OPERATOR(pg_catalog.->) TG_ARGV[3],
                                                     'null'::pg_catalog.jsonb)
                                   ELSE (SELECT pg_catalog.jsonb_object_agg(c.name,
                                                    coalesce(j.row_data OPERATOR(pg_catalog.->) c.name,
                                                             'null'::pg_catalog.jsonb))
                                           FROM (SELECT pg_catalog.to_jsonb(r)) AS j(row_data),
                                                pg_catalog.unnest(TG_ARGV[3:]) AS c(name))
                               END AS pk,
                               pg_catalog.row_number() OVER () OPERATOR(pg_catalog.-) 1 AS n
                          FROM dynapi_rows AS r) AS k
                 GROUP BY k.n OPERATOR(pg_catalog./) 1000
                 ORDER BY k.n OPERATOR(pg_catalog./) 1000;
            END IF;
        END IF;
        -- One payload per transaction: NOTIFY folds identical payloads, so a
        -- transaction of many statements still queues one notification.
        IF TG_ARGV[0] OPERATOR(pg_catalog.=) 'notify' THEN
            PERFORM pg_catalog.pg_notify('dynapi_events', pg_catalog.pg_current_xact_id()::pg_catalog.text);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.log_row_changes() IS
    'AFTER STATEMENT trigger (REFERENCING ... TABLE AS dynapi_rows): writes the changed rows'' keys to dynapi.change_log, 1,000 per entry; in mode notify also NOTIFY dynapi_events (payload: the transaction id). Arguments: mode, API name, key position (1 to 3: the one key column''s number among the table''s columns; 0: find the key by name), primary-key columns. As an AFTER ROW trigger (partition trees with foreign partitions), one entry per row. No SET search_path: everything in it is schema-qualified.';
REVOKE EXECUTE ON FUNCTION dynapi.log_row_changes() FROM PUBLIC;

-- The 0004/0012 function, for the statement triggers. PostgreSQL allows a
-- transition table only on a trigger for one event, hence three triggers.
-- Statement triggers are not cloned to partitions and a statement fires
-- only those of the table it names, so every member of a partition tree
-- (root, intermediate, leaf) gets its own, all logging the root's API name
-- and key. Since they are not cloned, they never block ATTACH PARTITION.
-- Triggers whose definition and arguments already fit are left alone (no
-- lock, no DDL); those that differ (mode, a renamed table or key, a key
-- that moved, a new root) are recreated. The old per-row dynapi_row_events
-- trigger goes.
--
-- Except above a foreign table (a foreign partition, or a foreign
-- inheritance child): PostgreSQL refuses to collect transition rows from
-- one, so a transition-table trigger on any table above it would make every
-- write that reaches the foreign table fail. Such a tree keeps 0004's
-- layout: FOR EACH ROW triggers (same names, same function) on its local
-- leaves (and on a plain inheritance parent), none on partitioned tables;
-- foreign tables log nothing, as before.
CREATE OR REPLACE FUNCTION dynapi.attach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root oid := coalesce(pg_partition_root(rel), rel);
    root_kind "char";
    is_temp boolean;
    root_name text;
    mode text;
    pk_columns text[];
    key_position integer;
    args text[];
    wanted_args bytea;
    per_row boolean;
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
    root_name := dynapi.api_name(root);
    mode := dynapi.event_mode(root_name);
    -- Mode off, or exposed = false (0012): no triggers at all.
    IF mode = 'off' THEN
        PERFORM dynapi.detach_row_trigger(root);
        RETURN;
    END IF;

    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk_columns
      FROM pg_index AS i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = root AND i.indisprimary;

    -- the whole inheritance family: a statement on a parent also writes the
    -- children, whose own statement triggers do not fire then
    per_row := EXISTS (WITH RECURSIVE above(oid) AS (
                           SELECT root
                           UNION
                           SELECT i.inhparent FROM pg_inherits AS i JOIN above ON i.inhrelid = above.oid
                       ), below(oid) AS (
                           SELECT oid FROM above
                           UNION
                           SELECT i.inhrelid FROM pg_inherits AS i JOIN below ON i.inhparent = below.oid)
                       SELECT 1 FROM below JOIN pg_class AS c ON c.oid = below.oid WHERE c.relkind = 'f');

    FOR member IN
        SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qualified
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE (c.oid = root OR c.oid IN (SELECT relid FROM pg_partition_tree(root)))
           AND c.relkind IN ('r', 'p')
         -- partitioned tables first: dropping an old row trigger there
         -- removes its clones from the leaves handled afterwards
         ORDER BY c.relkind = 'r', c.oid
    LOOP
        -- The key position (see log_row_changes) is the member's own: a
        -- statement on a partition fires the partition's triggers with its
        -- rows, whose columns may be in another order than the root's. A
        -- positional alias skips dropped columns, and renames the first
        -- columns only, so another column named dynapi_key would make the
        -- trigger's reference to the key ambiguous: the key is then found
        -- by name. Dropping a column before the key changes the position:
        -- the DDL event trigger calls this function, and the triggers are
        -- recreated with the new one.
        key_position := 0;
        IF NOT per_row AND cardinality(pk_columns) = 1 THEN
            SELECT l.n INTO key_position
              FROM (SELECT a.attname, row_number() OVER (ORDER BY a.attnum) AS n
                      FROM pg_attribute AS a
                     WHERE a.attrelid = member.oid AND a.attnum > 0 AND NOT a.attisdropped) AS l
             WHERE l.attname = pk_columns[1];
            IF key_position IS NULL OR key_position > 3
               OR EXISTS (SELECT 1 FROM pg_attribute AS a
                           WHERE a.attrelid = member.oid AND a.attnum > 0 AND NOT a.attisdropped
                             AND a.attname = 'dynapi_key' AND a.attname <> pk_columns[1]) THEN
                key_position := 0;
            END IF;
        END IF;
        args := ARRAY[mode, root_name, key_position::text] || coalesce(pk_columns, '{}');
        -- pg_trigger.tgargs is the arguments, each NUL-terminated, in the
        -- server encoding.
        SELECT string_agg(convert_to(a, current_setting('server_encoding')) || '\x00'::bytea, ''::bytea ORDER BY o)
          INTO wanted_args
          FROM unnest(args) WITH ORDINALITY AS u(a, o);

        IF EXISTS (SELECT 1 FROM pg_trigger AS t
                    WHERE t.tgrelid = member.oid AND t.tgname = 'dynapi_row_events' AND t.tgparentid = 0) THEN
            PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER dynapi_row_events ON %s', member.qualified));
        END IF;
        -- tgtype: AFTER, the event's bit, and 1 for FOR EACH ROW.
        FOR kind IN
            SELECT v.suffix, v.command, v.transition, v.tgtype | CASE WHEN per_row THEN 1 ELSE 0 END AS tgtype
              FROM (VALUES ('insert', 'INSERT', 'NEW', 4), ('update', 'UPDATE', 'NEW', 16),
                           ('delete', 'DELETE', 'OLD', 8)) AS v(suffix, command, transition, tgtype)
        LOOP
            CONTINUE WHEN NOT (per_row AND member.relkind = 'p') AND EXISTS (
                SELECT 1 FROM pg_trigger AS t
                 WHERE t.tgrelid = member.oid AND t.tgname = 'dynapi_row_events_' || kind.suffix
                   AND t.tgfoid = 'dynapi.log_row_changes()'::regprocedure
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
                    'FOR EACH STATEMENT EXECUTE FUNCTION dynapi.log_row_changes(%s)',
                    'dynapi_row_events_' || kind.suffix, kind.command, member.qualified, kind.transition,
                    (SELECT string_agg(quote_literal(a), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o))));
            ELSIF member.relkind = 'r' THEN
                PERFORM dynapi.run_internal_ddl(format(
                    'CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION dynapi.log_row_changes(%s)',
                    'dynapi_row_events_' || kind.suffix, kind.command, member.qualified,
                    (SELECT string_agg(quote_literal(a), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o))));
            END IF;
        END LOOP;
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.attach_row_trigger(regclass) IS
    'Makes a table (for a partitioned table or a partition: every member of its tree) log its row changes per its event mode: the dynapi_row_events_insert/_update/_delete statement triggers, keyed by the root''s current primary key (with its position among each member''s columns) and named by its API name (row triggers on the local leaves of a tree with foreign partitions); removes them for mode off or exposed = false. Idempotent; a no-op for temporary tables.';

CREATE OR REPLACE FUNCTION dynapi.detach_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    member record;
BEGIN
    FOR member IN
        SELECT t.tgname, format('%I.%I', n.nspname, c.relname) AS qualified
          FROM pg_trigger AS t
          JOIN pg_class AS c ON c.oid = t.tgrelid
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE t.tgname IN ('dynapi_row_events', 'dynapi_row_events_insert',
                            'dynapi_row_events_update', 'dynapi_row_events_delete')
           AND t.tgparentid = 0
           AND (c.oid = rel OR c.oid IN (SELECT relid FROM pg_partition_tree(rel)))
         ORDER BY c.relkind = 'r', c.oid, t.tgname
    LOOP
        PERFORM dynapi.run_internal_ddl(format('DROP TRIGGER %I ON %s', member.tgname, member.qualified));
    END LOOP;
END;
$$;
COMMENT ON FUNCTION dynapi.detach_row_trigger(regclass) IS
    'Removes the row-event triggers (dynapi_row_events_insert/_update/_delete, and the old dynapi_row_events) from a table and all members of its partition tree.';

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
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
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
    'Attaches the row-event triggers to every table in dynapi.exposed_schemas per its event mode (removing them where it is off); returns how many tables now log row events.';

-- Triggers that no longer fit their table for reasons the table's own DDL
-- does not report: a partition detached from its root (it still logs the
-- root's name), a table whose schema was renamed or is no longer exposed,
-- a table that became part of an extension. Cheap when nothing is stale:
-- one pass over pg_trigger comparing the name argument.
CREATE FUNCTION dynapi.fix_stale_row_triggers() RETURNS void
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
         WHERE t.tgfoid = 'dynapi.log_row_changes()'::regprocedure
           AND t.tgname = 'dynapi_row_events_insert' AND t.tgparentid = 0
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

CREATE OR REPLACE FUNCTION dynapi.on_exposed_schemas_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM dynapi.fix_stale_row_triggers();
    PERFORM dynapi.attach_row_triggers();
    PERFORM pg_notify('dynapi_schema', 'exposed_schemas');
    INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', '["exposed_schemas"]');
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_exposed_schemas_change() IS
    'AFTER STATEMENT trigger of dynapi.exposed_schemas: removes the row-event triggers of tables no longer exposed, attaches them to newly exposed ones, NOTIFYs dynapi_schema and logs a schema entry (exposed_schemas).';

-- 0012's function; event_mode changes re-attach too.
CREATE OR REPLACE FUNCTION dynapi.on_table_settings_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    names text[];
    rel regclass;
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM dynapi.attach_row_triggers();
        RETURN NULL;
    END IF;

    IF TG_OP = 'INSERT' THEN
        names := ARRAY[NEW.table_name];
    ELSIF TG_OP = 'DELETE' THEN
        names := ARRAY[OLD.table_name];
    ELSIF OLD.table_name IS DISTINCT FROM NEW.table_name OR OLD.exposed IS DISTINCT FROM NEW.exposed
          OR OLD.event_mode IS DISTINCT FROM NEW.event_mode THEN
        names := ARRAY[OLD.table_name, NEW.table_name];
    ELSE
        RETURN NULL;   -- only lists or label changed: the triggers are not concerned
    END IF;

    -- attach_row_trigger reads the settings as they are now, so it attaches,
    -- re-attaches or removes as needed. Tables that do not exist (yet), are
    -- outside the exposed schemas, or belong to an extension are left alone.
    FOR rel IN
        SELECT DISTINCT dynapi.api_table(t) FROM unnest(names) AS t
    LOOP
        CONTINUE WHEN rel IS NULL
            OR EXISTS (SELECT 1 FROM pg_depend AS d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = rel AND d.deptype = 'e');
        PERFORM dynapi.attach_row_trigger(rel);
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_table_settings_change() IS
    'AFTER ROW (and AFTER TRUNCATE) trigger of dynapi.table_settings: re-attaches or removes the row-event triggers of the tables named by changed rows when exposed or event_mode changes.';

-- SECURITY DEFINER for the same reason as on_table_settings_change: whoever
-- may change the settings usually owns none of the tables.
CREATE FUNCTION dynapi.on_event_settings_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM dynapi.attach_row_triggers();
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION dynapi.on_event_settings_change() IS
    'AFTER UPDATE trigger of dynapi.event_settings (when event_mode changes): re-attaches every table''s row-event triggers.';
REVOKE EXECUTE ON FUNCTION dynapi.on_event_settings_change() FROM PUBLIC;

CREATE TRIGGER dynapi_event_settings_sync
    AFTER UPDATE ON dynapi.event_settings
    FOR EACH ROW WHEN (OLD.event_mode IS DISTINCT FROM NEW.event_mode)
    EXECUTE FUNCTION dynapi.on_event_settings_change();
COMMENT ON TRIGGER dynapi_event_settings_sync ON dynapi.event_settings IS
    'A new default event mode re-attaches the row-event triggers of every table.';

----------------------------------------------------------------------------
-- Schema and ACL entries: everything sent on dynapi_schema and dynapi_acl
-- is logged as well, under the same conditions, so that a sidecar (or a
-- client resuming on another sidecar) misses none of them.

CREATE OR REPLACE FUNCTION dynapi.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    root regclass;
    touched_tables boolean := false;
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
    -- CREATE TABLE, ADD/DROP PRIMARY KEY, SET SCHEMA, ATTACH/DETACH
    -- PARTITION ... is 'table'. A partition stands for its whole tree.
    -- The changed table's whole inheritance family (a partition tree, or
    -- legacy inheritance) is checked: a foreign table joining it changes
    -- the family's triggers (see attach_row_trigger). Objects created and
    -- dropped within the same command are gone by now.
    FOR root IN
        WITH RECURSIVE above(oid) AS (
            SELECT c.oid
              FROM pg_event_trigger_ddl_commands() AS cmd
              JOIN pg_class AS c ON c.oid = cmd.objid
             WHERE cmd.classid = 'pg_class'::regclass
               AND cmd.object_type IN ('table', 'table column', 'foreign table')
               AND NOT cmd.in_extension
               AND c.relkind IN ('r', 'p', 'f')
            UNION
            SELECT i.inhparent FROM pg_inherits AS i JOIN above ON i.inhrelid = above.oid
        ), touched(oid) AS (
            SELECT oid FROM above
            UNION
            SELECT i.inhrelid FROM pg_inherits AS i JOIN touched ON i.inhparent = touched.oid
        )
        SELECT DISTINCT r.oid
          FROM touched
          JOIN pg_class AS r ON r.oid = coalesce(pg_partition_root(touched.oid), touched.oid)
         WHERE r.relkind IN ('r', 'p')
           AND r.relpersistence <> 't'
           -- an extension's tables belong to its scripts (as in attach_row_triggers)
           AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid IN (touched.oid, r.oid)
                              AND d.deptype = 'e')
    LOOP
        touched_tables := true;
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
    -- A partition detached by the command above still logs its old root's
    -- name; a renamed schema changes the names of all its tables (and may
    -- make them exposed or not).
    IF touched_tables THEN
        PERFORM dynapi.fix_stale_row_triggers();
    END IF;
    IF tg_tag = 'ALTER SCHEMA' THEN
        PERFORM dynapi.fix_stale_row_triggers();
        PERFORM dynapi.attach_row_triggers();
    END IF;

    -- No rows at all means nothing changed (e.g. CREATE TABLE IF NOT EXISTS
    -- on an existing table), so that is not announced either.
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() AS cmd
                WHERE cmd.schema_name IS NULL OR cmd.schema_name NOT LIKE 'pg\_temp%') THEN
        PERFORM pg_notify('dynapi_schema', tg_tag);
        INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', jsonb_build_array(tg_tag));
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_ddl_command_end() IS
    'ddl_command_end event trigger: keeps row-event triggers on exposed tables current, NOTIFYs dynapi_schema with the command tag and logs it as a schema entry.';

-- Now SECURITY DEFINER: it writes the log, and a role that may drop its own
-- tables usually has no access to schema dynapi.
CREATE OR REPLACE FUNCTION dynapi.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('dynapi.internal_ddl', true) = 'on' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() WHERE NOT is_temporary) THEN
        PERFORM pg_notify('dynapi_schema', 'DROP');
        INSERT INTO dynapi.change_log (event, pks) VALUES ('schema', '["DROP"]');
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.on_sql_drop() IS
    'sql_drop event trigger: unless only temporary objects went away, NOTIFYs dynapi_schema with DROP and logs it as a schema entry.';

-- Now SECURITY DEFINER: a role allowed to write, say, dynapi.table_settings
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

-- The sidecars keep the event settings with the table settings: reloaded on
-- both channels, like dynapi.table_settings (0006, 0012).
CREATE TRIGGER dynapi_acl_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_acl_change();
CREATE TRIGGER dynapi_schema_events
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dynapi.event_settings
    FOR EACH STATEMENT EXECUTE FUNCTION dynapi.notify_schema_change();
COMMENT ON TRIGGER dynapi_schema_events ON dynapi.event_settings IS
    'NOTIFY dynapi_schema, ''event_settings'': sidecars reload their schema snapshot, which holds the settings.';

----------------------------------------------------------------------------
-- Configuration documents (0008): table_settings[].event_mode and a
-- top-level "events": {"mode", "retention"}.

-- IntervalStyle fixed so that the same retention exports as the same text
-- whatever the session's style.
CREATE OR REPLACE FUNCTION dynapi.export_config() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET IntervalStyle = 'postgres'
AS $$
    SELECT jsonb_build_object(
        'format', 'dynapi-config',
        'version', 1,
        'roles', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('name', r.name, 'description', r.description)
                              ORDER BY r.name COLLATE "C")
               FROM dynapi.roles AS r),
            '[]'::jsonb),
        'user_roles', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('username', u.username, 'role', r.name,
                                                 'table_name', ur.table_name,
                                                 'can_create', ur.can_create, 'can_read', ur.can_read,
                                                 'can_update', ur.can_update, 'can_delete', ur.can_delete)
                              ORDER BY u.username COLLATE "C", ur.table_name COLLATE "C")
               FROM dynapi.user_roles AS ur
               JOIN dynapi.users AS u ON u.id = ur.user_id
               LEFT JOIN dynapi.roles AS r ON r.id = ur.role_id),
            '[]'::jsonb),
        'table_settings', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('table_name', s.table_name, 'exposed', s.exposed,
                                                 'hidden_columns', to_jsonb(s.hidden_columns),
                                                 'read_only_columns', to_jsonb(s.read_only_columns),
                                                 'label', s.label, 'event_mode', s.event_mode)
                              ORDER BY s.table_name COLLATE "C")
               FROM dynapi.table_settings AS s),
            '[]'::jsonb),
        'actions', coalesce(
            (SELECT jsonb_agg(jsonb_build_object('table_name', a.table_name, 'name', a.name,
                                                 'function', a.function,
                                                 'required_permission', a.required_permission)
                              ORDER BY a.table_name COLLATE "C", a.name COLLATE "C")
               FROM dynapi.actions AS a),
            '[]'::jsonb),
        'events', coalesce(
            (SELECT jsonb_build_object('mode', e.event_mode, 'retention', e.retention::text)
               FROM dynapi.event_settings AS e),
            '{"mode": "notify", "retention": "24:00:00"}'::jsonb))
$$;
COMMENT ON FUNCTION dynapi.export_config() IS
    'The configuration (roles, user_roles by username, table_settings, actions, events) as a "dynapi-config" version 1 document, rows in a stable order. Users and passwords are not included.';

-- 0008's spec plus table_settings.event_mode (kind 'mode?': notify, log,
-- off or null). The "events" object is checked by import_config itself.
CREATE OR REPLACE FUNCTION dynapi.config_spec()
RETURNS TABLE (section text, section_order integer, key text, key_order integer,
               kind text, required boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('roles',          1, 'name',              1, 'name150', true),
           ('roles',          1, 'description',       2, 'string',  false),
           ('user_roles',     2, 'username',          1, 'string',  true),
           ('user_roles',     2, 'role',              2, 'text?',   false),
           ('user_roles',     2, 'table_name',        3, 'text',    true),
           ('user_roles',     2, 'can_create',        4, 'boolean', false),
           ('user_roles',     2, 'can_read',          5, 'boolean', false),
           ('user_roles',     2, 'can_update',        6, 'boolean', false),
           ('user_roles',     2, 'can_delete',        7, 'boolean', false),
           ('table_settings', 3, 'table_name',        1, 'text',    true),
           ('table_settings', 3, 'exposed',           2, 'boolean', false),
           ('table_settings', 3, 'hidden_columns',    3, 'texts',   false),
           ('table_settings', 3, 'read_only_columns', 4, 'texts',   false),
           ('table_settings', 3, 'label',             5, 'text?',   false),
           ('table_settings', 3, 'event_mode',        6, 'mode?',   false),
           ('actions',        4, 'table_name',        1, 'text',    true),
           ('actions',        4, 'name',              2, 'text',    true),
           ('actions',        4, 'function',          3, 'text',    true),
           ('actions',        4, 'required_permission', 4, 'perm',  false)
$$;
COMMENT ON FUNCTION dynapi.config_spec() IS
    'Internal: the keys import_config accepts in each list section of a configuration document, with their kinds.';

-- 0008's function with event_mode in table settings and the "events"
-- object, checked after the list sections' shapes and before their meaning
-- (its problems are shape problems of the last section).
CREATE OR REPLACE FUNCTION dynapi.import_config(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    problem record;
    extra text;
    events jsonb;
    new_mode text;
    new_retention interval;
    n_roles integer := 0;
    n_user_roles integer := 0;
    n_table_settings integer := 0;
    n_actions integer := 0;
    n_events integer := 0;
BEGIN
    -- The document itself.
    IF import_config.doc IS NULL OR jsonb_typeof(import_config.doc) <> 'object' THEN
        RAISE EXCEPTION 'configuration document: must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass what dynapi.export_config() returns.';
    END IF;
    SELECT k INTO extra
      FROM jsonb_object_keys(import_config.doc) AS k
     WHERE k NOT IN ('format', 'version', 'roles', 'user_roles', 'table_settings', 'actions', 'events')
     ORDER BY k COLLATE "C" LIMIT 1;
    IF extra IS NOT NULL THEN
        RAISE EXCEPTION 'configuration document: unknown key %', to_jsonb(extra)::text
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Allowed keys: format, version, roles, user_roles, table_settings, actions, events.';
    END IF;
    IF import_config.doc ? 'format' AND import_config.doc -> 'format' <> '"dynapi-config"'::jsonb THEN
        RAISE EXCEPTION 'format: must be "dynapi-config"'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'This is not a DynAPI configuration document.';
    END IF;
    IF import_config.doc ? 'version' AND import_config.doc -> 'version' <> '1'::jsonb THEN
        RAISE EXCEPTION 'version: must be 1'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'This DynAPI reads version 1 configuration documents.';
    END IF;

    -- Shape: sections are arrays of objects, no unknown keys, right types.
    -- Ordered by section, entry, then (section-level problems first) the
    -- entry's own problems in key order.
    WITH spec AS (
        SELECT * FROM dynapi.config_spec()
    ), sections AS (
        SELECT DISTINCT s.section, s.section_order, import_config.doc -> s.section AS body
          FROM spec AS s
         WHERE import_config.doc ? s.section
    ), entries AS (
        SELECT sec.section, sec.section_order, e.ord - 1 AS idx, e.entry
          FROM sections AS sec
          -- CASE: jsonb_array_elements would fail on a non-array.
          CROSS JOIN LATERAL jsonb_array_elements(
              CASE WHEN jsonb_typeof(sec.body) = 'array' THEN sec.body ELSE '[]' END
          ) WITH ORDINALITY AS e(entry, ord)
    ), problems AS (
        SELECT sec.section_order, -1 AS idx, 0 AS step, 0 AS key_order,
               sec.section AS place, 'must be an array' AS message,
               'Each section is a list of objects, e.g. "roles": [{"name": "Manager"}].' AS hint
          FROM sections AS sec
         WHERE jsonb_typeof(sec.body) <> 'array'
        UNION ALL
        SELECT en.section_order, en.idx, 1, 0,
               format('%s[%s]', en.section, en.idx), 'must be an object', NULL
          FROM entries AS en
         WHERE jsonb_typeof(en.entry) <> 'object'
        UNION ALL
        SELECT en.section_order, en.idx, 2, 0,
               format('%s[%s]', en.section, en.idx),
               format('unknown key %s', to_jsonb(k.key)::text),
               format('Allowed keys: %s.',
                      (SELECT string_agg(s.key, ', ' ORDER BY s.key_order)
                         FROM spec AS s WHERE s.section = en.section))
          FROM entries AS en
          CROSS JOIN LATERAL (
              -- the first unknown key of the entry, alphabetically
              SELECT min(x COLLATE "C") AS key
                FROM jsonb_object_keys(
                         CASE WHEN jsonb_typeof(en.entry) = 'object' THEN en.entry ELSE '{}' END) AS x
               WHERE NOT EXISTS (SELECT 1 FROM spec AS s WHERE s.section = en.section AND s.key = x)
          ) AS k
         WHERE k.key IS NOT NULL
        UNION ALL
        SELECT en.section_order, en.idx, 3, s.key_order,
               format('%s[%s].%s', en.section, en.idx, s.key), c.message, c.hint
          FROM entries AS en
          JOIN spec AS s ON s.section = en.section
          CROSS JOIN LATERAL (SELECT en.entry -> s.key AS v) AS val
          CROSS JOIN LATERAL (
              SELECT CASE
                  WHEN val.v IS NULL THEN
                      CASE WHEN s.required THEN 'is required' END
                  WHEN s.kind = 'string' AND jsonb_typeof(val.v) <> 'string' THEN
                      'must be a string'
                  WHEN s.kind IN ('text', 'name150')
                       AND (jsonb_typeof(val.v) <> 'string' OR btrim(val.v #>> '{}') = '') THEN
                      'must be a non-empty string'
                  WHEN s.kind = 'name150' AND char_length(val.v #>> '{}') > 150 THEN
                      'must be at most 150 characters'
                  WHEN s.kind = 'text?' AND jsonb_typeof(val.v) NOT IN ('string', 'null') THEN
                      'must be a string or null'
                  WHEN s.kind = 'boolean' AND jsonb_typeof(val.v) <> 'boolean' THEN
                      'must be true or false'
                  WHEN s.kind = 'texts'
                       AND (jsonb_typeof(val.v) <> 'array'
                            OR EXISTS (SELECT 1 FROM jsonb_array_elements(
                                           CASE WHEN jsonb_typeof(val.v) = 'array' THEN val.v ELSE '[]' END) AS t
                                        WHERE jsonb_typeof(t) <> 'string')) THEN
                      'must be an array of strings'
                  WHEN s.kind = 'perm'
                       AND (jsonb_typeof(val.v) <> 'string'
                            OR val.v #>> '{}' NOT IN ('create', 'read', 'update', 'delete')) THEN
                      'must be one of create, read, update, delete'
                  WHEN s.kind = 'mode?'
                       AND jsonb_typeof(val.v) <> 'null'
                       AND (jsonb_typeof(val.v) <> 'string'
                            OR val.v #>> '{}' NOT IN ('notify', 'log', 'off')) THEN
                      'must be one of notify, log, off, or null'
              END AS message,
              CASE WHEN val.v IS NULL THEN NULL
                   WHEN s.kind = 'perm' THEN 'The permission the caller needs on the table to run the action; absent means update.'
                   WHEN s.kind = 'boolean' THEN 'JSON true or false, not a string; absent means ' ||
                        CASE WHEN s.key = 'exposed' THEN 'true.' ELSE 'false.' END
                   WHEN s.kind = 'mode?' THEN 'null or absent means the database default, events.mode.'
              END AS hint
          ) AS c
         WHERE en.entry IS NOT NULL AND jsonb_typeof(en.entry) = 'object' AND c.message IS NOT NULL
    )
    SELECT p.place, p.message, p.hint INTO problem
      FROM problems AS p
     ORDER BY p.section_order, p.idx, p.step, p.key_order
     LIMIT 1;
    IF FOUND AND problem.hint IS NULL THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value';
    ELSIF FOUND THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value', HINT = problem.hint;
    END IF;

    -- "events": one object; absent keys take the defaults, like entries.
    IF import_config.doc ? 'events' THEN
        events := import_config.doc -> 'events';
        IF jsonb_typeof(events) <> 'object' THEN
            RAISE EXCEPTION 'events: must be an object'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'e.g. "events": {"mode": "log", "retention": "24 hours"}.';
        END IF;
        SELECT min(k COLLATE "C") INTO extra
          FROM jsonb_object_keys(events) AS k WHERE k NOT IN ('mode', 'retention');
        IF extra IS NOT NULL THEN
            RAISE EXCEPTION 'events: unknown key %', to_jsonb(extra)::text
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Allowed keys: mode, retention.';
        END IF;
        IF events ? 'mode' AND (jsonb_typeof(events -> 'mode') <> 'string'
                                OR events ->> 'mode' NOT IN ('notify', 'log', 'off')) THEN
            RAISE EXCEPTION 'events.mode: must be one of notify, log, off'
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Absent means notify.';
        END IF;
        new_mode := coalesce(events ->> 'mode', 'notify');
        IF events ? 'retention' THEN
            IF jsonb_typeof(events -> 'retention') <> 'string' THEN
                RAISE EXCEPTION 'events.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END IF;
            BEGIN
                new_retention := (events ->> 'retention')::interval;
            EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
                RAISE EXCEPTION 'events.retention: must be an interval as a string'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END;
            IF new_retention <= interval '0' THEN
                RAISE EXCEPTION 'events.retention: must be longer than zero'
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'e.g. "24 hours" or "7 days"; absent means 24 hours.';
            END IF;
        ELSE
            new_retention := interval '24 hours';
        END IF;
    END IF;

    -- Meaning: no entry twice (one statement cannot upsert a row twice, and
    -- which one should win is anyone's guess), users exist, roles exist in
    -- the database or in this document.
    WITH role_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'name' AS name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'roles', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), grant_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'username' AS username, e.entry ->> 'role' AS role,
               e.entry ->> 'table_name' AS table_name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'user_roles', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), setting_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'table_name' AS table_name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'table_settings', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), action_entries AS (
        SELECT e.ord - 1 AS idx, e.entry ->> 'table_name' AS table_name, e.entry ->> 'name' AS name
          FROM jsonb_array_elements(coalesce(import_config.doc -> 'actions', '[]')) WITH ORDINALITY AS e(entry, ord)
    ), problems AS (
        SELECT 1 AS section_order, d.idx, 0 AS step,
               format('roles[%s].name', d.idx) AS place,
               format('role %s already appears in roles[%s]', to_jsonb(d.name)::text, d.first) AS message,
               'Each role may appear once.' AS hint
          FROM (SELECT r.idx, r.name, min(r.idx) OVER (PARTITION BY r.name) AS first FROM role_entries AS r) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 2, d.idx, 0, format('user_roles[%s]', d.idx),
               format('user %s and table %s already appear in user_roles[%s]',
                      to_jsonb(d.username)::text, to_jsonb(d.table_name)::text, d.first),
               'Each user may have one entry per table.'
          FROM (SELECT g.idx, g.username, g.table_name,
                       min(g.idx) OVER (PARTITION BY g.username, g.table_name) AS first
                  FROM grant_entries AS g) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 2, g.idx, 1, format('user_roles[%s].username', g.idx),
               format('no user named %s', to_jsonb(g.username)::text),
               'Import does not create users (they hold passwords); create the user first, e.g. with dynapi.create_user.'
          FROM grant_entries AS g
         WHERE NOT EXISTS (SELECT 1 FROM dynapi.users AS u WHERE u.username = g.username)
        UNION ALL
        SELECT 2, g.idx, 2, format('user_roles[%s].role', g.idx),
               format('no role named %s', to_jsonb(g.role)::text),
               'Add the role to this document''s roles or create it first.'
          FROM grant_entries AS g
         WHERE g.role IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM dynapi.roles AS r WHERE r.name = g.role)
           AND NOT EXISTS (SELECT 1 FROM role_entries AS r WHERE r.name = g.role)
        UNION ALL
        SELECT 3, d.idx, 0, format('table_settings[%s].table_name', d.idx),
               format('table %s already appears in table_settings[%s]', to_jsonb(d.table_name)::text, d.first),
               'Each table may have one entry.'
          FROM (SELECT s.idx, s.table_name, min(s.idx) OVER (PARTITION BY s.table_name) AS first
                  FROM setting_entries AS s) AS d
         WHERE d.idx > d.first
        UNION ALL
        SELECT 4, d.idx, 0, format('actions[%s].name', d.idx),
               format('action %s on table %s already appears in actions[%s]',
                      to_jsonb(d.name)::text, to_jsonb(d.table_name)::text, d.first),
               'Each table may have one action of a name.'
          FROM (SELECT a.idx, a.table_name, a.name,
                       min(a.idx) OVER (PARTITION BY a.table_name, a.name) AS first
                  FROM action_entries AS a) AS d
         WHERE d.idx > d.first
    )
    SELECT p.place, p.message, p.hint INTO problem
      FROM problems AS p
     ORDER BY p.section_order, p.idx, p.step
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%: %', problem.place, problem.message
            USING ERRCODE = 'invalid_parameter_value', HINT = problem.hint;
    END IF;

    -- Writes. Absent keys take the column defaults, so an entry always
    -- describes the whole row and importing it twice changes nothing the
    -- second time. Rows the document leaves out are kept. Roles first: the
    -- grants below may name roles created here.
    INSERT INTO dynapi.roles AS r (name, description)
    SELECT e ->> 'name', coalesce(e ->> 'description', '')
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'roles', '[]')) AS e
    ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description;
    GET DIAGNOSTICS n_roles = ROW_COUNT;

    INSERT INTO dynapi.user_roles AS ur
           (user_id, role_id, table_name, can_create, can_read, can_update, can_delete)
    SELECT u.id, r.id, e ->> 'table_name',
           coalesce((e ->> 'can_create')::boolean, false),
           coalesce((e ->> 'can_read')::boolean, false),
           coalesce((e ->> 'can_update')::boolean, false),
           coalesce((e ->> 'can_delete')::boolean, false)
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'user_roles', '[]')) AS e
      JOIN dynapi.users AS u ON u.username = e ->> 'username'
      LEFT JOIN dynapi.roles AS r ON r.name = e ->> 'role'
    ON CONFLICT (user_id, table_name) DO UPDATE
       SET role_id = EXCLUDED.role_id,
           can_create = EXCLUDED.can_create,
           can_read = EXCLUDED.can_read,
           can_update = EXCLUDED.can_update,
           can_delete = EXCLUDED.can_delete;
    GET DIAGNOSTICS n_user_roles = ROW_COUNT;

    INSERT INTO dynapi.table_settings AS s (table_name, exposed, hidden_columns, read_only_columns, label, event_mode)
    SELECT e ->> 'table_name',
           coalesce((e ->> 'exposed')::boolean, true),
           -- an absent list gives ARRAY() of nothing: '{}', the default
           ARRAY(SELECT h.name FROM jsonb_array_elements_text(e -> 'hidden_columns')
                                    WITH ORDINALITY AS h(name, ord) ORDER BY h.ord),
           ARRAY(SELECT r.name FROM jsonb_array_elements_text(e -> 'read_only_columns')
                                    WITH ORDINALITY AS r(name, ord) ORDER BY r.ord),
           e ->> 'label',
           e ->> 'event_mode'
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'table_settings', '[]')) AS e
    ON CONFLICT (table_name) DO UPDATE
       SET exposed = EXCLUDED.exposed,
           hidden_columns = EXCLUDED.hidden_columns,
           read_only_columns = EXCLUDED.read_only_columns,
           label = EXCLUDED.label,
           event_mode = EXCLUDED.event_mode;
    GET DIAGNOSTICS n_table_settings = ROW_COUNT;

    INSERT INTO dynapi.actions AS a (table_name, name, function, required_permission)
    SELECT e ->> 'table_name', e ->> 'name', e ->> 'function',
           coalesce(e ->> 'required_permission', 'update')
      FROM jsonb_array_elements(coalesce(import_config.doc -> 'actions', '[]')) AS e
    ON CONFLICT (table_name, name) DO UPDATE
       SET function = EXCLUDED.function,
           required_permission = EXCLUDED.required_permission;
    GET DIAGNOSTICS n_actions = ROW_COUNT;

    IF events IS NOT NULL THEN
        UPDATE dynapi.event_settings SET event_mode = new_mode, retention = new_retention;
        n_events := 1;
    END IF;

    RETURN jsonb_build_object('roles', n_roles, 'user_roles', n_user_roles,
                              'table_settings', n_table_settings, 'actions', n_actions,
                              'events', n_events);
END;
$$;
COMMENT ON FUNCTION dynapi.import_config(jsonb) IS
    'Applies a "dynapi-config" document (see export_config): validates everything first (SQLSTATE 22023 naming the place, e.g. user_roles[2].username), then upserts roles by name, user_roles by (username, table_name), table_settings by table_name and actions by (table_name, name), and sets the event settings if "events" is given. Never deletes rows and never creates users. Returns the number of entries applied per section (events: 1 if given).';

----------------------------------------------------------------------------
-- Move every table to the new triggers, then retire the per-row ones.

SELECT dynapi.attach_row_triggers();

-- Anything still running the old function (a table outside the exposed
-- schemas given a trigger by hand) would keep NOTIFYing per row.
SELECT dynapi.run_internal_ddl(format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass))
  FROM pg_trigger AS t
 WHERE t.tgfoid = 'dynapi.notify_row_event()'::regprocedure AND t.tgparentid = 0;

DROP FUNCTION dynapi.notify_row_event();
DROP FUNCTION dynapi.row_event_payload(text, text, jsonb);
DROP FUNCTION dynapi.row_event_pk(jsonb, text[]);
