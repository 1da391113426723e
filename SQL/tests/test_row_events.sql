-- 0004: dynapi_events payloads and the row triggers that send them.
-- NOTIFY is only delivered at commit, so payloads are checked through the
-- functions that build them, and triggers through the catalog.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(47);

-- The arguments of a table's dynapi_row_events trigger (NULL: no trigger).
CREATE FUNCTION pg_temp.row_trigger_args(rel regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1:t.tgnargs]
      FROM pg_trigger AS t WHERE t.tgrelid = rel AND t.tgname = 'dynapi_row_events'
$$;

SELECT has_function('dynapi', 'row_event_payload', ARRAY['text', 'text', 'jsonb']);
SELECT volatility_is('dynapi', 'row_event_payload', ARRAY['text', 'text', 'jsonb'], 'immutable');
SELECT has_function('dynapi', 'row_event_pk', ARRAY['jsonb', 'text[]']);
SELECT has_function('dynapi', 'api_name', ARRAY['regclass']);
SELECT function_returns('dynapi', 'notify_row_event', '{}'::name[], 'trigger');
SELECT is_definer('dynapi', 'notify_row_event', '{}'::name[]);
SELECT function_returns('dynapi', 'attach_row_trigger', ARRAY['regclass'], 'void');
SELECT function_returns('dynapi', 'detach_row_trigger', ARRAY['regclass'], 'void');
SELECT function_returns('dynapi', 'attach_row_triggers', '{}'::name[], 'integer');

-- Payloads
SELECT is(dynapi.row_event_payload('created', 'order', '1'),
          '{"event": "created", "table": "order", "pk": 1}', 'payload: keys in documented order');
SELECT is(dynapi.row_event_payload('deleted', 'sales.invoice', '"INV-1"'),
          '{"event": "deleted", "table": "sales.invoice", "pk": "INV-1"}', 'payload: text key');
SELECT is(dynapi.row_event_payload('updated', 'line', '{"order_id": 1, "line_no": 2}'),
          '{"event": "updated", "table": "line", "pk": {"line_no": 2, "order_id": 1}}', 'payload: composite key');
SELECT is(dynapi.row_event_payload('created', 'log', NULL),
          '{"event": "created", "table": "log", "pk": null}', 'payload: table without a primary key');
SELECT is(dynapi.row_event_payload('created', 'we"ird\name', 'null')::jsonb ->> 'table', 'we"ird\name',
          'payload: table names are JSON-escaped');
SELECT is(dynapi.row_event_payload('updated', 't', to_jsonb(repeat('x', 8000))),
          '{"event": "updated", "table": "t", "pk": null, "truncated": true}',
          'payload: an oversized key is dropped and flagged');
SELECT is(octet_length(dynapi.row_event_payload('created', 't',
              to_jsonb(repeat('x', 7900 - octet_length(dynapi.row_event_payload('created', 't', '""'))))))
          , 7900, 'payload: 7900 bytes is still sent whole');
SELECT is(dynapi.row_event_payload('created', 't', to_jsonb(repeat('é', 4000))) ::jsonb -> 'truncated', 'true'::jsonb,
          'payload: the limit counts bytes, not characters');

-- Primary key extraction
SELECT is(dynapi.row_event_pk('{"id": 7, "name": "x"}', ARRAY['id']), '7'::jsonb, 'pk: one column is a bare value');
SELECT is(dynapi.row_event_pk('{"a": 1, "b": "x", "c": 3}', ARRAY['a', 'b']), '{"a": 1, "b": "x"}'::jsonb,
          'pk: several columns are an object');
SELECT is(dynapi.row_event_pk('{"id": 7}', '{}'), 'null'::jsonb, 'pk: no columns is JSON null');
SELECT is(dynapi.row_event_pk('{"id": 7}', NULL), 'null'::jsonb, 'pk: NULL columns is JSON null');
SELECT is(dynapi.row_event_pk('{"id": 7}', '[0:0]={id}'::text[]), '7'::jsonb,
          'pk: works with TG_ARGV''s zero-based array');

-- API names
CREATE SCHEMA dynapi_test_sales;
CREATE TABLE public.dynapi_test_customer (id serial PRIMARY KEY, name text);
CREATE TABLE dynapi_test_sales.invoice (no text PRIMARY KEY);
CREATE TABLE public."Dynapi Test Odd" (id int PRIMARY KEY);
SELECT is(dynapi.api_name('public.dynapi_test_customer'), 'dynapi_test_customer', 'api_name: public tables are bare');
SELECT is(dynapi.api_name('dynapi_test_sales.invoice'), 'dynapi_test_sales.invoice', 'api_name: others are schema-qualified');
SELECT is(dynapi.api_name('public."Dynapi Test Odd"'), 'Dynapi Test Odd', 'api_name: names are not quoted');

-- Triggers on tables in exposed schemas (attached by the 0005 event trigger on CREATE TABLE)
SELECT trigger_is('public', 'dynapi_test_customer', 'dynapi_row_events', 'dynapi', 'notify_row_event',
                  'exposed tables get the dynapi_row_events trigger');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_customer'::regclass
                                            AND tgname = 'dynapi_row_events'),
          29::int2, 'AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['id'], 'trigger arguments: the key column');
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), NULL, 'tables outside exposed schemas get none');

CREATE TABLE public.dynapi_test_line (order_id int, line_no int, qty int, PRIMARY KEY (line_no, order_id));
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_line'), ARRAY['line_no', 'order_id'],
          'composite key: columns in key order');

SELECT lives_ok($$INSERT INTO public.dynapi_test_customer (name) VALUES ('a');
                  UPDATE public.dynapi_test_customer SET name = 'b';
                  DELETE FROM public.dynapi_test_customer$$, 'the trigger fires for insert, update and delete');
SELECT lives_ok($$INSERT INTO public."Dynapi Test Odd" VALUES (1)$$, 'quoted table names work');

-- Direct calls
SELECT lives_ok($$SELECT dynapi.detach_row_trigger('public.dynapi_test_customer')$$, 'detach_row_trigger');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), NULL, '... removes the trigger');
SELECT lives_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_customer')$$, 'attach_row_trigger');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['id'], '... puts it back');
SELECT lives_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_customer')$$, 'attach_row_trigger twice is harmless');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.dynapi_test_customer'::regclass
                                             AND tgfoid = 'dynapi.notify_row_event()'::regprocedure),
          1::bigint, '... and leaves exactly one trigger');
CREATE VIEW public.dynapi_test_view AS SELECT 1 AS x;
SELECT throws_ok($$SELECT dynapi.attach_row_trigger('public.dynapi_test_view')$$, '42809', NULL,
                 'attach_row_trigger refuses views');
CREATE TEMP TABLE dynapi_test_temp (id int PRIMARY KEY);
SELECT dynapi.attach_row_trigger('pg_temp.dynapi_test_temp');
SELECT is(pg_temp.row_trigger_args('pg_temp.dynapi_test_temp'), NULL, 'temporary tables never get the trigger');

SELECT dynapi.detach_row_trigger('public.dynapi_test_customer');
SELECT is(dynapi.attach_row_triggers(),
          (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN (SELECT name FROM dynapi.exposed_schemas)
              AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                          AND d.objid = c.oid AND d.deptype = 'e')
              -- since 0012, tables set exposed = false emit no events and are not counted
              AND NOT EXISTS (SELECT 1 FROM dynapi.table_settings s
                               WHERE s.table_name = dynapi.api_name(c.oid) AND NOT s.exposed)),
          'attach_row_triggers counts every table in the exposed schemas');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['id'], '... and re-attaches missing triggers');

-- dynapi.exposed_schemas drives attachment
SELECT has_trigger('dynapi', 'exposed_schemas', 'dynapi_exposed_schemas_sync', 'exposed_schemas has its sync trigger');
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), ARRAY['no'], 'exposing a schema attaches its tables');
DELETE FROM dynapi.exposed_schemas WHERE name = 'dynapi_test_sales';
SELECT is(pg_temp.row_trigger_args('dynapi_test_sales.invoice'), NULL, 'un-exposing it detaches them');
SELECT is(pg_temp.row_trigger_args('public.dynapi_test_customer'), ARRAY['id'], '... and leaves other schemas alone');

-- Writers need no access to schema dynapi
CREATE ROLE dynapi_test_writer NOLOGIN;
GRANT INSERT, SELECT ON public.dynapi_test_customer TO dynapi_test_writer;
GRANT USAGE ON SEQUENCE public.dynapi_test_customer_id_seq TO dynapi_test_writer;
SET LOCAL ROLE dynapi_test_writer;
SELECT lives_ok($$INSERT INTO public.dynapi_test_customer (name) VALUES ('c')$$,
                'a role without USAGE on schema dynapi can still write to exposed tables');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
