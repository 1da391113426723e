-- 0011: custom actions: the check-and-canonicalise trigger on dynapi.actions
-- (through register_action, import_config and plain SQL), its refusals,
-- register/unregister, action_function, and the notification triggers.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(99);

-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql

-- register_action(...) must fail with 22023, this COLUMN and this message.
CREATE FUNCTION pg_temp.refuses(call text, column_name text, message text, description text) RETURNS text
LANGUAGE sql AS $$
    SELECT is(pg_temp.error_of('SELECT dynapi.register_action(' || call || ')') - 'hint' - 'detail',
              jsonb_build_object('sqlstate', '22023', 'message', message, 'column', column_name),
              description)
$$;
CREATE FUNCTION pg_temp.function_of(table_name text, name text) RETURNS text LANGUAGE sql AS $$
    SELECT a.function FROM dynapi.actions AS a WHERE a.table_name = $1 AND a.name = $2
$$;

DELETE FROM dynapi.actions;

----------------------------------------------------------------------------
-- Objects
SELECT function_returns('dynapi', 'api_table', ARRAY['text'], 'regclass');
SELECT function_returns('dynapi', 'resolve_action_function', ARRAY['regclass', 'text'], 'regprocedure');
SELECT function_returns('dynapi', 'action_function', ARRAY['text', 'text'], 'regprocedure');
SELECT function_returns('dynapi', 'check_action', '{}'::name[], 'trigger');
SELECT function_returns('dynapi', 'notify_schema_change', '{}'::name[], 'trigger');
SELECT function_returns('dynapi', 'register_action', ARRAY['text', 'text', 'text', 'text'], 'void');
SELECT function_returns('dynapi', 'unregister_action', ARRAY['text', 'text'], 'boolean');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = 'dynapi.register_action(text, text, text, text)'::regprocedure),
          1::int2, 'register_action: required_permission is optional');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc AS p
                   WHERE p.oid IN ('dynapi.api_table(text)'::regprocedure, 'dynapi.resolve_action_function(regclass, text)'::regprocedure,
                                   'dynapi.action_function(text, text)'::regprocedure, 'dynapi.check_action()'::regprocedure,
                                   'dynapi.notify_schema_change()'::regprocedure,
                                   'dynapi.register_action(text, text, text, text)'::regprocedure,
                                   'dynapi.unregister_action(text, text)'::regprocedure)
                     AND obj_description(p.oid, 'pg_proc') IS NULL$$,
                'every new function is documented');

-- Triggers. tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate.
SELECT trigger_is('dynapi', 'actions', 'dynapi_check_action', 'dynapi', 'check_action');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.actions'::regclass AND tgname = 'dynapi_check_action'),
          (1 | 2 | 4 | 16)::int2, 'dynapi_check_action: BEFORE INSERT OR UPDATE, FOR EACH ROW');
SELECT trigger_is('dynapi', 'actions', 'dynapi_schema_events', 'dynapi', 'notify_schema_change');
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.actions'::regclass AND tgname = 'dynapi_schema_events'),
          (4 | 8 | 16 | 32)::int2, 'dynapi_schema_events (NOTIFY dynapi_schema): AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE, FOR EACH STATEMENT');
SELECT trigger_is('dynapi', 'actions', 'dynapi_acl_events', 'dynapi', 'notify_acl_change');
SELECT ok(pg_get_functiondef('dynapi.notify_schema_change()'::regprocedure) ~ $$pg_notify\('dynapi_schema', TG_TABLE_NAME\)$$,
          'notify_schema_change notifies dynapi_schema with the table name');
SELECT ok(EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'dynapi_sql_drop' AND evtevent = 'sql_drop' AND evtenabled <> 'D'),
          'dropping an action''s function notifies dynapi_schema through 0005''s sql_drop trigger');

----------------------------------------------------------------------------
-- Fixtures: tables in public, in an exposed schema and in a hidden one, and
-- functions with the right and wrong shapes.
CREATE SCHEMA dynapi_test_sales;
CREATE SCHEMA dynapi_test_hidden;
INSERT INTO dynapi.exposed_schemas VALUES ('dynapi_test_sales');
CREATE TABLE public.dynapi_test_order (id int PRIMARY KEY, paid boolean NOT NULL DEFAULT false);
CREATE TABLE public."Dynapi Test Odd" (id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_log (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_log_2020 PARTITION OF public.dynapi_test_log FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE VIEW public.dynapi_test_order_view AS SELECT * FROM public.dynapi_test_order;
CREATE TABLE dynapi_test_sales.invoice (no text PRIMARY KEY);
CREATE TABLE dynapi_test_hidden.secret (id int PRIMARY KEY);

CREATE FUNCTION public.dynapi_test_pay(r public.dynapi_test_order, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS $$ SELECT jsonb_build_object('paid', r.id, 'by', user_id, 'note', payload -> 'note') $$;
-- overloads that must be ignored
CREATE FUNCTION public.dynapi_test_pay(r public.dynapi_test_order, user_id integer, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_pay(x text) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_pay(r dynapi_test_sales.invoice, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_count(r public.dynapi_test_order, user_id bigint, payload jsonb) RETURNS integer
LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION public.dynapi_test_only_public(r dynapi_test_sales.invoice, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION dynapi_test_sales.dynapi_test_pay(r dynapi_test_sales.invoice, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT ''{}''::jsonb';
CREATE FUNCTION dynapi_test_hidden.dynapi_test_elsewhere(r public.dynapi_test_order, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public."Dynapi Odd Fn"(r public."Dynapi Test Odd", user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_archive(r public.dynapi_test_log, user_id bigint, payload jsonb) RETURNS jsonb
LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE PROCEDURE public.dynapi_test_proc(r public.dynapi_test_order, user_id bigint, payload jsonb)
LANGUAGE sql AS 'SELECT 1';

----------------------------------------------------------------------------
-- API names
SELECT is(dynapi.api_table('dynapi_test_order'), 'public.dynapi_test_order'::regclass, 'api_table: a public table by its bare name');
SELECT is(dynapi.api_table('dynapi_test_sales.invoice'), 'dynapi_test_sales.invoice'::regclass, 'api_table: schema.table elsewhere');
SELECT is(dynapi.api_table('Dynapi Test Odd'), 'public."Dynapi Test Odd"'::regclass, 'api_table: names are not quoted');
SELECT is(dynapi.api_table('dynapi_test_log'), 'public.dynapi_test_log'::regclass, 'api_table: partitioned tables');
SELECT is(dynapi.api_table('dynapi_test_log_2020'), NULL, 'api_table: not partitions');
SELECT is(dynapi.api_table('public.dynapi_test_order'), NULL, 'api_table: public tables are not schema-qualified');
SELECT is(dynapi.api_table('dynapi_test_hidden.secret'), NULL, 'api_table: not outside the exposed schemas');
SELECT is(dynapi.api_table('dynapi_test_order_view'), NULL, 'api_table: not views');
SELECT is(dynapi.api_table('dynapi_test_nothing'), NULL, 'api_table: NULL for unknown names');

----------------------------------------------------------------------------
-- Canonicalisation
SELECT lives_ok($$SELECT dynapi.register_action('dynapi_test_order', 'pay', 'dynapi_test_pay')$$, 'register_action by name');
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          '... stored as the full, schema-qualified signature (other overloads ignored)');
SELECT is((SELECT required_permission FROM dynapi.actions WHERE name = 'pay'), 'update', '... requiring update by default');
SELECT dynapi.register_action('dynapi_test_order', 'pay2', 'public.dynapi_test_pay');
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay2'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          'schema.name gives the same');
SELECT dynapi.register_action('dynapi_test_order', 'pay3', 'dynapi_test_pay(dynapi_test_order, bigint, jsonb)');
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay3'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          'an unqualified signature gives the same');
SELECT dynapi.register_action('dynapi_test_order', 'pay4', ' public.dynapi_test_pay( public.dynapi_test_order , int8, "jsonb" ) ');
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay4'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          'a qualified signature with type aliases and spaces gives the same');
SELECT dynapi.register_action('dynapi_test_order', 'pay5', pg_temp.function_of('dynapi_test_order', 'pay'));
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay5'), pg_temp.function_of('dynapi_test_order', 'pay'),
          'the canonical text is accepted as it is');
SELECT dynapi.register_action('dynapi_test_sales.invoice', 'pay', 'dynapi_test_pay');
SELECT is(pg_temp.function_of('dynapi_test_sales.invoice', 'pay'),
          'dynapi_test_sales.dynapi_test_pay(dynapi_test_sales.invoice,bigint,jsonb)',
          'an unqualified name is looked up in the table''s schema first');
SELECT dynapi.register_action('dynapi_test_sales.invoice', 'pay-public', 'public.dynapi_test_pay');
SELECT is(pg_temp.function_of('dynapi_test_sales.invoice', 'pay-public'),
          'public.dynapi_test_pay(dynapi_test_sales.invoice,bigint,jsonb)', '... a qualified one where it says');
SELECT dynapi.register_action('dynapi_test_sales.invoice', 'only_public', 'dynapi_test_only_public');
SELECT is(pg_temp.function_of('dynapi_test_sales.invoice', 'only_public'),
          'public.dynapi_test_only_public(dynapi_test_sales.invoice,bigint,jsonb)', '... then in public');
SELECT dynapi.register_action('dynapi_test_sales.invoice', 'sig', 'dynapi_test_pay(invoice, bigint, jsonb)');
SELECT is(pg_temp.function_of('dynapi_test_sales.invoice', 'sig'),
          'dynapi_test_sales.dynapi_test_pay(dynapi_test_sales.invoice,bigint,jsonb)',
          'unqualified names in a signature are looked up in the table''s schema too');
SELECT dynapi.register_action('Dynapi Test Odd', 'odd', '"Dynapi Odd Fn"');
SELECT is(pg_temp.function_of('Dynapi Test Odd', 'odd'), 'public."Dynapi Odd Fn"(public."Dynapi Test Odd",bigint,jsonb)',
          'quoted names are kept quoted');
SELECT dynapi.register_action('Dynapi Test Odd', 'odd2', pg_temp.function_of('Dynapi Test Odd', 'odd'));
SELECT is(pg_temp.function_of('Dynapi Test Odd', 'odd2'), pg_temp.function_of('Dynapi Test Odd', 'odd'),
          '... and read back');
SELECT dynapi.register_action('dynapi_test_log', 'archive', 'dynapi_test_archive', 'delete');
SELECT is(pg_temp.function_of('dynapi_test_log', 'archive'), 'public.dynapi_test_archive(public.dynapi_test_log,bigint,jsonb)',
          'partitioned tables can have actions');
-- Only the calls under test run with a bare search_path (pgTAP lives in public).
SET LOCAL search_path = pg_catalog;
SELECT dynapi.register_action('dynapi_test_order', 'pay6', 'dynapi_test_pay');
SELECT to_regprocedure(a.function)::oid AS resolved_oid FROM dynapi.actions AS a WHERE a.name = 'pay6' \gset
RESET search_path;
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay6'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          'neither lookup nor canonical text depend on the caller''s search_path');
SELECT is(:resolved_oid::regprocedure, 'public.dynapi_test_pay(public.dynapi_test_order, bigint, jsonb)'::regprocedure,
          'the canonical text resolves to the function from any search_path');
SELECT is(public.dynapi_test_pay(ROW(7, false)::public.dynapi_test_order, 42::bigint, '{"note": "x"}'),
          '{"paid": 7, "by": 42, "note": "x"}'::jsonb, 'the registered function is callable as (row, user_id, payload)');

----------------------------------------------------------------------------
-- register / unregister
SELECT id AS pay_id FROM dynapi.actions WHERE table_name = 'dynapi_test_order' AND name = 'pay' \gset
SELECT lives_ok($$SELECT dynapi.register_action('dynapi_test_order', 'pay', 'public.dynapi_test_pay', 'read')$$,
                'register_action again');
SELECT row_eq($$SELECT id, function, required_permission FROM dynapi.actions WHERE table_name = 'dynapi_test_order' AND name = 'pay'$$,
              ROW(:pay_id::bigint, 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)'::text, 'read'::text),
              '... updates the same row (upsert on table_name, name)');
SELECT is(dynapi.unregister_action('dynapi_test_order', 'pay2'), true, 'unregister_action: true when the action existed');
SELECT is(dynapi.unregister_action('dynapi_test_order', 'pay2'), false, '... false when it did not');
SELECT is(dynapi.unregister_action('dynapi_test_order', 'PAY3'), false, '... names are case-sensitive');
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.actions WHERE name = 'pay2') AND EXISTS (SELECT 1 FROM dynapi.actions WHERE name = 'pay3'),
          '... and removes exactly that action');

----------------------------------------------------------------------------
-- Refusals: 22023 with the column in COLUMN
SELECT pg_temp.refuses($$'dynapi_test_nothing', 'pay', 'dynapi_test_pay'$$, 'table_name',
                       'table "dynapi_test_nothing" does not exist in an exposed schema', 'unknown table');
SELECT pg_temp.refuses($$'public.dynapi_test_order', 'pay', 'dynapi_test_pay'$$, 'table_name',
                       'table "public.dynapi_test_order" does not exist in an exposed schema', 'public table by schema.table');
SELECT pg_temp.refuses($$'dynapi_test_hidden.secret', 'pay', 'dynapi_test_pay'$$, 'table_name',
                       'table "dynapi_test_hidden.secret" does not exist in an exposed schema', 'table outside the exposed schemas');
SELECT pg_temp.refuses($$'dynapi_test_order_view', 'pay', 'dynapi_test_pay'$$, 'table_name',
                       'table "dynapi_test_order_view" does not exist in an exposed schema', 'a view');
SELECT pg_temp.refuses($$'dynapi_test_log_2020', 'pay', 'dynapi_test_archive'$$, 'table_name',
                       'table "dynapi_test_log_2020" does not exist in an exposed schema', 'a partition');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay now', 'dynapi_test_pay'$$, 'name',
                       'action name "pay now" may only contain letters, digits, _ and -', 'a name with a space');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay/now', 'dynapi_test_pay'$$, 'name',
                       'action name "pay/now" may only contain letters, digits, _ and -', 'a name with a slash');
SELECT pg_temp.refuses($$'dynapi_test_order', 'payé', 'dynapi_test_pay'$$, 'name',
                       'action name "payé" may only contain letters, digits, _ and -', 'a name with a non-ASCII letter');
SELECT pg_temp.refuses($$'dynapi_test_order', '', 'dynapi_test_pay'$$, 'name',
                       'action name "" may only contain letters, digits, _ and -', 'an empty name');
SELECT pg_temp.refuses($$'dynapi_test_order', E'pay\n', 'dynapi_test_pay'$$, 'name',
                       E'action name "pay\\n" may only contain letters, digits, _ and -', 'a trailing newline');
SELECT lives_ok($$SELECT dynapi.register_action('dynapi_test_order', 'Pay_2-x', 'dynapi_test_pay')$$,
                'letters of both cases, digits, _ and - are accepted');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_nope'$$, 'function',
                       'function dynapi_test_nope(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'unknown function: the message shows the expected signature');
SELECT is(pg_temp.error_of($$SELECT dynapi.register_action('dynapi_test_sales.invoice', 'x', 'nope')$$) ->> 'message',
          'function nope(dynapi_test_sales.invoice, bigint, jsonb) returns jsonb does not exist',
          '... with the row type schema-qualified outside public');
SELECT is(pg_temp.error_of($$SELECT dynapi.register_action('Dynapi Test Odd', 'x', 'Nope')$$) ->> 'message',
          'function nope("Dynapi Test Odd", bigint, jsonb) returns jsonb does not exist',
          '... and quoted where needed');
SELECT is(pg_temp.error_of($$SELECT dynapi.register_action('dynapi_test_sales.invoice', 'x', 'nope')$$) ->> 'hint',
          'An action function takes (row dynapi_test_sales.invoice, user_id bigint, payload jsonb) and returns jsonb; a name without a schema is looked up in schema dynapi_test_sales, then public.',
          '... and a hint saying where it looked');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_count'$$, 'function',
                       'function dynapi_test_count(dynapi_test_order, bigint, jsonb) must return jsonb, not integer',
                       'a function returning something else');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_pay(dynapi_test_order, integer, jsonb)'$$, 'function',
                       'function dynapi_test_pay(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'a signature naming an overload with other arguments');
SELECT is(pg_temp.error_of($$SELECT dynapi.register_action('dynapi_test_order', 'pay', 'dynapi_test_pay(text)')$$) ->> 'detail',
          'public.dynapi_test_pay(text) is not a function of (dynapi_test_order, bigint, jsonb).', '... saying which function it found');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_pay(dynapi_test_ordre, bigint, jsonb)'$$, 'function',
                       'function dynapi_test_pay(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'a signature with an unknown type');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_pay(dynapi_test_order, bigint'$$, 'function',
                       'function dynapi_test_pay(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'a signature without its closing parenthesis');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_sales.dynapi_test_pay'$$, 'function',
                       'function dynapi_test_sales.dynapi_test_pay(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'a schema without such a function');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_elsewhere'$$, 'function',
                       'function dynapi_test_elsewhere(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'unqualified names are not looked up outside the table''s schema and public');
SELECT lives_ok($$SELECT dynapi.register_action('dynapi_test_order', 'elsewhere', 'dynapi_test_hidden.dynapi_test_elsewhere')$$,
                '... but a qualified name may point anywhere');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'dynapi_test_proc'$$, 'function',
                       'function dynapi_test_proc(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                       'a procedure is not a function');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', 'a.b.c'$$, 'function',
                       '"a.b.c" is not a function name or signature', 'a name with three parts');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', ''$$, 'function',
                       '"" is not a function name or signature', 'an empty function');
SELECT pg_temp.refuses($$'dynapi_test_order', 'pay', '"unterminated'$$, 'function',
                       '"\"unterminated" is not a function name or signature', 'an unterminated quote');
SELECT throws_ok($$SELECT dynapi.register_action('dynapi_test_order', 'pay', 'dynapi_test_pay', 'admin')$$,
                 '23514', NULL, 'required_permission keeps its CHECK');
SELECT throws_ok($$SELECT dynapi.register_action('dynapi_test_order', 'pay', NULL)$$,
                 '23502', NULL, 'a NULL function is left to NOT NULL');

----------------------------------------------------------------------------
-- Plain SQL is checked the same way
SELECT throws_ok($$INSERT INTO dynapi.actions (table_name, name, function) VALUES ('dynapi_test_order', 'raw', 'dynapi_test_nope')$$,
                 '22023', 'function dynapi_test_nope(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                 'INSERT without the helper is checked');
SELECT throws_ok($$INSERT INTO dynapi.actions (table_name, name, function) VALUES ('nope', 'raw', 'x')$$,
                 '22023', 'table "nope" does not exist in an exposed schema', '... the table too');
INSERT INTO dynapi.actions (table_name, name, function) VALUES ('dynapi_test_order', 'raw', 'dynapi_test_pay');
SELECT is(pg_temp.function_of('dynapi_test_order', 'raw'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          '... and canonicalised');
SELECT throws_ok($$UPDATE dynapi.actions SET function = 'dynapi_test_count' WHERE name = 'raw'$$,
                 '22023', 'function dynapi_test_count(dynapi_test_order, bigint, jsonb) must return jsonb, not integer',
                 'UPDATE is checked');
SELECT throws_ok($$UPDATE dynapi.actions SET name = 'r a w' WHERE name = 'raw'$$, '22023', NULL, '... every column of it');
SELECT throws_ok($$UPDATE dynapi.actions SET table_name = 'dynapi_test_sales.invoice' WHERE name = 'raw'$$, '22023',
                 'function public.dynapi_test_pay(dynapi_test_sales.invoice, bigint, jsonb) returns jsonb does not exist',
                 'moving an action to another table checks its function against that table''s row type');
UPDATE dynapi.actions SET table_name = 'dynapi_test_sales.invoice', function = 'dynapi_test_pay' WHERE name = 'raw';
SELECT is(pg_temp.function_of('dynapi_test_sales.invoice', 'raw'),
          'dynapi_test_sales.dynapi_test_pay(dynapi_test_sales.invoice,bigint,jsonb)',
          '... and resolves a name for that table');

----------------------------------------------------------------------------
-- action_function: what readers resolve rows with; never raises
SELECT is(dynapi.action_function('dynapi_test_order', pg_temp.function_of('dynapi_test_order', 'pay')),
          'public.dynapi_test_pay(public.dynapi_test_order, bigint, jsonb)'::regprocedure, 'action_function resolves a row');
SELECT is(dynapi.action_function('dynapi_test_order', 'nope(x'), NULL, '... NULL for garbage');
SELECT is(dynapi.action_function('nope', 'dynapi_test_pay'), NULL, '... NULL for an unknown table');
SELECT is(dynapi.action_function('dynapi_test_order', 'dynapi_test_count'), NULL, '... NULL for a function that does not fit');
DROP FUNCTION public.dynapi_test_archive(public.dynapi_test_log, bigint, jsonb);
SELECT ok(EXISTS (SELECT 1 FROM dynapi.actions WHERE name = 'archive'), 'dropping a function keeps its action row');
SELECT is(dynapi.action_function('dynapi_test_log', pg_temp.function_of('dynapi_test_log', 'archive')), NULL,
          '... which action_function no longer resolves');
DROP TABLE public."Dynapi Test Odd" CASCADE;
-- The stored signature now names a type that does not exist: to_regprocedure
-- raises on that (PostgreSQL 15 says: type "public.Dynapi Test Odd" does not exist).
SELECT lives_ok($$SELECT dynapi.action_function(table_name, function) FROM dynapi.actions$$,
                'action_function never raises, even for an action whose table was dropped with its functions');
SELECT is(dynapi.action_function('Dynapi Test Odd', pg_temp.function_of('Dynapi Test Odd', 'odd')), NULL,
          '... and answers NULL for it');

----------------------------------------------------------------------------
-- Configuration documents carry the canonical text, and it imports back.
DELETE FROM dynapi.actions WHERE table_name IN ('Dynapi Test Odd', 'dynapi_test_log');
SELECT dynapi.export_config() AS exported \gset
SELECT is(jsonb_path_query_array(:'exported'::jsonb, '$.actions[*] ? (@.name == "sig").function'),
          '["dynapi_test_sales.dynapi_test_pay(dynapi_test_sales.invoice,bigint,jsonb)"]'::jsonb,
          'export_config exports the canonical signature');
DELETE FROM dynapi.actions;
SELECT is(dynapi.import_config(:'exported') -> 'actions', to_jsonb(jsonb_array_length(:'exported'::jsonb -> 'actions')),
          'import_config takes every action back');
SELECT is(dynapi.export_config(), :'exported'::jsonb, 'export → import → export reproduces the actions');
SELECT is(dynapi.import_config('{"actions": [{"table_name": "dynapi_test_order", "name": "pay", "function": "dynapi_test_pay"}]}')
              -> 'actions', '1'::jsonb, 'import_config accepts a bare name ...');
SELECT is(pg_temp.function_of('dynapi_test_order', 'pay'), 'public.dynapi_test_pay(public.dynapi_test_order,bigint,jsonb)',
          '... and stores the canonical signature');
SELECT throws_ok($$SELECT dynapi.import_config('{"actions": [{"table_name": "dynapi_test_order", "name": "pay2", "function": "dynapi_test_pay"},
                                                             {"table_name": "dynapi_test_order", "name": "bad", "function": "dynapi_test_nope"}]}')$$,
                 '22023', 'function dynapi_test_nope(dynapi_test_order, bigint, jsonb) returns jsonb does not exist',
                 'import_config refuses an action whose function does not exist');
SELECT ok(NOT EXISTS (SELECT 1 FROM dynapi.actions WHERE name = 'pay2'), '... and imports none of the document');

SELECT * FROM finish();
ROLLBACK;
