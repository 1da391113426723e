-- 0003: hashing, registration, authentication and password changes.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(48);

-- The cheapest bcrypt cost keeps this file fast; one test below checks the default.
SET LOCAL dynapi.bcrypt_cost = 4;
-- crypt() lives wherever pgcrypto was installed.
SET LOCAL search_path = public, dynapi, extensions;

SELECT has_function('dynapi', 'hash_password', ARRAY['text']);
SELECT has_function('dynapi', 'create_user', ARRAY['text', 'text', 'text', 'boolean', 'text']);
SELECT has_function('dynapi', 'authenticate', ARRAY['text', 'text']);
SELECT has_function('dynapi', 'set_password', ARRAY['bigint', 'text']);
SELECT has_function('dynapi', 'change_password', ARRAY['bigint', 'text', 'text']);
SELECT function_returns('dynapi', 'hash_password', ARRAY['text'], 'text');
SELECT function_returns('dynapi', 'create_user', ARRAY['text', 'text', 'text', 'boolean', 'text'], 'bigint');
SELECT function_returns('dynapi', 'authenticate', ARRAY['text', 'text'], 'jsonb');
SELECT function_returns('dynapi', 'set_password', ARRAY['bigint', 'text'], 'void');
SELECT function_returns('dynapi', 'change_password', ARRAY['bigint', 'text', 'text'], 'boolean');
SELECT is_definer('dynapi', 'create_user', ARRAY['text', 'text', 'text', 'boolean', 'text']);
SELECT is_definer('dynapi', 'authenticate', ARRAY['text', 'text']);
SELECT is_definer('dynapi', 'set_password', ARRAY['bigint', 'text']);
SELECT is_definer('dynapi', 'change_password', ARRAY['bigint', 'text', 'text']);
SELECT ok(EXISTS (SELECT 1 FROM pg_proc
                   WHERE oid = 'dynapi.authenticate(text, text)'::regprocedure
                     AND 'search_path=dynapi, public, extensions, pg_temp' = ANY (proconfig)),
          'SECURITY DEFINER functions pin search_path');

CREATE ROLE dynapi_test_nobody NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_nobody;
SELECT ok(NOT has_function_privilege('dynapi_test_nobody', 'dynapi.create_user(text, text, text, boolean, text)', 'EXECUTE')
          AND NOT has_function_privilege('dynapi_test_nobody', 'dynapi.authenticate(text, text)', 'EXECUTE')
          AND NOT has_function_privilege('dynapi_test_nobody', 'dynapi.set_password(bigint, text)', 'EXECUTE')
          AND NOT has_function_privilege('dynapi_test_nobody', 'dynapi.change_password(bigint, text, text)', 'EXECUTE'),
          'a role with USAGE on dynapi still cannot create users or touch passwords');

-- hash_password
SELECT matches(dynapi.hash_password('s3cret'), '^\$2a\$04\$.{53}$', 'bcrypt hash at the configured cost');
SELECT isnt(dynapi.hash_password('s3cret'), dynapi.hash_password('s3cret'), 'every hash has its own salt');
SELECT is((SELECT crypt('s3cret', h) = h FROM dynapi.hash_password('s3cret') AS h), true,
          'the hash verifies with crypt()');
SELECT throws_ok($$SELECT dynapi.hash_password('')$$, '22023', 'password must not be empty', 'empty password refused');
SELECT throws_ok($$SELECT dynapi.hash_password(NULL)$$, '22023', 'password must not be empty', 'NULL password refused');
SET LOCAL dynapi.bcrypt_cost = '';
SELECT matches(dynapi.hash_password('s3cret'), '^\$2a\$10\$', 'default cost is 10');
SET LOCAL dynapi.bcrypt_cost = 4;

-- create_user
SELECT ok(dynapi.create_user('alice', 'alice@example.com', 'wonderland') > 0, 'create_user returns the new id');
SELECT row_eq($$SELECT email, contact, is_admin, is_active, password_hash <> 'wonderland', password_hash LIKE '$2a$04$%'
                  FROM dynapi.users WHERE username = 'alice'$$,
              ROW('alice@example.com'::varchar, NULL::varchar, false, true, true, true),
              'the user is stored with a bcrypt hash, not the password');
SELECT dynapi.create_user('bob', 'bob@example.com', 'builder', true, '+1 555 0100') AS bob_id \gset
SELECT is((SELECT id FROM dynapi.users WHERE username = 'bob'), :bob_id::bigint,
          'create_user with is_admin and contact returns the stored id');
SELECT row_eq($$SELECT is_admin, contact FROM dynapi.users WHERE username = 'bob'$$,
              ROW(true, '+1 555 0100'::varchar), 'is_admin and contact are stored');
SELECT throws_ok($$SELECT dynapi.create_user('alice', 'other@example.com', 'x')$$,
                 '23505', 'duplicate key value violates unique constraint "users_username_key"',
                 'a taken username raises unique_violation on users_username_key');
SELECT throws_ok($$SELECT dynapi.create_user('carol', 'c@example.com', '')$$,
                 '22023', 'password must not be empty', 'create_user refuses an empty password');

-- authenticate
SELECT is(dynapi.authenticate('alice', 'wonderland'),
          jsonb_build_object('id', (SELECT id FROM dynapi.users WHERE username = 'alice'),
                             'username', 'alice', 'email', 'alice@example.com', 'contact', NULL, 'is_admin', false),
          'right password: the user''s public fields');
SELECT isnt((SELECT last_login FROM dynapi.users WHERE username = 'alice'), NULL, 'a successful login sets last_login');
SELECT is(dynapi.authenticate('alice', 'Wonderland'), NULL, 'wrong password: NULL');
SELECT is(dynapi.authenticate('alice', NULL), NULL, 'NULL password: NULL');
SELECT is(dynapi.authenticate('nobody', 'wonderland'), NULL, 'unknown user: NULL');
SELECT is(dynapi.authenticate('bob', 'builder') ->> 'is_admin', 'true', 'admins authenticate as admins');
UPDATE dynapi.users SET is_active = false WHERE username = 'bob';
SELECT is(dynapi.authenticate('bob', 'builder'), NULL, 'inactive user: NULL even with the right password');
-- A hot standby runs every transaction read-only: sign-in works, last_login stays.
UPDATE dynapi.users SET last_login = NULL WHERE username = 'alice';
SAVEPOINT on_standby;
SET LOCAL transaction_read_only = on;
SELECT is(dynapi.authenticate('alice', 'wonderland') ->> 'username', 'alice', 'a read-only transaction (a standby) still signs in');
ROLLBACK TO SAVEPOINT on_standby;
SELECT is((SELECT last_login FROM dynapi.users WHERE username = 'alice'), NULL, '... and leaves last_login as it was');

-- set_password (admin reset)
UPDATE dynapi.users SET password_changed_at = now() - interval '1 day' WHERE username = 'alice';
SELECT lives_ok($$SELECT dynapi.set_password((SELECT id FROM dynapi.users WHERE username = 'alice'), 'looking-glass')$$,
                'set_password');
SELECT is(dynapi.authenticate('alice', 'looking-glass') ->> 'username', 'alice', 'the new password works');
SELECT is(dynapi.authenticate('alice', 'wonderland'), NULL, 'the old one does not');
SELECT is((SELECT password_changed_at FROM dynapi.users WHERE username = 'alice'), now(),
          'set_password records password_changed_at');
SELECT throws_ok($$SELECT dynapi.set_password(-1, 'x')$$, 'P0002', 'user -1 does not exist',
                 'set_password on a missing user raises no_data_found');
SELECT throws_ok($$SELECT dynapi.set_password((SELECT id FROM dynapi.users WHERE username = 'alice'), '')$$,
                 '22023', 'password must not be empty', 'set_password refuses an empty password');

-- change_password (self-service)
SELECT is(dynapi.change_password((SELECT id FROM dynapi.users WHERE username = 'alice'), 'wrong', 'queen'),
          false, 'change_password with the wrong old password: false');
SELECT is(dynapi.authenticate('alice', 'looking-glass') ->> 'username', 'alice', '... and nothing changed');
SELECT is(dynapi.change_password((SELECT id FROM dynapi.users WHERE username = 'alice'), 'looking-glass', 'queen'),
          true, 'change_password with the right old password: true');
SELECT is(dynapi.authenticate('alice', 'queen') ->> 'username', 'alice', '... and the new password works');
SELECT throws_ok($$SELECT dynapi.change_password(-1, 'a', 'b')$$, 'P0002', 'user -1 does not exist',
                 'change_password on a missing user raises no_data_found');

SELECT * FROM finish();
ROLLBACK;
