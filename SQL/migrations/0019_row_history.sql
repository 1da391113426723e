-- 0019: row history. A table whose settings say history = true has every
-- insert, update and delete recorded in dynapi.row_history, whoever writes
-- it (the API, psql, another program), with the row before and after, and
-- can have a row put back as it was after one of its changes. The trigger
-- that records, the functions that attach it, read the history, revert a
-- row and prune are in functions/18_row_history.sql. What is here: the
-- setting, the retention and the history table.

ALTER TABLE dynapi.table_settings ADD COLUMN history boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN dynapi.table_settings.history IS
    'true: every insert, update and delete of the table is recorded in dynapi.row_history (an AFTER ROW trigger, dynapi_history). The table needs a key: its primary key, or key_columns for a foreign table.';

-- One row, always, like event_settings: the boolean key allows one value and
-- dynapi.keep_history_settings refuses DELETE and TRUNCATE.
CREATE TABLE dynapi.history_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    retention interval NOT NULL DEFAULT '90 days' CHECK (retention > interval '0')
);
INSERT INTO dynapi.history_settings DEFAULT VALUES;
COMMENT ON TABLE dynapi.history_settings IS
    'Row history of the whole database (one row; UPDATE it): how long dynapi.row_history keeps entries.';
COMMENT ON COLUMN dynapi.history_settings.retention IS
    'Entries older than this are deleted by dynapi.prune_row_history (run with every prune of the change log).';

-- Written by every writer of a table with history (through a SECURITY
-- DEFINER trigger), so as cheap to write as it can be while serving what is
-- read: one row's history newest first (table_name, pk, id), a table's trail
-- newest first (table_name, id), pruning (changed_at), and the past of a row
-- whose key was changed (old_pk, set only by such an update, a partial
-- index). No foreign key (a user may be deleted; the history outlives them),
-- no CHECK beyond the operation (the row trigger writes one of three
-- constants). Writers only ever insert here: pruning deletes old rows, which
-- no writer locks, and vacuum never truncates the table (truncation takes an
-- ACCESS EXCLUSIVE lock, which every writer of a table with history would
-- then wait for).
CREATE TABLE dynapi.row_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relation      oid NOT NULL,
    table_name    text NOT NULL,
    pk            jsonb NOT NULL,
    old_pk        jsonb,
    operation     text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    old_row       jsonb,
    new_row       jsonb,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    user_id       bigint,
    database_role text NOT NULL,
    xact          xid8 NOT NULL DEFAULT pg_current_xact_id()
) WITH (
    vacuum_truncate = false
);
CREATE INDEX row_history_row_idx ON dynapi.row_history (table_name, pk, id);
CREATE INDEX row_history_table_idx ON dynapi.row_history (table_name, id);
CREATE INDEX row_history_changed_at_idx ON dynapi.row_history (changed_at);
CREATE INDEX row_history_old_pk_idx ON dynapi.row_history (table_name, old_pk, id) WHERE old_pk IS NOT NULL;
-- Rows of any table, read by the sidecar's role for the API (which applies
-- its own permissions and hides hidden columns): nobody else's business.
REVOKE ALL ON dynapi.row_history FROM PUBLIC;
REVOKE ALL ON dynapi.history_settings FROM PUBLIC;
COMMENT ON TABLE dynapi.row_history IS
    'Row history: one entry per row inserted, updated or deleted in a table whose table_settings say history = true (not an UPDATE that changed nothing). Written by the dynapi_history trigger (dynapi.record_row_history); read with dynapi.row_history_page and table_history_page; pruned by dynapi.prune_row_history.';
COMMENT ON COLUMN dynapi.row_history.relation IS 'The table (its OID; the root of a partition tree) when recorded.';
COMMENT ON COLUMN dynapi.row_history.table_name IS 'The table''s API name when recorded (customer, sales.invoice).';
COMMENT ON COLUMN dynapi.row_history.pk IS
    'The row''s key as a JSON object {"col": value, ...} in key order; for an update that changed the key, the new key (the old one in old_pk).';
COMMENT ON COLUMN dynapi.row_history.old_pk IS 'For an update that changed the key: the old key; NULL otherwise.';
COMMENT ON COLUMN dynapi.row_history.operation IS 'insert, update or delete.';
COMMENT ON COLUMN dynapi.row_history.old_row IS 'The row before (to_jsonb): NULL for an insert.';
COMMENT ON COLUMN dynapi.row_history.new_row IS 'The row after (to_jsonb): NULL for a delete.';
COMMENT ON COLUMN dynapi.row_history.changed_at IS 'The writing transaction''s time (now()).';
COMMENT ON COLUMN dynapi.row_history.user_id IS
    'The API user (dynapi.current_user_id()); NULL outside an API request. Not a foreign key: the history outlives deleted users.';
COMMENT ON COLUMN dynapi.row_history.database_role IS
    'The session''s role, followed by " as <role>" while a SET ROLE is in force.';
COMMENT ON COLUMN dynapi.row_history.xact IS 'The writing transaction (pg_current_xact_id()).';
