-- Who is calling. The sidecar sets dynapi.user_id and dynapi.action for
-- every request's transaction, so row-level security policies, triggers and
-- views can see the API caller rather than the database role the sidecar
-- connects as. It sets them at session level, inside the request's own
-- transaction, and only when they differ from what the connection already
-- holds (a rolled-back transaction takes its settings with it); a batch sets
-- them with SET LOCAL per operation. Outside a request they are '' or unset.
--
-- Plain SQL, no SET clause: that keeps them inlinable into RLS policies.
-- nullif(...,'') because a custom setting that was set once reads back as ''
-- (not NULL) after it is reset.
--
-- (Like every file in functions/: re-applied by every install, after the
-- migrations; see SQL/README.md.)

CREATE OR REPLACE FUNCTION dynapi.current_user_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('dynapi.user_id', true), '')::bigint $$;
COMMENT ON FUNCTION dynapi.current_user_id() IS
    'id of the dynapi.users row the current API request runs for, or NULL outside a request.';

CREATE OR REPLACE FUNCTION dynapi.current_action() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('dynapi.action', true), '') $$;
COMMENT ON FUNCTION dynapi.current_action() IS
    'create / read / update / delete for the current API request, or NULL outside a request.';
