-- 0008: configuration documents: export, import, round trip, idempotency,
-- and every kind of refusal.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(97);

SET LOCAL dynapi.bcrypt_cost = 4;

-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql

-- Refusals: import_config(doc) must fail with 22023 and exactly this message.
CREATE FUNCTION pg_temp.refuses(doc text, message text, description text) RETURNS text LANGUAGE sql AS $$
    SELECT throws_ok(format('SELECT dynapi.import_config(%L::jsonb)', doc), '22023', message, description)
$$;

-- Start from an empty configuration (rolled back at the end, like everything here).
DELETE FROM dynapi.user_roles;
DELETE FROM dynapi.roles;
DELETE FROM dynapi.table_settings;
DELETE FROM dynapi.actions;
SELECT dynapi.create_user('test_alice', 'alice@example.com', 'pw') IS NOT NULL AS ok \gset
SELECT dynapi.create_user('test_bob', 'bob@example.com', 'pw') IS NOT NULL AS ok \gset
-- Since 0011 actions name real tables and functions (f(row, bigint, jsonb) RETURNS jsonb).
CREATE TABLE public.dynapi_test_order (id int PRIMARY KEY);
CREATE TABLE public.dynapi_test_customer (id int PRIMARY KEY);
CREATE FUNCTION public.dynapi_test_mark_order_as_paid(r public.dynapi_test_order, user_id bigint, payload jsonb)
RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_cancel_order(r public.dynapi_test_order, user_id bigint, payload jsonb)
RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_cancel_order_v2(r public.dynapi_test_order, user_id bigint, payload jsonb)
RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';
CREATE FUNCTION public.dynapi_test_archive_customer(r public.dynapi_test_customer, user_id bigint, payload jsonb)
RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';

SELECT has_function('dynapi', 'export_config', '{}'::name[]);
SELECT function_returns('dynapi', 'export_config', '{}'::name[], 'jsonb');
SELECT volatility_is('dynapi', 'export_config', '{}'::name[], 'stable');
SELECT has_function('dynapi', 'import_config', ARRAY['jsonb']);
SELECT function_returns('dynapi', 'import_config', ARRAY['jsonb'], 'jsonb');
SELECT isnt_definer('dynapi', 'import_config', ARRAY['jsonb']);

----------------------------------------------------------------------------
-- Export
SELECT is(dynapi.export_config(),
          '{"format": "dynapi-config", "version": 1, "roles": [], "user_roles": [], "table_settings": [], "actions": [],
            "schema_editors": [], "events": {"mode": "notify", "retention": "24:00:00"},
            "history": {"retention": "90 days"}}'::jsonb,
          'an empty configuration exports every section, empty, and the default event settings');

INSERT INTO dynapi.roles (name, description) VALUES ('Manager', 'Runs the shop'), ('Clerk', ''), ('auditor', 'Reads');
INSERT INTO dynapi.user_roles (user_id, role_id, table_name, can_create, can_read, can_update, can_delete)
SELECT u.id, r.id, g.table_name, g.c, g.r, g.u, g.d
  FROM (VALUES ('test_bob', 'Clerk', 'order', true, true, false, false),
               ('test_alice', 'Manager', 'order', true, true, true, true),
               ('test_alice', NULL, 'customer', false, true, false, false)) AS g(username, role, table_name, c, r, u, d)
  JOIN dynapi.users AS u ON u.username = g.username
  LEFT JOIN dynapi.roles AS r ON r.name = g.role;
INSERT INTO dynapi.table_settings (table_name, exposed, hidden_columns, read_only_columns, label, event_mode, key_columns)
VALUES ('order', true, '{internal_note,cost}', '{total}', 'Orders', 'log', '{}'),
       ('customer', false, '{}', '{}', NULL, NULL, '{region,number}');
UPDATE dynapi.event_settings SET event_mode = 'off', retention = '7 days 12:30';
INSERT INTO dynapi.actions (table_name, name, function, required_permission)
VALUES ('dynapi_test_order', 'mark_as_paid', 'public.dynapi_test_mark_order_as_paid', 'update'),
       ('dynapi_test_order', 'cancel', 'public.dynapi_test_cancel_order', 'delete'),
       ('dynapi_test_customer', 'archive', 'public.dynapi_test_archive_customer', 'read');

SELECT is(dynapi.export_config(), $${
    "format": "dynapi-config", "version": 1,
    "roles": [{"name": "Clerk", "description": ""},
              {"name": "Manager", "description": "Runs the shop"},
              {"name": "auditor", "description": "Reads"}],
    "user_roles": [{"username": "test_alice", "role": null, "table_name": "customer",
                    "can_create": false, "can_read": true, "can_update": false, "can_delete": false},
                   {"username": "test_alice", "role": "Manager", "table_name": "order",
                    "can_create": true, "can_read": true, "can_update": true, "can_delete": true},
                   {"username": "test_bob", "role": "Clerk", "table_name": "order",
                    "can_create": true, "can_read": true, "can_update": false, "can_delete": false}],
    "table_settings": [{"table_name": "customer", "exposed": false, "hidden_columns": [], "read_only_columns": [], "label": null,
                        "event_mode": null, "key_columns": ["region", "number"], "history": false},
                       {"table_name": "order", "exposed": true, "hidden_columns": ["internal_note", "cost"],
                        "read_only_columns": ["total"], "label": "Orders", "event_mode": "log", "key_columns": [], "history": false}],
    "actions": [{"table_name": "dynapi_test_customer", "name": "archive",
                 "function": "public.dynapi_test_archive_customer(public.dynapi_test_customer,bigint,jsonb)", "required_permission": "read"},
                {"table_name": "dynapi_test_order", "name": "cancel",
                 "function": "public.dynapi_test_cancel_order(public.dynapi_test_order,bigint,jsonb)", "required_permission": "delete"},
                {"table_name": "dynapi_test_order", "name": "mark_as_paid",
                 "function": "public.dynapi_test_mark_order_as_paid(public.dynapi_test_order,bigint,jsonb)", "required_permission": "update"}],
    "schema_editors": [],
    "events": {"mode": "off", "retention": "7 days 12:30:00"},
    "history": {"retention": "90 days"}
    }$$::jsonb,
    'export: every row, in a stable order (byte order of names), list order inside arrays kept, functions as canonical signatures');
SELECT ok(NOT dynapi.export_config()::text ~ '(password|\$2a\$|alice@example)',
          'export has no passwords, hashes or other user fields');
SET LOCAL IntervalStyle = 'iso_8601';
SELECT is(dynapi.export_config() -> 'events' ->> 'retention', '7 days 12:30:00', 'the retention is written the same whatever IntervalStyle');
RESET IntervalStyle;

----------------------------------------------------------------------------
-- Round trip into an empty configuration
SELECT dynapi.export_config() AS exported \gset
DELETE FROM dynapi.user_roles;
DELETE FROM dynapi.roles;
DELETE FROM dynapi.table_settings;
DELETE FROM dynapi.actions;
UPDATE dynapi.event_settings SET event_mode = DEFAULT, retention = DEFAULT;
SELECT is(dynapi.import_config(:'exported'),
          '{"roles": 3, "user_roles": 3, "table_settings": 2, "actions": 3, "schema_editors": 0, "events": 1, "history": 1}'::jsonb,
          'import into an empty configuration applies every entry');
SELECT is(dynapi.export_config(), :'exported'::jsonb, 'export → import → export reproduces the configuration');

-- Idempotency
SELECT string_agg(format('%s:%s', id, name), ',' ORDER BY id) AS role_ids FROM dynapi.roles \gset
SELECT string_agg(format('%s:%s', id, table_name), ',' ORDER BY id) AS grant_ids FROM dynapi.user_roles \gset
SELECT string_agg(format('%s:%s', id, name), ',' ORDER BY id) AS action_ids FROM dynapi.actions \gset
SELECT is(dynapi.import_config(:'exported'),
          '{"roles": 3, "user_roles": 3, "table_settings": 2, "actions": 3, "schema_editors": 0, "events": 1, "history": 1}'::jsonb,
          'importing the same document again applies the same entries');
SELECT is(dynapi.export_config(), :'exported'::jsonb, '... and leaves the same configuration');
SELECT is((SELECT string_agg(format('%s:%s', id, name), ',' ORDER BY id) FROM dynapi.roles), :'role_ids',
          '... with the same role rows (no duplicates, same ids)');
SELECT is((SELECT string_agg(format('%s:%s', id, table_name), ',' ORDER BY id) FROM dynapi.user_roles), :'grant_ids',
          '... the same grant rows');
SELECT is((SELECT string_agg(format('%s:%s', id, name), ',' ORDER BY id) FROM dynapi.actions), :'action_ids',
          '... and the same action rows');

----------------------------------------------------------------------------
-- Upserts: entries overwrite their row, absent keys take the column
-- defaults, rows the document leaves out stay.
SELECT is(dynapi.import_config($${
    "roles": [{"name": "Manager"}, {"name": "Owner", "description": "Everything"}],
    "user_roles": [{"username": "test_alice", "table_name": "order", "role": null, "can_read": true},
                   {"username": "test_bob", "table_name": "invoice", "role": "Owner", "can_create": true,
                    "can_read": true, "can_update": true, "can_delete": true}],
    "table_settings": [{"table_name": "order"}, {"table_name": "invoice", "exposed": false, "label": "Invoices",
                        "hidden_columns": ["b", "a"], "key_columns": ["number", "year"]}],
    "actions": [{"table_name": "dynapi_test_order", "name": "cancel", "function": "public.dynapi_test_cancel_order_v2"}]
    }$$),
    '{"roles": 2, "user_roles": 2, "table_settings": 2, "actions": 1, "schema_editors": 0, "events": 0, "history": 0}'::jsonb,
    'import of changes returns the entries applied per section');
SELECT is((SELECT description FROM dynapi.roles WHERE name = 'Manager'), '',
          'roles: an absent description is stored as the default ''''');
SELECT is((SELECT description FROM dynapi.roles WHERE name = 'Owner'), 'Everything', 'roles: new roles are created');
SELECT row_eq($$SELECT ur.role_id, ur.can_create, ur.can_read, ur.can_update, ur.can_delete
                  FROM dynapi.user_roles ur JOIN dynapi.users u ON u.id = ur.user_id
                 WHERE u.username = 'test_alice' AND ur.table_name = 'order'$$,
              ROW(NULL::bigint, false, true, false, false),
              'user_roles: role null clears it, absent flags are false');
SELECT row_eq($$SELECT r.name, ur.can_create, ur.can_delete
                  FROM dynapi.user_roles ur JOIN dynapi.users u ON u.id = ur.user_id
                  JOIN dynapi.roles r ON r.id = ur.role_id
                 WHERE u.username = 'test_bob' AND ur.table_name = 'invoice'$$,
              ROW('Owner'::varchar, true, true),
              'user_roles: a role defined in the same document can be referenced');
SELECT row_eq($$SELECT exposed, hidden_columns, read_only_columns, label, event_mode, key_columns
                  FROM dynapi.table_settings WHERE table_name = 'order'$$,
              ROW(true, '{}'::text[], '{}'::text[], NULL::text, NULL::text, '{}'::text[]),
              'table_settings: absent keys are exposed, nothing hidden or read-only, no label, the default event mode, no key');
SELECT row_eq($$SELECT event_mode, retention FROM dynapi.event_settings$$, ROW('off'::text, '7 days 12:30'::interval),
              'events: a document without "events" leaves the event settings alone');
SELECT row_eq($$SELECT exposed, hidden_columns, label, key_columns FROM dynapi.table_settings WHERE table_name = 'invoice'$$,
              ROW(false, '{b,a}'::text[], 'Invoices'::text, '{number,year}'::text[]),
              'table_settings: new rows, list order kept');
SELECT row_eq($$SELECT function, required_permission FROM dynapi.actions WHERE table_name = 'dynapi_test_order' AND name = 'cancel'$$,
              ROW('public.dynapi_test_cancel_order_v2(public.dynapi_test_order,bigint,jsonb)'::text, 'update'::text),
              'actions: function replaced, absent required_permission is update');
SELECT ok(EXISTS (SELECT 1 FROM dynapi.roles WHERE name = 'Clerk')
          AND EXISTS (SELECT 1 FROM dynapi.table_settings WHERE table_name = 'customer')
          AND EXISTS (SELECT 1 FROM dynapi.actions WHERE name = 'mark_as_paid')
          AND (SELECT count(*) FROM dynapi.user_roles) = 4,
          'rows the document leaves out are kept');
SELECT is(dynapi.import_config('{}'), '{"roles": 0, "user_roles": 0, "table_settings": 0, "actions": 0, "schema_editors": 0, "events": 0, "history": 0}'::jsonb,
          'an empty document applies nothing');
SELECT is(dynapi.import_config('{"format": "dynapi-config", "version": 1, "roles": [], "actions": []}'),
          '{"roles": 0, "user_roles": 0, "table_settings": 0, "actions": 0, "schema_editors": 0, "events": 0, "history": 0}'::jsonb,
          'format and version are accepted; empty sections apply nothing');

-- Event settings and per-table event modes (0013)
SELECT is(dynapi.import_config('{"events": {"mode": "log", "retention": "36 hours"},
                                 "table_settings": [{"table_name": "order", "event_mode": "notify"},
                                                    {"table_name": "invoice", "event_mode": null}]}'),
          '{"roles": 0, "user_roles": 0, "table_settings": 2, "actions": 0, "schema_editors": 0, "events": 1, "history": 0}'::jsonb,
          'events and event_mode are imported');
SELECT row_eq($$SELECT event_mode, retention FROM dynapi.event_settings$$, ROW('log'::text, '36 hours'::interval),
              'events: mode and retention set');
SELECT results_eq($$SELECT table_name, event_mode FROM dynapi.table_settings WHERE table_name IN ('order', 'invoice') ORDER BY 1$$,
                  $$VALUES ('invoice', NULL), ('order', 'notify')$$,
                  'table_settings: event_mode set, null is the default');
SELECT is(dynapi.import_config('{"events": {}}') -> 'events', '1'::jsonb, 'an empty "events" object ...');
SELECT row_eq($$SELECT event_mode, retention FROM dynapi.event_settings$$, ROW('notify'::text, '24 hours'::interval),
              '... sets the defaults, as absent keys do elsewhere');
SELECT is(dynapi.import_config('{"version": 1.0}') -> 'roles', '0'::jsonb, 'version 1.0 is version 1');

----------------------------------------------------------------------------
-- Refusals (SQLSTATE 22023, message naming the place)
SELECT dynapi.export_config() AS before_refusals \gset

-- the document
SELECT throws_ok($$SELECT dynapi.import_config(NULL)$$, '22023', 'configuration document: must be a JSON object',
                 'NULL document');
SELECT pg_temp.refuses('[]', 'configuration document: must be a JSON object', 'an array is not a document');
SELECT pg_temp.refuses('"dynapi-config"', 'configuration document: must be a JSON object', 'a string is not a document');
SELECT pg_temp.refuses('{"format": "dynapi-config", "rolse": []}', 'configuration document: unknown key "rolse"',
                       'unknown top-level key');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"rolse": []}')$$) ->> 'hint',
          'Allowed keys: format, version, roles, user_roles, table_settings, actions, schema_editors, events, history.', '... with a hint listing the keys');
SELECT pg_temp.refuses('{"format": "django-dump"}', 'format: must be "dynapi-config"', 'wrong format');
SELECT pg_temp.refuses('{"format": null}', 'format: must be "dynapi-config"', 'null format');
SELECT pg_temp.refuses('{"version": 2}', 'version: must be 1', 'unsupported version');
SELECT pg_temp.refuses('{"version": "1"}', 'version: must be 1', 'version as a string');

-- sections and entries
SELECT pg_temp.refuses('{"roles": {"name": "x"}}', 'roles: must be an array', 'a section that is an object');
SELECT pg_temp.refuses('{"user_roles": null}', 'user_roles: must be an array', 'a section that is null');
SELECT pg_temp.refuses('{"actions": [{"table_name": "t", "name": "n", "function": "f"}, 1]}', 'actions[1]: must be an object',
                       'an entry that is not an object');
SELECT pg_temp.refuses('{"roles": [{"nmae": "Manager"}]}', 'roles[0]: unknown key "nmae"', 'a misspelt key in an entry');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"roles": [{"name": "x"}, {"name": "y", "desc": ""}]}')$$)
              - 'column' - 'detail',
          '{"sqlstate": "22023", "message": "roles[1]: unknown key \"desc\"", "hint": "Allowed keys: name, description."}'::jsonb,
          '... with the allowed keys as a hint');

-- roles
SELECT pg_temp.refuses('{"roles": [{"description": "x"}]}', 'roles[0].name: is required', 'role without a name');
SELECT pg_temp.refuses('{"roles": [{"name": ""}]}', 'roles[0].name: must be a non-empty string', 'role with an empty name');
SELECT pg_temp.refuses('{"roles": [{"name": "ok"}, {"name": "  "}]}', 'roles[1].name: must be a non-empty string', 'role with a blank name');
SELECT pg_temp.refuses('{"roles": [{"name": 5}]}', 'roles[0].name: must be a non-empty string', 'role with a numeric name');
SELECT pg_temp.refuses(format('{"roles": [{"name": "%s"}]}', repeat('x', 151)), 'roles[0].name: must be at most 150 characters',
                       'role name longer than roles.name allows');
SELECT pg_temp.refuses('{"roles": [{"name": "x", "description": null}]}', 'roles[0].description: must be a string',
                       'role with a null description');
SELECT pg_temp.refuses('{"roles": [{"name": "x"}, {"name": "y"}, {"name": "x"}]}',
                       'roles[2].name: role "x" already appears in roles[0]', 'the same role twice');

-- user_roles
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "a"}, {"username": "test_alice", "table_name": "b"},
                                        {"username": "bob", "table_name": "order"}]}',
                       'user_roles[2].username: no user named "bob"', 'grant for a user that does not exist');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"user_roles": [{"username": "bob", "table_name": "order"}]}')$$) ->> 'hint',
          'Import does not create users (they hold passwords); create the user first, e.g. with dynapi.create_user.',
          '... with a hint that users are not imported');
SELECT pg_temp.refuses('{"user_roles": [{"table_name": "order"}]}', 'user_roles[0].username: is required', 'grant without a username');
SELECT pg_temp.refuses('{"user_roles": [{"username": 7, "table_name": "order"}]}', 'user_roles[0].username: must be a string',
                       'grant with a numeric username');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": ""}]}',
                       'user_roles[0].table_name: must be a non-empty string', 'grant with an empty table name');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "order", "role": 3}]}',
                       'user_roles[0].role: must be a string or null', 'grant with a numeric role');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "order", "can_read": "true"}]}',
                       'user_roles[0].can_read: must be true or false', 'grant with a flag as a string');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "order", "can_delete": null}]}',
                       'user_roles[0].can_delete: must be true or false', 'grant with a null flag');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "order", "role": "Ghost"}]}',
                       'user_roles[0].role: no role named "Ghost"', 'grant naming a role that exists nowhere');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"user_roles": [{"username": "test_alice", "table_name": "order", "role": "Ghost"}]}')$$) ->> 'hint',
          'Add the role to this document''s roles or create it first.', '... with a hint');
SELECT pg_temp.refuses('{"user_roles": [{"username": "test_alice", "table_name": "order"}, {"username": "test_alice", "table_name": "order"}]}',
                       'user_roles[1]: user "test_alice" and table "order" already appear in user_roles[0]',
                       'the same user and table twice');

-- table_settings
SELECT pg_temp.refuses('{"table_settings": [{"exposed": true}]}', 'table_settings[0].table_name: is required',
                       'settings without a table name');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "exposed": 1}]}',
                       'table_settings[0].exposed: must be true or false', 'exposed as a number');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "hidden_columns": ["a", 1]}]}',
                       'table_settings[0].hidden_columns: must be an array of strings', 'hidden_columns with a number');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "read_only_columns": "total"}]}',
                       'table_settings[0].read_only_columns: must be an array of strings', 'read_only_columns as a string');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "key_columns": "id"}]}',
                       'table_settings[0].key_columns: must be an array of strings', 'key_columns as a string');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "key_columns": ["id", "id"]}]}',
                       'key_columns must not name a column twice', 'a key naming a column twice');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "label": 5}]}',
                       'table_settings[0].label: must be a string or null', 'label as a number');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order"}, {"table_name": "order", "exposed": false}]}',
                       'table_settings[1].table_name: table "order" already appears in table_settings[0]',
                       'the same table twice');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "event_mode": "loud"}]}',
                       'table_settings[0].event_mode: must be one of notify, log, off, or null', 'an unknown event mode');
SELECT pg_temp.refuses('{"table_settings": [{"table_name": "order", "event_mode": false}]}',
                       'table_settings[0].event_mode: must be one of notify, log, off, or null', 'an event mode that is not a string');

-- events
SELECT pg_temp.refuses('{"events": []}', 'events: must be an object', '"events" as an array');
SELECT pg_temp.refuses('{"events": {"mode": "log", "retension": "1 day"}}', 'events: unknown key "retension"',
                       'a misspelt key in "events"');
SELECT is(pg_temp.error_of($$SELECT dynapi.import_config('{"events": {"x": 1}}')$$) ->> 'hint',
          'Allowed keys: mode, retention.', '... with the allowed keys as a hint');
SELECT pg_temp.refuses('{"events": {"mode": "silent"}}', 'events.mode: must be one of notify, log, off', 'an unknown mode');
SELECT pg_temp.refuses('{"events": {"mode": null}}', 'events.mode: must be one of notify, log, off', 'a null mode');
SELECT pg_temp.refuses('{"events": {"retention": "a while"}}', 'events.retention: must be an interval as a string',
                       'a retention that is not an interval');
SELECT pg_temp.refuses('{"events": {"retention": 86400}}', 'events.retention: must be an interval as a string',
                       'a retention as a number');
SELECT pg_temp.refuses('{"events": {"retention": "-1 day"}}', 'events.retention: must be longer than zero', 'a negative retention');
SELECT pg_temp.refuses('{"events": {"retention": "0"}}', 'events.retention: must be longer than zero', 'a zero retention');
SELECT pg_temp.refuses('{"events": {"mode": "x"}, "user_roles": [{"username": "nobody", "table_name": "t"}]}',
                       'events.mode: must be one of notify, log, off', '"events" problems come before unknown users');
SELECT pg_temp.refuses('{"events": {"mode": "x"}, "actions": [{"table_name": "t"}]}',
                       'actions[0].name: is required', '... and after the shape of the list sections');

-- actions
SELECT pg_temp.refuses('{"actions": [{"table_name": "order", "name": "pay", "function": "f"},
                                     {"table_name": "order", "name": "ship", "function": "g", "required_permission": "write"}]}',
                       'actions[1].required_permission: must be one of create, read, update, delete', 'unknown permission');
SELECT pg_temp.refuses('{"actions": [{"table_name": "order", "name": "pay"}]}', 'actions[0].function: is required',
                       'action without a function');
SELECT pg_temp.refuses('{"actions": [{"table_name": "order", "name": "pay", "function": ["f"]}]}',
                       'actions[0].function: must be a non-empty string', 'action with a non-string function');
SELECT pg_temp.refuses('{"actions": [{"table_name": "order", "name": "pay", "function": "f"}, {"table_name": "order", "name": "pay", "function": "g"}]}',
                       'actions[1].name: action "pay" on table "order" already appears in actions[0]', 'the same action twice');

-- which problem is reported first
SELECT pg_temp.refuses('{"actions": [{"table_name": "t", "name": "n", "function": "f", "required_permission": "x"}],
                         "roles": [{"name": ""}]}',
                       'roles[0].name: must be a non-empty string', 'the first problem in section order is reported');
SELECT pg_temp.refuses('{"user_roles": [{"username": "nobody", "table_name": "t"}, {"username": "test_alice", "table_name": 1}]}',
                       'user_roles[1].table_name: must be a non-empty string', 'shape problems come before unknown users');
SELECT pg_temp.refuses('{"user_roles": [{"username": 1, "table_name": 2, "zzz": 3, "aaa": 4}]}',
                       'user_roles[0]: unknown key "aaa"', 'within an entry: unknown keys first, alphabetically');

-- all or nothing
SELECT pg_temp.refuses('{"roles": [{"name": "Fresh"}], "table_settings": [{"table_name": "fresh"}],
                         "events": {"mode": "off", "retention": "1 hour"},
                         "user_roles": [{"username": "nobody", "table_name": "fresh"}]}',
                       'user_roles[0].username: no user named "nobody"', 'a document with one bad entry');
SELECT is(dynapi.export_config(), :'before_refusals'::jsonb, 'refused documents changed nothing');

SELECT * FROM finish();
ROLLBACK;
