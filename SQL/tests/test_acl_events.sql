-- 0006: statement-level triggers that NOTIFY dynapi_acl when users, grants,
-- settings or actions change (and, since 0013, log an acl entry:
-- test_change_log.sql).
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(18);

SELECT function_returns('dynapi', 'notify_acl_change', '{}'::name[], 'trigger');
-- Since 0013 it writes the change log, which the roles allowed to change
-- these tables need not be allowed to write.
SELECT is_definer('dynapi', 'notify_acl_change', '{}'::name[]);
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc AS p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                       WHERE p.oid = 'dynapi.notify_acl_change()'::regprocedure AND a.grantee = 0),
          'notify_acl_change: EXECUTE revoked from PUBLIC');

SELECT trigger_is('dynapi', t, 'dynapi_acl_events', 'dynapi', 'notify_acl_change',
                  format('dynapi.%s has the dynapi_acl_events trigger', t))
  FROM unnest(ARRAY['users', 'roles', 'user_roles', 'table_settings', 'actions', 'event_settings']) AS t;

-- tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate.
SELECT is((SELECT tgtype FROM pg_trigger WHERE tgrelid = format('dynapi.%s', t)::regclass
                                           AND tgname = 'dynapi_acl_events'),
          (4 | 8 | 16 | 32)::int2,
          format('dynapi.%s: AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE, FOR EACH STATEMENT', t))
  FROM unnest(ARRAY['users', 'roles', 'user_roles', 'table_settings', 'actions', 'event_settings']) AS t;

SELECT is(ARRAY(SELECT a.attname::text
                  FROM pg_trigger AS tg
                  CROSS JOIN unnest(tg.tgattr::int2[]) AS k(attnum)
                  JOIN pg_attribute AS a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum
                 WHERE tg.tgrelid = 'dynapi.users'::regclass AND tg.tgname = 'dynapi_acl_events'
                 ORDER BY a.attname),
          ARRAY(SELECT attname::text FROM pg_attribute
                 WHERE attrelid = 'dynapi.users'::regclass AND attnum > 0 AND NOT attisdropped
                   AND attname <> 'last_login'
                 ORDER BY attname),
          'users: updates of any column but last_login notify (logins do not reload the ACL)');
SELECT is((SELECT tgattr::text FROM pg_trigger
            WHERE tgrelid = 'dynapi.user_roles'::regclass AND tgname = 'dynapi_acl_events'),
          '', 'user_roles: every update notifies (no column list)');

SELECT lives_ok($$INSERT INTO dynapi.roles (name) VALUES ('dynapi_test_role');
                  UPDATE dynapi.roles SET description = 'x' WHERE name = 'dynapi_test_role';
                  DELETE FROM dynapi.roles WHERE name = 'dynapi_test_role';
                  TRUNCATE dynapi.table_settings;
                  UPDATE dynapi.event_settings SET retention = '2 days'$$,
                'the triggers fire without error');

SELECT * FROM finish();
ROLLBACK;
