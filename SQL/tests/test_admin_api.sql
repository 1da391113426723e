-- 0007: the views behind /api/users/, /api/roles/, /api/user-roles/ and the
-- bulk grant functions. Writes go through statements of the same shape the
-- sidecar's table pipeline sends (json_populate_record over the view, only
-- the columns the client sent), prepared with the body as $1.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(124);

SET LOCAL dynapi.bcrypt_cost = 4;
-- crypt() lives wherever pgcrypto was installed.
SET LOCAL search_path = public, dynapi, extensions;

-- pg_temp.error_of(sql): the fields of the error a statement fails with
-- (throws_ok checks only SQLSTATE and message).
\ir support/errors.sql

-- A user_roles row as the bulk functions return it.
CREATE FUNCTION pg_temp.grant_json(grant_id bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('id', id, 'user', user_id, 'role', role_id, 'table_name', table_name,
                              'can_create', can_create, 'can_read', can_read,
                              'can_update', can_update, 'can_delete', can_delete)
      FROM dynapi.user_roles WHERE id = grant_id
$$;

----------------------------------------------------------------------------
-- Shapes
SELECT has_view('dynapi', 'api_roles', 'view api_roles exists');
SELECT has_view('dynapi', 'api_users', 'view api_users exists');
SELECT has_view('dynapi', 'api_user_roles', 'view api_user_roles exists');
SELECT columns_are('dynapi', 'api_roles', ARRAY['id', 'name', 'description']);
SELECT columns_are('dynapi', 'api_users', ARRAY['id', 'username', 'email', 'contact', 'is_active', 'is_admin',
                                                'date_joined', 'last_login', 'password', 'can_change_schema']);
SELECT columns_are('dynapi', 'api_user_roles', ARRAY['id', 'user', 'role', 'table_name', 'can_create', 'can_read',
                                                     'can_update', 'can_delete', 'username', 'role_name']);
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute
                 WHERE attrelid = 'dynapi.api_users'::regclass AND attnum > 0 ORDER BY attnum),
          ARRAY['id', 'username', 'email', 'contact', 'is_active', 'is_admin', 'date_joined', 'last_login', 'password',
                'can_change_schema'],
          'api_users columns in the documented order (0018''s can_change_schema last: a view only grows at the end)');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute
                 WHERE attrelid = 'dynapi.api_user_roles'::regclass AND attnum > 0 ORDER BY attnum),
          ARRAY['id', 'user', 'role', 'table_name', 'can_create', 'can_read', 'can_update', 'can_delete',
                'username', 'role_name'],
          'api_user_roles columns in the documented order');
SELECT col_type_is('dynapi', 'api_users', 'password', 'text', 'api_users.password is text');
SELECT col_type_is('dynapi', 'api_user_roles', 'user', 'bigint', 'api_user_roles.user is bigint');
SELECT col_type_is('dynapi', 'api_user_roles', 'role', 'bigint', 'api_user_roles.role is bigint');

-- 4 INSERT | 8 UPDATE | 16 DELETE
SELECT is(pg_relation_is_updatable('dynapi.api_roles', true), 28, 'api_roles: insert, update and delete');
SELECT is(pg_relation_is_updatable('dynapi.api_users', true), 28, 'api_users: insert, update and delete (triggers)');
SELECT is(pg_relation_is_updatable('dynapi.api_user_roles', true), 28, 'api_user_roles: insert, update and delete');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute
                 WHERE attrelid = 'dynapi.api_user_roles'::regclass AND attnum > 0
                   AND NOT pg_column_is_updatable('dynapi.api_user_roles', attnum, true) ORDER BY attnum),
          ARRAY['username', 'role_name'], 'api_user_roles: only username and role_name are read-only');
SELECT is((SELECT count(*) FROM information_schema.views
            WHERE table_schema = 'dynapi' AND table_name = 'api_roles' AND is_insertable_into = 'YES'),
          1::bigint, 'api_roles is automatically updatable (no triggers)');
SELECT is((SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('dynapi.api_roles'::regclass, 'dynapi.api_user_roles'::regclass)),
          0::bigint, 'api_roles and api_user_roles have no triggers');

SELECT trigger_is('dynapi', 'api_users', 'dynapi_api_users_write', 'dynapi', 'api_users_write',
                  'api_users is written through dynapi.api_users_write()');
-- tgtype: 1 row | 4 insert | 8 delete | 16 update | 64 instead
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = 'dynapi.api_users'::regclass
                                           AND tgname = 'dynapi_api_users_write'),
          (1 | 4 | 8 | 16 | 64)::int2, 'INSTEAD OF INSERT OR UPDATE OR DELETE, FOR EACH ROW');
SELECT is_definer('dynapi', 'api_users_write', '{}'::name[]);
SELECT ok(NOT has_function_privilege('public', 'dynapi.api_users_write()', 'EXECUTE'),
          'PUBLIC cannot attach the SECURITY DEFINER trigger function to a view of its own');
SELECT ok(obj_description('dynapi.api_users'::regclass, 'pg_class') IS NOT NULL
          AND obj_description('dynapi.api_roles'::regclass, 'pg_class') IS NOT NULL
          AND obj_description('dynapi.api_user_roles'::regclass, 'pg_class') IS NOT NULL,
          'the views are documented');

----------------------------------------------------------------------------
-- api_roles
PREPARE insert_role(text) AS
    WITH _dynapi_row AS (INSERT INTO "dynapi"."api_roles" ("name")
                         SELECT "name" FROM json_populate_record(NULL::"dynapi"."api_roles", $1::json)
                         RETURNING "id", "name", "description")
    SELECT row_to_json(_dynapi_row)::text AS role_row FROM _dynapi_row;
EXECUTE insert_role('{"name": "test_manager"}') \gset
SELECT ok((:'role_row'::jsonb ->> 'id')::bigint IS NOT NULL
          AND (:'role_row'::jsonb ->> 'id')::bigint = (SELECT id FROM dynapi.roles WHERE name = 'test_manager'),
          'api_roles insert without id: the identity supplies one, and RETURNING shows it');
SELECT is(:'role_row'::jsonb ->> 'description', '', 'api_roles insert without description: the base default ''''');
SELECT is((SELECT description FROM dynapi.roles WHERE name = 'test_manager'), '', '... stored as ''''');
SELECT lives_ok($$WITH _dynapi_row AS (UPDATE "dynapi"."api_roles" AS _dynapi_target SET "description" = _dynapi_body."description"
                    FROM json_populate_record(NULL::"dynapi"."api_roles", '{"description": "Runs things"}'::json) AS _dynapi_body
                   WHERE _dynapi_target."name" = 'test_manager' RETURNING _dynapi_target."id")
                  SELECT row_to_json(_dynapi_row)::text FROM _dynapi_row$$,
                'api_roles update through the view');
SELECT is((SELECT description FROM dynapi.roles WHERE name = 'test_manager'), 'Runs things', '... changes the base row');
SELECT throws_ok($$INSERT INTO dynapi.api_roles DEFAULT VALUES$$, '23502', NULL,
                 'api_roles insert without a name: the base table''s not_null_violation');
SELECT throws_ok($$INSERT INTO dynapi.api_roles (name) VALUES ('test_manager')$$, '23505',
                 'duplicate key value violates unique constraint "roles_name_key"',
                 'api_roles duplicate name: the base table''s unique_violation');
INSERT INTO dynapi.roles (name) VALUES ('test_doomed');
SELECT results_eq($$DELETE FROM "dynapi"."api_roles" AS _dynapi_target WHERE _dynapi_target."name" = 'test_doomed' RETURNING NULL::text$$,
                  $$VALUES (NULL::text)$$, 'api_roles delete through the view answers one row');
SELECT is((SELECT count(*) FROM dynapi.roles WHERE name = 'test_doomed'), 0::bigint, '... and the role is gone');

----------------------------------------------------------------------------
-- api_users: insert
PREPARE insert_user_min(text) AS
    WITH _dynapi_row AS (INSERT INTO "dynapi"."api_users" ("username", "password")
                         SELECT "username", "password" FROM json_populate_record(NULL::"dynapi"."api_users", $1::json)
                         RETURNING "id", "username", "email", "contact", "is_active", "is_admin", "date_joined",
                                   "last_login", "password")
    SELECT row_to_json(_dynapi_row)::text AS user_row FROM _dynapi_row;
EXECUTE insert_user_min('{"username": "test_alice", "password": "wonderland"}') \gset
SELECT is((:'user_row'::jsonb ->> 'id')::bigint, (SELECT id FROM dynapi.users WHERE username = 'test_alice'),
          'api_users insert: RETURNING shows the real id');
SELECT is(:'user_row'::jsonb - 'id' - 'date_joined',
          '{"username": "test_alice", "email": "", "contact": null, "is_active": true, "is_admin": false,
            "last_login": null, "password": null}'::jsonb,
          'api_users insert with username and password only: defaults as in dynapi.users, password NULL');
SELECT is((:'user_row'::jsonb ->> 'date_joined')::timestamptz, now(), 'date_joined defaults to now()');
SELECT matches((SELECT password_hash FROM dynapi.users WHERE username = 'test_alice'), '^\$2a\$04\$.{53}$',
               'the password is stored as a bcrypt hash');
SELECT is(dynapi.authenticate('test_alice', 'wonderland') ->> 'username', 'test_alice',
          'the user can authenticate with the password given to the view');
SELECT is((SELECT password_changed_at FROM dynapi.users WHERE username = 'test_alice'), now(),
          'password_changed_at is set on insert');

SELECT lives_ok($$INSERT INTO dynapi.api_users (id, username, email, contact, is_active, is_admin, date_joined, last_login, password)
                  VALUES (-42, 'test_bob', 'bob@example.com', '+1 555 0100', false, true, '2020-01-02 03:04:05+00',
                          '2021-01-01 00:00:00+00', 'builder')$$,
                'api_users insert with every column');
SELECT row_eq($$SELECT id > 0, email, contact, is_active, is_admin, date_joined, last_login
                  FROM dynapi.api_users WHERE username = 'test_bob'$$,
              ROW(true, 'bob@example.com'::varchar, '+1 555 0100'::varchar, false, true,
                  '2020-01-02 03:04:05+00'::timestamptz, NULL::timestamptz),
              'given values are stored; id and last_login are not writable');
SELECT is((SELECT count(*) FROM dynapi.users WHERE id = -42), 0::bigint, 'a client-sent id is ignored');

SELECT throws_ok($$INSERT INTO dynapi.api_users (username) VALUES ('test_nopass')$$,
                 '23502', 'a password is required', 'api_users insert without a password: not_null_violation');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.api_users (username) VALUES ('test_nopass')$$) ->> 'column',
          'password', '... naming the password column');
SELECT throws_ok($$INSERT INTO dynapi.api_users DEFAULT VALUES$$,
                 '23502', 'a password is required', 'api_users insert with nothing: a password is required');
SELECT throws_ok($$INSERT INTO dynapi.api_users (username, password) VALUES ('test_nopass', '')$$,
                 '22023', 'password must not be empty', 'api_users insert with an empty password');
SELECT is(pg_temp.error_of($$INSERT INTO dynapi.api_users (username, password) VALUES ('test_nopass', '')$$) ->> 'column',
          'password', '... naming the password column');
SELECT throws_ok($$INSERT INTO dynapi.api_users (password) VALUES ('x')$$,
                 '23502', NULL, 'api_users insert without a username: the base table''s not_null_violation');
SELECT throws_ok($$EXECUTE insert_user_min('{"username": "test_alice", "password": "other"}')$$,
                 '23505', 'duplicate key value violates unique constraint "users_username_key"',
                 'api_users duplicate username: unique_violation on users_username_key');
SELECT is(pg_temp.error_of($$EXECUTE insert_user_min('{"username": "test_alice", "password": "other"}')$$) ->> 'detail',
          'Key (username)=(test_alice) already exists.', '... with the usual DETAIL');

-- api_users: never a hash
SELECT hasnt_column('dynapi', 'api_users', 'password_hash', 'api_users has no password_hash column');
SELECT is_empty($$SELECT 1 FROM dynapi.api_users AS u
                   WHERE u.password IS NOT NULL OR row_to_json(u)::text LIKE '%$2a$%'$$,
                'no row of api_users shows a password or a hash');

-- api_users: update
UPDATE dynapi.users SET password_changed_at = now() - interval '1 day', last_login = now() - interval '1 hour'
 WHERE username = 'test_alice';
SELECT password_hash AS alice_hash FROM dynapi.users WHERE username = 'test_alice' \gset
PREPARE update_user(text, bigint) AS
    WITH _dynapi_row AS (UPDATE "dynapi"."api_users" AS _dynapi_target
                            SET "email" = _dynapi_body."email", "contact" = _dynapi_body."contact",
                                "is_admin" = _dynapi_body."is_admin"
                           FROM json_populate_record(NULL::"dynapi"."api_users", $1::json) AS _dynapi_body
                          WHERE _dynapi_target."id" = $2
                         RETURNING _dynapi_target."id", _dynapi_target."username", _dynapi_target."email",
                                   _dynapi_target."contact", _dynapi_target."is_admin", _dynapi_target."password")
    SELECT row_to_json(_dynapi_row)::text AS updated_row FROM _dynapi_row;
SELECT id AS alice_id FROM dynapi.users WHERE username = 'test_alice' \gset
EXECUTE update_user('{"email": "alice@example.com", "contact": "x", "is_admin": true}', :alice_id) \gset
SELECT is(:'updated_row'::jsonb,
          jsonb_build_object('id', :alice_id, 'username', 'test_alice', 'email', 'alice@example.com',
                             'contact', 'x', 'is_admin', true, 'password', NULL),
          'api_users update: RETURNING shows the stored row, password NULL');
SELECT row_eq($$SELECT email, contact, is_admin FROM dynapi.users WHERE username = 'test_alice'$$,
              ROW('alice@example.com'::varchar, 'x'::varchar, true), '... and the base row changed');
SELECT is((SELECT password_hash FROM dynapi.users WHERE username = 'test_alice'), :'alice_hash',
          'an update without password keeps the hash');
SELECT cmp_ok((SELECT password_changed_at FROM dynapi.users WHERE username = 'test_alice'), '<', now(),
              '... and password_changed_at');

SELECT lives_ok(format($$UPDATE dynapi.api_users SET id = -7, date_joined = '2000-01-01', last_login = NULL,
                                                  username = 'test_alice2', is_active = false
                          WHERE id = %s$$, :alice_id),
                'api_users update of read-only columns along with writable ones');
SELECT row_eq(format($$SELECT username, is_active, date_joined = '2000-01-01', last_login IS NULL
                         FROM dynapi.users WHERE id = %s$$, :alice_id),
              ROW('test_alice2'::varchar, false, false, false),
              'id, date_joined and last_login are ignored; username and is_active change');
UPDATE dynapi.api_users SET username = 'test_alice', is_active = true WHERE id = :alice_id;

SELECT lives_ok(format($$WITH _dynapi_row AS (UPDATE "dynapi"."api_users" AS _dynapi_target SET "password" = _dynapi_body."password"
                           FROM json_populate_record(NULL::"dynapi"."api_users", '{"password": "looking-glass"}'::json) AS _dynapi_body
                          WHERE _dynapi_target."id" = %s RETURNING _dynapi_target."password")
                         SELECT row_to_json(_dynapi_row)::text FROM _dynapi_row$$, :alice_id),
                'api_users password update');
SELECT is((SELECT password_changed_at FROM dynapi.users WHERE username = 'test_alice'), now(),
          'a new password sets password_changed_at (earlier tokens become invalid)');
SELECT isnt((SELECT password_hash FROM dynapi.users WHERE username = 'test_alice'), :'alice_hash', '... and a new hash');
SELECT is(dynapi.authenticate('test_alice', 'looking-glass') ->> 'username', 'test_alice',
          'dynapi.authenticate accepts the new password');
SELECT is(dynapi.authenticate('test_alice', 'wonderland'), NULL, '... and no longer the old one');
SELECT throws_ok(format($$UPDATE dynapi.api_users SET password = '' WHERE id = %s$$, :alice_id),
                 '22023', 'password must not be empty', 'api_users update to an empty password is refused');
SELECT throws_ok(format($$UPDATE dynapi.api_users SET username = 'test_bob' WHERE id = %s$$, :alice_id),
                 '23505', 'duplicate key value violates unique constraint "users_username_key"',
                 'api_users update to a taken username: unique_violation');
SELECT throws_ok(format($$UPDATE dynapi.api_users SET email = NULL WHERE id = %s$$, :alice_id),
                 '23502', NULL, 'api_users update to a NULL email: the base table''s not_null_violation');
SELECT is_empty($$UPDATE dynapi.api_users SET email = 'x' WHERE id = -1 RETURNING id$$,
                'api_users update of a missing id changes nothing');

----------------------------------------------------------------------------
-- api_user_roles
INSERT INTO dynapi.roles (name) VALUES ('test_clerk');
SELECT id AS clerk_id FROM dynapi.roles WHERE name = 'test_clerk' \gset
SELECT id AS manager_id FROM dynapi.roles WHERE name = 'test_manager' \gset
SELECT id AS bob_id FROM dynapi.users WHERE username = 'test_bob' \gset
PREPARE insert_grant(text) AS
    WITH _dynapi_row AS (INSERT INTO "dynapi"."api_user_roles" ("user", "table_name")
                         SELECT "user", "table_name" FROM json_populate_record(NULL::"dynapi"."api_user_roles", $1::json)
                         RETURNING "id", "user", "role", "table_name", "can_create", "can_read", "can_update",
                                   "can_delete", "username", "role_name")
    SELECT row_to_json(_dynapi_row)::text AS grant_row FROM _dynapi_row;
EXECUTE insert_grant(format('{"user": %s, "table_name": "order"}', :alice_id)) \gset
SELECT ok((:'grant_row'::jsonb ->> 'id')::bigint = (SELECT id FROM dynapi.user_roles WHERE user_id = :alice_id AND table_name = 'order'),
          'api_user_roles insert without id: the identity supplies one');
SELECT is(:'grant_row'::jsonb - 'id',
          jsonb_build_object('user', :alice_id, 'role', NULL, 'table_name', 'order',
                             'can_create', false, 'can_read', false, 'can_update', false, 'can_delete', false,
                             'username', 'test_alice', 'role_name', NULL),
          'api_user_roles insert without role and flags: base defaults; RETURNING fills username');
SELECT lives_ok(format($$INSERT INTO dynapi.api_user_roles ("user", "role", table_name, can_read, can_update)
                         VALUES (%s, %s, 'customer', true, true)$$, :alice_id, :clerk_id),
                'api_user_roles insert with role and some flags');
SELECT row_eq(format($$SELECT "role", role_name, can_create, can_read, can_update, can_delete
                         FROM dynapi.api_user_roles WHERE "user" = %s AND table_name = 'customer'$$, :alice_id),
              ROW(:clerk_id::bigint, 'test_clerk'::varchar, false, true, true, false),
              'given flags are stored, the others default to false; role_name shows the role');
SELECT lives_ok(format($$INSERT INTO dynapi.api_user_roles ("user", table_name, can_read)
                         VALUES (%1$s, 'invoice', true), (%1$s, 'line', DEFAULT)$$, :bob_id),
                'multi-row insert with DEFAULT through the view');
SELECT is((SELECT can_read FROM dynapi.user_roles WHERE user_id = :bob_id AND table_name = 'line'), false,
          '... DEFAULT in a multi-row VALUES takes the base default too');
SELECT results_eq($$SELECT table_name FROM dynapi.api_user_roles WHERE username = 'test_bob' ORDER BY table_name$$,
                  $$VALUES ('invoice'), ('line')$$, 'api_user_roles can be searched by username');
SELECT results_eq($$SELECT table_name FROM dynapi.api_user_roles WHERE role_name = 'test_clerk'$$,
                  $$VALUES ('customer')$$, '... and by role_name');

SELECT lives_ok(format($$WITH _dynapi_row AS (UPDATE "dynapi"."api_user_roles" AS _dynapi_target
                             SET "role" = _dynapi_body."role", "can_delete" = _dynapi_body."can_delete"
                            FROM json_populate_record(NULL::"dynapi"."api_user_roles", '{"role": %s, "can_delete": true}'::json) AS _dynapi_body
                           WHERE _dynapi_target."id" = %s RETURNING _dynapi_target."role_name")
                          SELECT row_to_json(_dynapi_row)::text FROM _dynapi_row$$,
                       :manager_id, :'grant_row'::jsonb ->> 'id'),
                'api_user_roles update through the view');
SELECT row_eq(format($$SELECT role_id, can_delete, can_read FROM dynapi.user_roles WHERE id = %s$$, :'grant_row'::jsonb ->> 'id'),
              ROW(:manager_id::bigint, true, false), '... changes role and can_delete only');

SELECT throws_ok(format($$INSERT INTO dynapi.api_user_roles ("user", table_name, username) VALUES (%s, 'x', 'y')$$, :alice_id),
                 '0A000', 'cannot insert into column "username" of view "api_user_roles"',
                 'username is read-only');
SELECT throws_ok($$UPDATE dynapi.api_user_roles SET role_name = 'x'$$,
                 '0A000', 'cannot update column "role_name" of view "api_user_roles"', 'role_name is read-only');
SELECT throws_ok($$INSERT INTO dynapi.api_user_roles (table_name) VALUES ('x')$$,
                 '23502', NULL, 'api_user_roles insert without a user: the base table''s not_null_violation');
SELECT throws_ok($$INSERT INTO dynapi.api_user_roles ("user", table_name) VALUES (-1, 'x')$$,
                 '23503', NULL, 'api_user_roles insert with an unknown user: the base table''s foreign_key_violation');
SELECT throws_ok(format($$INSERT INTO dynapi.api_user_roles ("user", table_name) VALUES (%s, 'order')$$, :alice_id),
                 '23505', NULL, 'api_user_roles: one grant per user and table');
SELECT lives_ok(format($$INSERT INTO dynapi.api_user_roles ("user", table_name) VALUES (%s, 'doomed')$$, :alice_id),
                'a grant to delete');
SELECT results_eq($$DELETE FROM "dynapi"."api_user_roles" AS _dynapi_target WHERE _dynapi_target."table_name" = 'doomed' RETURNING NULL::text$$,
                  $$VALUES (NULL::text)$$, 'api_user_roles delete through the view answers one row');
SELECT is((SELECT count(*) FROM dynapi.user_roles WHERE table_name = 'doomed'), 0::bigint, '... and the grant is gone');

----------------------------------------------------------------------------
-- bulk_update_user_roles
SELECT has_function('dynapi', 'bulk_update_user_roles', ARRAY['bigint[]', 'boolean', 'boolean', 'boolean', 'boolean']);
SELECT function_returns('dynapi', 'bulk_update_user_roles', ARRAY['bigint[]', 'boolean', 'boolean', 'boolean', 'boolean'], 'jsonb');
SELECT isnt_definer('dynapi', 'bulk_update_user_roles', ARRAY['bigint[]', 'boolean', 'boolean', 'boolean', 'boolean']);

SELECT id AS g_order FROM dynapi.user_roles WHERE user_id = :alice_id AND table_name = 'order' \gset
SELECT id AS g_customer FROM dynapi.user_roles WHERE user_id = :alice_id AND table_name = 'customer' \gset
SELECT id AS g_invoice FROM dynapi.user_roles WHERE user_id = :bob_id AND table_name = 'invoice' \gset
-- before: order (f, f, f, t), customer (f, t, t, f), invoice (f, t, f, f)
SELECT dynapi.bulk_update_user_roles(ARRAY[:g_invoice, :g_order, :g_customer, :g_order]::bigint[], true, NULL, false, NULL)
       AS bulk_result \gset
SELECT row_eq(format($$SELECT can_create, can_read, can_update, can_delete FROM dynapi.user_roles WHERE id = %s$$, :g_order),
              ROW(true, false, false, true), 'bulk update: given flags set, NULL flags left alone (order)');
SELECT row_eq(format($$SELECT can_create, can_read, can_update, can_delete FROM dynapi.user_roles WHERE id = %s$$, :g_customer),
              ROW(true, true, false, false), '... (customer)');
SELECT row_eq(format($$SELECT can_create, can_read, can_update, can_delete FROM dynapi.user_roles WHERE id = %s$$, :g_invoice),
              ROW(true, true, false, false), '... (invoice)');
SELECT is(:'bulk_result'::jsonb,
          jsonb_build_object('updated', 3, 'user_roles',
                             (SELECT jsonb_agg(pg_temp.grant_json(i) ORDER BY i)
                                FROM unnest(ARRAY[:g_order, :g_customer, :g_invoice]::bigint[]) AS i)),
          'bulk update returns {updated, user_roles ordered by id}; duplicate ids count once');
SELECT pg_temp.grant_json(:g_order) AS order_before \gset
SELECT is(dynapi.bulk_update_user_roles(ARRAY[:g_order]::bigint[], NULL, NULL, NULL, NULL) -> 'user_roles' -> 0,
          :'order_before'::jsonb, 'all flags NULL changes nothing');
SELECT is(dynapi.bulk_update_user_roles(ARRAY[:g_order]::bigint[], can_delete => false) -> 'updated',
          '1'::jsonb, 'flags can be passed by name; the others default to NULL');

SELECT throws_ok(format($$SELECT dynapi.bulk_update_user_roles(ARRAY[-9, %s, -7]::bigint[], false, false, false, false)$$, :g_order),
                 '22023', 'no user role has id -9, -7', 'bulk update with unknown ids names them');
SELECT is(pg_temp.error_of(format($$SELECT dynapi.bulk_update_user_roles(ARRAY[-9, %s]::bigint[], false, false, false, false)$$, :g_order))
          ->> 'column', 'ids', '... under COLUMN ids');
SELECT row_eq(format($$SELECT can_create, can_delete FROM dynapi.user_roles WHERE id = %s$$, :g_order),
              ROW(true, false), '... and changes nothing');
SELECT throws_ok($$SELECT dynapi.bulk_update_user_roles('{}', true, true, true, true)$$,
                 '22023', 'ids must list at least one user role', 'bulk update with no ids');
SELECT throws_ok($$SELECT dynapi.bulk_update_user_roles(NULL, true, true, true, true)$$,
                 '22023', 'ids must list at least one user role', 'bulk update with NULL ids');
SELECT is(pg_temp.error_of($$SELECT dynapi.bulk_update_user_roles(NULL, true, true, true, true)$$) ->> 'column',
          'ids', '... under COLUMN ids');
SELECT throws_ok(format($$SELECT dynapi.bulk_update_user_roles(ARRAY[%s, NULL]::bigint[], true, true, true, true)$$, :g_order),
                 '22023', 'ids must not contain null', 'bulk update with a NULL id');

----------------------------------------------------------------------------
-- bulk_assign_user_roles
SELECT has_function('dynapi', 'bulk_assign_user_roles', ARRAY['bigint', 'bigint', 'text[]', 'boolean', 'boolean', 'boolean', 'boolean']);
SELECT function_returns('dynapi', 'bulk_assign_user_roles', ARRAY['bigint', 'bigint', 'text[]', 'boolean', 'boolean', 'boolean', 'boolean'], 'jsonb');

-- bob has invoice (t, t, f, f) and line; assign invoice (again), report, report (duplicate), audit.
SELECT dynapi.bulk_assign_user_roles(:bob_id, :clerk_id, ARRAY['report', 'invoice', 'report', 'audit'], NULL, true, NULL, true)
       AS assign_result \gset
SELECT results_eq(format($$SELECT table_name, role_id, can_create, can_read, can_update, can_delete
                             FROM dynapi.user_roles WHERE user_id = %s ORDER BY table_name$$, :bob_id),
                  format($$VALUES ('audit', %1$s::bigint, false, true, false, true),
                                  ('invoice', %1$s::bigint, false, true, false, true),
                                  ('line', NULL::bigint, false, false, false, false),
                                  ('report', %1$s::bigint, false, true, false, true)$$, :clerk_id),
                  'bulk assign: one row per table (duplicates once), existing grant overwritten, NULL flags false, other grants kept');
SELECT is(:'assign_result'::jsonb,
          jsonb_build_object('assigned', 3, 'user_roles',
                             (SELECT jsonb_agg(pg_temp.grant_json(id) ORDER BY table_name)
                                FROM dynapi.user_roles WHERE user_id = :bob_id AND table_name IN ('audit', 'invoice', 'report'))),
          'bulk assign returns {assigned, user_roles ordered by table_name}');
SELECT is(:'assign_result'::jsonb -> 'user_roles' -> 1 ->> 'id', :'g_invoice', 'the existing grant keeps its id');
SELECT is(dynapi.bulk_assign_user_roles(:bob_id, NULL, ARRAY['audit'], true, true, true, true) -> 'user_roles' -> 0 -> 'role',
          'null'::jsonb, 'bulk assign with no role clears role_id');
SELECT is(dynapi.bulk_assign_user_roles(:bob_id, NULL, ARRAY['audit']) -> 'user_roles' -> 0 -> 'can_create',
          'false'::jsonb, 'omitted flags default to false');

SELECT throws_ok($$SELECT dynapi.bulk_assign_user_roles(-99, NULL, ARRAY['x'], true, true, true, true)$$,
                 '22023', 'no user has id -99', 'bulk assign to an unknown user');
SELECT is(pg_temp.error_of($$SELECT dynapi.bulk_assign_user_roles(-99, NULL, ARRAY['x'], true, true, true, true)$$) ->> 'column',
          'user_id', '... under COLUMN user_id');
SELECT throws_ok($$SELECT dynapi.bulk_assign_user_roles(NULL, NULL, ARRAY['x'], true, true, true, true)$$,
                 '22023', 'user_id is required', 'bulk assign without a user');
SELECT throws_ok(format($$SELECT dynapi.bulk_assign_user_roles(%s, -5, ARRAY['x'], true, true, true, true)$$, :bob_id),
                 '22023', 'no role has id -5', 'bulk assign with an unknown role');
SELECT is(pg_temp.error_of(format($$SELECT dynapi.bulk_assign_user_roles(%s, -5, ARRAY['x'], true, true, true, true)$$, :bob_id)) ->> 'column',
          'role_id', '... under COLUMN role_id');
SELECT throws_ok(format($$SELECT dynapi.bulk_assign_user_roles(%s, NULL, '{}', true, true, true, true)$$, :bob_id),
                 '22023', 'tables must list at least one table', 'bulk assign with no tables');
SELECT throws_ok(format($$SELECT dynapi.bulk_assign_user_roles(%s, NULL, NULL, true, true, true, true)$$, :bob_id),
                 '22023', 'tables must list at least one table', 'bulk assign with NULL tables');
SELECT throws_ok(format($$SELECT dynapi.bulk_assign_user_roles(%s, NULL, ARRAY['a', NULL], true, true, true, true)$$, :bob_id),
                 '22023', 'tables must not contain null or empty names', 'bulk assign with a NULL table name');
SELECT throws_ok(format($$SELECT dynapi.bulk_assign_user_roles(%s, NULL, ARRAY['a', ' '], true, true, true, true)$$, :bob_id),
                 '22023', 'tables must not contain null or empty names', 'bulk assign with a blank table name');
SELECT is(pg_temp.error_of(format($$SELECT dynapi.bulk_assign_user_roles(%s, NULL, ARRAY[''], true, true, true, true)$$, :bob_id)) ->> 'column',
          'tables', '... under COLUMN tables');
SELECT is((SELECT count(*) FROM dynapi.user_roles WHERE table_name IN ('x', 'a')), 0::bigint,
          'refused bulk assignments created nothing');

----------------------------------------------------------------------------
-- api_users: delete (grants go with the user)
SELECT results_eq(format($$DELETE FROM "dynapi"."api_users" AS _dynapi_target WHERE _dynapi_target."id" = %s RETURNING NULL::text$$, :bob_id),
                  $$VALUES (NULL::text)$$, 'api_users delete through the view answers one row');
SELECT is((SELECT count(*) FROM dynapi.users WHERE id = :bob_id), 0::bigint, '... the user is gone');
SELECT is((SELECT count(*) FROM dynapi.user_roles WHERE user_id = :bob_id), 0::bigint, '... and so are its grants');
SELECT is_empty($$DELETE FROM dynapi.api_users WHERE id = -1 RETURNING id$$, 'deleting a missing user deletes nothing');

----------------------------------------------------------------------------
-- A role granted only the views can run the admin API (reading, creating
-- users, setting passwords) but still cannot read password hashes.
CREATE ROLE dynapi_test_admin_api NOLOGIN;
GRANT USAGE ON SCHEMA dynapi TO dynapi_test_admin_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynapi.api_users, dynapi.api_roles, dynapi.api_user_roles TO dynapi_test_admin_api;
-- (pgTAP's own bookkeeping belongs to the superuser, so the limited role
-- only runs the statements; the checks come after RESET ROLE.)
SET LOCAL ROLE dynapi_test_admin_api;
INSERT INTO dynapi.api_users (username, password) VALUES ('test_carol', 'pw');
UPDATE dynapi.api_users SET password = 'pw2', is_admin = true WHERE username = 'test_carol';
INSERT INTO dynapi.api_user_roles ("user", table_name)
SELECT id, 'order' FROM dynapi.api_users WHERE username = 'test_carol';
RESET ROLE;
SELECT is(dynapi.authenticate('test_carol', 'pw2') ->> 'is_admin', 'true',
          'with rights on the views only, a role can create users, set passwords and make admins');
SELECT is((SELECT count(*) FROM dynapi.api_user_roles WHERE username = 'test_carol'), 1::bigint, '... and grant tables');
SELECT ok(NOT has_table_privilege('dynapi_test_admin_api', 'dynapi.users', 'SELECT')
          AND NOT has_column_privilege('dynapi_test_admin_api', 'dynapi.users', 'password_hash', 'SELECT'),
          '... while dynapi.users and its hashes stay out of its reach');

SELECT * FROM finish();
ROLLBACK;
