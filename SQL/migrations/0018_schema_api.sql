-- 0018: the schema API (docs/schema-api.md). People who may not write SQL
-- define tables over REST; who may do so is a permission of its own, and
-- since DDL now comes from the API as well as from psql and migrations,
-- every DDL statement is recorded with who ran it. The event trigger that
-- records it is in functions/15_schema_events.sql; what the API reads and
-- checks is in functions/17_schema_api.sql.

ALTER TABLE dynapi.users ADD COLUMN can_change_schema boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN dynapi.users.can_change_schema IS
    'The schema permission: may create and change tables through the schema API (/api/schema/tables/). Admins may anyway. It grants no access to the rows of tables the user did not create.';

-- No foreign key to users: a user may be deleted, and what they changed
-- stays in the history (username keeps the name they had).
CREATE TABLE dynapi.schema_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id       bigint,
    username      text,
    database_role text NOT NULL,
    tag           text NOT NULL,
    objects       text[] NOT NULL DEFAULT '{}',
    statement     text NOT NULL
);
-- Written by a SECURITY DEFINER event trigger and read by the sidecar's
-- role; statements may hold literals nobody else should read.
REVOKE ALL ON dynapi.schema_changes FROM PUBLIC;
COMMENT ON TABLE dynapi.schema_changes IS
    'The schema change history: one row per DDL statement that changed something (not temporary objects, not REFRESH MATERIALIZED VIEW or REINDEX, not the bundle''s own DDL), whoever ran it: the schema API, psql, migrations. Written by the ddl_command_end event trigger; read with dynapi.schema_change_history.';
COMMENT ON COLUMN dynapi.schema_changes.at IS 'When the statement ran (clock time, not the transaction''s start).';
COMMENT ON COLUMN dynapi.schema_changes.user_id IS
    'The API user the statement ran for (dynapi.current_user_id()); NULL outside an API request (psql, migrations). Not a foreign key: the history outlives deleted users.';
COMMENT ON COLUMN dynapi.schema_changes.username IS 'That user''s username when the statement ran; NULL without a user.';
COMMENT ON COLUMN dynapi.schema_changes.database_role IS
    'The session''s role, followed by " as <role>" while a SET ROLE is in force.';
COMMENT ON COLUMN dynapi.schema_changes.tag IS 'The command tag: CREATE TABLE, ALTER TABLE, DROP TABLE, COMMENT, CREATE INDEX...';
COMMENT ON COLUMN dynapi.schema_changes.objects IS
    'Identities (pg_identify_object) of what the statement created or altered, then of what it dropped, once each: public.ticket, public.ticket.title, public.ticket_pkey...';
COMMENT ON COLUMN dynapi.schema_changes.statement IS
    'The text of the statement (current_query(): the whole query string the client sent, which may hold several statements).';
