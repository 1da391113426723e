-- 0011: custom actions. The functions (api_table, resolve_action_function,
-- action_function, register_action, unregister_action) and the trigger that
-- checks and canonicalises every dynapi.actions row are in
-- functions/05_catalog.sql and 08_actions.sql; rows written before the
-- trigger existed are canonicalised by functions/16_upkeep.sql. All of them
-- are applied by every install; what is left here is the columns' meaning.

COMMENT ON COLUMN dynapi.actions.table_name IS
    'API name of a served table (see dynapi.api_name, dynapi.api_table); checked on write.';
COMMENT ON COLUMN dynapi.actions.name IS
    'URL segment of the action ([A-Za-z0-9_-]+): POST /api/dyn/{table}/{pk}/action/{name}/.';
COMMENT ON COLUMN dynapi.actions.function IS
    'Full, schema-qualified signature of the function (row, user_id bigint, payload jsonb) RETURNS jsonb, e.g. public.pay(public."order",bigint,jsonb); written as a name, schema.name or signature and canonicalised on write.';
