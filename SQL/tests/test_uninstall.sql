-- uninstall.sql removes every object of the bundle and nothing of the user's.
-- It runs inside this test's transaction and is rolled back at the end.
-- (That it refuses, changing nothing, when a user's policy calls
-- dynapi.current_user_id() is checked in test_request_context.sql via the
-- same DROP it runs.)
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(12);

CREATE TABLE public.dynapi_test_keep (id int PRIMARY KEY, v text);
INSERT INTO public.dynapi_test_keep VALUES (1, 'a'), (2, 'b');
CREATE TABLE public.dynapi_test_keep_m (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
CREATE TABLE public.dynapi_test_keep_m1 PARTITION OF public.dynapi_test_keep_m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
INSERT INTO public.dynapi_test_keep_m VALUES (1, '2020-02-02');
SELECT has_trigger('public', 'dynapi_test_keep', 'dynapi_row_events_insert', 'before: user tables carry the row-event triggers');
SELECT has_trigger('public', 'dynapi_test_keep_m', 'dynapi_row_events_insert', '... partitioned tables too');
SELECT has_trigger('public', 'dynapi_test_keep_m1', 'dynapi_row_events_insert', '... and their partitions');
SELECT ok(to_regclass('dynapi.api_users') IS NOT NULL
          AND EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'dynapi.api_users'::regclass AND tgname = 'dynapi_api_users_write'),
          'before: the admin views (0007) and their INSTEAD OF trigger exist');

\ir ../uninstall.sql

SELECT hasnt_schema('dynapi', 'schema dynapi is gone');
SELECT is_empty($$SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'dynapi%'$$, 'no dynapi event triggers remain');
SELECT is_empty($$SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'dynapi%'$$,
                'no dynapi triggers remain on user tables');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'dynapi'$$, 'no dynapi functions remain');
SELECT results_eq('SELECT id, v FROM public.dynapi_test_keep ORDER BY id', $$VALUES (1, 'a'), (2, 'b')$$,
                  'user tables and their rows are kept');
SELECT lives_ok($$INSERT INTO public.dynapi_test_keep_m VALUES (2, '2020-03-03');
                  CREATE TABLE public.dynapi_test_after (id int)$$,
                'writes and DDL work without the bundle');
SELECT is((SELECT count(*) FROM public.dynapi_test_keep_m), 2::bigint, 'partitioned user tables are kept');

-- A second run on a database without the bundle only says so.
\ir ../uninstall.sql
SELECT hasnt_schema('dynapi', 'uninstall is harmless when nothing is installed');

SELECT * FROM finish();
ROLLBACK;
