-- Reading the change log (the tables are migration 0013's). Delivery
-- follows PgQ: a "tick" records a snapshot, and the events of tick t (batch
-- t) are the entries whose transaction is visible in snapshot(t) and not in
-- snapshot(t - 1). Since transactions commit out of order, entries are not
-- ordered by id across batches, but every sidecar computes the same batches
-- from the same ticks, so an event's position (tick, id, ord) is the same
-- everywhere and a client can resume on any sidecar.

-- The one definition of a batch: entries whose transaction is visible in
-- upto and was not in since. Those are transactions running at since (its
-- xip list) or starting after it (xid >= xmax(since)); both sets are found
-- through the xid index. Scanning from xmin(since) instead would make one
-- transaction left open for an hour cost every batch an hour of log.
-- SQL, not plpgsql, and with everything schema-qualified instead of a SET
-- clause, so that the planner inlines it into its callers.
CREATE OR REPLACE FUNCTION dynapi.change_log_between(since pg_snapshot, upto pg_snapshot)
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
CREATE OR REPLACE FUNCTION dynapi.change_log_tick() RETURNS bigint
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
    -- ticks are frequent, so they need not wait for the WAL flush — unless
    -- standbys stream from here: WAL reaches them once flushed, and an
    -- unflushed tick would wait for the WAL writer (200 ms by default) before
    -- their sidecars could deliver its batch. Flushed locally then, never
    -- waiting for a synchronous standby.
    PERFORM set_config('synchronous_commit',
                       CASE WHEN EXISTS (SELECT 1 FROM pg_stat_get_wal_senders()) THEN 'local' ELSE 'off' END, true);
    INSERT INTO dynapi.change_log_ticks (snapshot) VALUES (current_snapshot) RETURNING tick INTO made;
    RETURN made;
END;
$$;
COMMENT ON FUNCTION dynapi.change_log_tick() IS
    'Records a tick (a snapshot ending a batch) if change_log entries became visible since the last one, and returns it; otherwise, on a standby, or while another session ticks, returns the newest tick. Sets synchronous_commit off (local while standbys stream from this server) for the rest of the calling transaction when it ticks.';

CREATE OR REPLACE FUNCTION dynapi.change_log_bounds() RETURNS TABLE (oldest_tick bigint, newest_tick bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT min(t.tick), max(t.tick) FROM dynapi.change_log_ticks AS t
$$;
COMMENT ON FUNCTION dynapi.change_log_bounds() IS
    'The oldest and newest tick kept. Events of the oldest tick''s batch are no longer complete: a client whose last event''s tick is <= oldest_tick must resynchronise.';

-- Raises rather than answering nothing: the caller must tell its client
-- that events were lost, not that there were none.
CREATE OR REPLACE FUNCTION dynapi.change_log_check_since(since_tick bigint, since_id bigint, since_ord integer) RETURNS boolean
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
CREATE OR REPLACE FUNCTION dynapi.change_log_events(since_tick bigint, since_id bigint, since_ord integer, upto_tick bigint,
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

-- A sidecar would otherwise tick, then read the batches up to the new tick:
-- two round trips per look, paid by every event's latency. plpgsql, so that
-- the read (a statement of its own) sees the tick the first statement made.
CREATE OR REPLACE FUNCTION dynapi.change_log_follow(after_tick bigint)
RETURNS TABLE (tick bigint, id bigint, ord integer, table_name text, event text, pk jsonb)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    newest bigint := dynapi.change_log_tick();
BEGIN
    RETURN QUERY SELECT newest, NULL::bigint, NULL::integer, NULL::text, NULL::text, NULL::jsonb;
    IF newest > after_tick THEN
        RETURN QUERY SELECT e.tick, e.id, e.ord, e.table_name, e.event, e.pk
                       FROM dynapi.change_log_events(after_tick, 9223372036854775807, 2147483647, newest) AS e;
    ELSE
        -- Nothing new, or a tick this database never made (restored from a
        -- backup older than the caller's cursor): the caller must know.
        PERFORM dynapi.change_log_check_since(after_tick, 9223372036854775807, 2147483647);
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.change_log_follow(bigint) IS
    'Ticks (change_log_tick) and returns first a row with the newest tick alone (id NULL), then every event of the batches after after_tick up to it, in order. SQLSTATE P0002 if after_tick is not kept (pruned, or never made).';

-- The sidecars call it about once a minute. Only DELETE, which takes the
-- same lock as the writers' INSERTs, and at most 50,000 entries a call so
-- that no call runs long; a backlog goes in a few calls.
CREATE OR REPLACE FUNCTION dynapi.prune_change_log() RETURNS bigint
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
    -- The row history (0019) is pruned with the log, so that it is pruned
    -- wherever the log is (18_row_history.sql; a bounded batch per call).
    PERFORM dynapi.prune_row_history();
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
    'Deletes the ticks past dynapi.event_settings.retention (keeping the newest of them as the oldest tick) and up to 50,000 change_log entries of the batches gone with them; returns the number of entries deleted (0 while another session prunes, and on a standby). Call it again while it returns 50000. Ticks first if the newest tick is past the retention (no sidecar running). Also prunes the row history (dynapi.prune_row_history).';
