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
--
-- The functions (reading the log, event modes, the row-log triggers, the
-- schema and ACL entries, the event settings' triggers) are in functions/,
-- and the tables are moved to the new triggers (the old per-row trigger and
-- its functions dropped) by functions/16_upkeep.sql, all applied by every
-- install. What is left here: the tables and their first rows.

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
-- refuses DELETE and TRUNCATE (dynapi.keep_event_settings).
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

-- NULL: the database default (event_settings.event_mode).
ALTER TABLE dynapi.table_settings
    ADD COLUMN event_mode text CHECK (event_mode IN ('notify', 'log', 'off'));
COMMENT ON COLUMN dynapi.table_settings.event_mode IS
    'notify, log or off for this table; NULL uses dynapi.event_settings.event_mode. exposed = false means off whatever this says.';

