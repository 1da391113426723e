-- Password handling. Plain passwords exist only as function arguments;
-- what is stored, compared and returned is always a bcrypt hash, and no error
-- message below ever includes a password.
--
-- The functions that touch dynapi.users are SECURITY DEFINER so the sidecar
-- (or a DBA) can be given EXECUTE on them without SELECT on password_hash.
-- Their EXECUTE is revoked from PUBLIC: otherwise any role that is ever
-- granted USAGE on schema dynapi (e.g. so its RLS policies can call
-- dynapi.current_user_id()) could create admin users or reset passwords.
-- search_path is pinned (pgcrypto may live in dynapi, public or extensions)
-- and ends with pg_temp so temporary objects cannot shadow anything.

CREATE OR REPLACE FUNCTION dynapi.hash_password(password text) RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = dynapi, public, extensions, pg_temp
AS $$
BEGIN
    -- Not STRICT: a NULL password must be an error, not a NULL hash that the
    -- NOT NULL constraint would report with a less helpful message.
    IF password IS NULL OR password = '' THEN
        RAISE EXCEPTION 'password must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Cost is tunable per session so tests can use the minimum (4).
    RETURN crypt(password, gen_salt('bf',
        coalesce(nullif(current_setting('dynapi.bcrypt_cost', true), '')::int, 10)));
END;
$$;
COMMENT ON FUNCTION dynapi.hash_password(text) IS
    'bcrypt hash of a non-empty password; cost from setting dynapi.bcrypt_cost (default 10).';

CREATE OR REPLACE FUNCTION dynapi.create_user(username text, email text, password text,
                                   is_admin boolean DEFAULT false, contact text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = dynapi, public, extensions, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    -- A duplicate username surfaces as the ordinary unique_violation on
    -- users_username_key, which the sidecar maps to 409.
    INSERT INTO dynapi.users (username, email, contact, password_hash, is_admin)
    VALUES (create_user.username, coalesce(create_user.email, ''), create_user.contact,
            dynapi.hash_password(create_user.password), coalesce(create_user.is_admin, false))
    RETURNING id INTO new_id;
    RETURN new_id;
END;
$$;
COMMENT ON FUNCTION dynapi.create_user(text, text, text, boolean, text) IS
    'Registers a user with a bcrypt-hashed password and returns its id.';

CREATE OR REPLACE FUNCTION dynapi.authenticate(username text, password text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = dynapi, public, extensions, pg_temp
AS $$
DECLARE
    u dynapi.users;
BEGIN
    SELECT * INTO u FROM dynapi.users AS x
     WHERE x.username = authenticate.username AND x.is_active;
    IF NOT FOUND THEN
        -- Burn the same bcrypt work as a real check (cost 10, the default) so
        -- response time does not tell an attacker which usernames exist.
        PERFORM crypt(coalesce(authenticate.password, ''),
                      '$2a$10$3/en9X38iwDlA9gfvuwqI.vrzqLAv5AIGpjzDZL3EKfIxWUBoPLl.');
        RETURN NULL;
    END IF;
    IF crypt(coalesce(authenticate.password, ''), u.password_hash) IS DISTINCT FROM u.password_hash THEN
        RETURN NULL;
    END IF;
    -- A hot standby or a read-only database still signs users in; only the
    -- record of when is lost there.
    IF current_setting('transaction_read_only') = 'off' THEN
        UPDATE dynapi.users SET last_login = now() WHERE id = u.id;
    END IF;
    RETURN jsonb_build_object('id', u.id, 'username', u.username, 'email', u.email,
                              'contact', u.contact, 'is_admin', u.is_admin);
END;
$$;
COMMENT ON FUNCTION dynapi.authenticate(text, text) IS
    'Checks a password for an active user; returns {id, username, email, contact, is_admin} or NULL. Sets last_login unless the transaction is read-only (a hot standby).';

CREATE OR REPLACE FUNCTION dynapi.set_password(user_id bigint, password text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = dynapi, public, extensions, pg_temp
AS $$
BEGIN
    UPDATE dynapi.users
       SET password_hash = dynapi.hash_password(set_password.password),
           password_changed_at = now()
     WHERE id = set_password.user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', set_password.user_id USING ERRCODE = 'no_data_found';
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.set_password(bigint, text) IS
    'Administrative password reset: no old password needed. Invalidates earlier tokens via password_changed_at.';

CREATE OR REPLACE FUNCTION dynapi.change_password(user_id bigint, old_password text, new_password text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = dynapi, public, extensions, pg_temp
AS $$
DECLARE
    current_hash text;
BEGIN
    -- FOR UPDATE: two concurrent changes must not both succeed against the
    -- same old password.
    SELECT password_hash INTO current_hash FROM dynapi.users
     WHERE id = change_password.user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user % does not exist', change_password.user_id USING ERRCODE = 'no_data_found';
    END IF;
    IF crypt(coalesce(change_password.old_password, ''), current_hash) IS DISTINCT FROM current_hash THEN
        RETURN false;
    END IF;
    PERFORM dynapi.set_password(change_password.user_id, change_password.new_password);
    RETURN true;
END;
$$;
COMMENT ON FUNCTION dynapi.change_password(bigint, text, text) IS
    'Self-service password change: false if old_password is wrong, true once changed.';

REVOKE EXECUTE ON FUNCTION
    dynapi.create_user(text, text, text, boolean, text),
    dynapi.authenticate(text, text),
    dynapi.set_password(bigint, text),
    dynapi.change_password(bigint, text, text)
FROM PUBLIC;
