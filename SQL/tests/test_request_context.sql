-- 0002: dynapi.current_user_id() / current_action() and their use in RLS.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(17);

SELECT has_function('dynapi', 'current_user_id', '{}'::name[]);
SELECT function_returns('dynapi', 'current_user_id', '{}'::name[], 'bigint');
SELECT volatility_is('dynapi', 'current_user_id', '{}'::name[], 'stable');
SELECT has_function('dynapi', 'current_action', '{}'::name[]);
SELECT function_returns('dynapi', 'current_action', '{}'::name[], 'text');
SELECT volatility_is('dynapi', 'current_action', '{}'::name[], 'stable');

-- Never set in this session yet: current_setting(..., true) is NULL.
SELECT is(dynapi.current_user_id(), NULL, 'no user outside a request');
SELECT is(dynapi.current_action(), NULL, 'no action outside a request');

SET LOCAL dynapi.user_id = '42';
SET LOCAL dynapi.action = 'update';
SELECT is(dynapi.current_user_id(), 42::bigint, 'current_user_id reads dynapi.user_id');
SELECT is(dynapi.current_action(), 'update', 'current_action reads dynapi.action');

-- What a setting reads back as once a SET LOCAL has ended.
SET LOCAL dynapi.user_id = '';
SET LOCAL dynapi.action = '';
SELECT is(dynapi.current_user_id(), NULL, 'an empty dynapi.user_id means no user');
SELECT is(dynapi.current_action(), NULL, 'an empty dynapi.action means no action');

SET LOCAL dynapi.user_id = 'bob';
SELECT throws_ok('SELECT dynapi.current_user_id()', '22P02', NULL, 'a non-numeric user id is an error, not NULL');

-- The intended use: an RLS policy that sees the API caller.
CREATE TABLE public.dynapi_test_notes (id int PRIMARY KEY, owner bigint);
INSERT INTO public.dynapi_test_notes VALUES (1, 1), (2, 2), (3, 1);
ALTER TABLE public.dynapi_test_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON public.dynapi_test_notes USING (owner = dynapi.current_user_id());
CREATE ROLE dynapi_test_api NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_api;
GRANT SELECT ON public.dynapi_test_notes TO dynapi_test_api;
SET LOCAL ROLE dynapi_test_api;
SET LOCAL dynapi.user_id = '1';
SELECT results_eq('SELECT id FROM public.dynapi_test_notes ORDER BY id', ARRAY[1, 3],
                  'an RLS policy using current_user_id() shows user 1 its rows');
SET LOCAL dynapi.user_id = '2';
SELECT results_eq('SELECT id FROM public.dynapi_test_notes ORDER BY id', ARRAY[2],
                  'and user 2 its own');
SET LOCAL dynapi.user_id = '';
SELECT is_empty('SELECT id FROM public.dynapi_test_notes', 'and nobody outside a request');
RESET ROLE;

SELECT throws_ok('DROP FUNCTION dynapi.current_user_id()', '2BP01', NULL,
                 'a policy using current_user_id() blocks dropping it (uninstall relies on this)');

SELECT * FROM finish();
ROLLBACK;
