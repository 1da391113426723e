-- Validation hooks. Business rules that belong to the data ("a price is
-- positive", "an order ships only once paid") live in BEFORE INSERT/UPDATE
-- triggers, so they hold for every writer; dynapi.reject lets such a trigger
-- refuse a row the way the API reports field errors:
--
--   IF NEW.price <= 0 THEN
--       PERFORM dynapi.reject('price', 'Le prix doit être positif.');
--   END IF;
--
-- becomes 400 {"errors": {"price": ["Le prix doit être positif."]}} in the
-- sidecar. The error is SQLSTATE P0001 (what a bare RAISE EXCEPTION gives)
-- with the field in COLUMN: the COLUMN is what tells the sidecar that the
-- message is meant for the client, per field.

-- Not SECURITY DEFINER and no SET clause: it only raises, and triggers call
-- it as whichever role is writing.
CREATE OR REPLACE FUNCTION dynapi.reject(field text, message text, hint text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    -- Without a field the sidecar could not say which input is wrong; a
    -- forgotten argument should fail the write loudly, not as a field error.
    IF reject.field IS NULL OR reject.field = '' THEN
        RAISE EXCEPTION 'dynapi.reject: field must name the input that is refused, got %',
                        coalesce(to_jsonb(reject.field)::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Call dynapi.reject(''price'', ''Le prix doit être positif.'').';
    END IF;
    -- RAISE would fail with "RAISE statement option cannot be null" (22004).
    IF reject.message IS NULL THEN
        RAISE EXCEPTION 'dynapi.reject: message must not be NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- HINT = NULL is an error too, hence two RAISEs.
    IF reject.hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = reject.message, COLUMN = reject.field;
    ELSE
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = reject.message, COLUMN = reject.field,
                              HINT = reject.hint;
    END IF;
END;
$$;
COMMENT ON FUNCTION dynapi.reject(text, text, text) IS
    'For BEFORE INSERT/UPDATE triggers: refuses the row with SQLSTATE P0001, MESSAGE = message, COLUMN = field, HINT = hint (if not NULL); the sidecar answers 400 {"errors": {field: [message]}}. A NULL or empty field, or a NULL message, is SQLSTATE 22023.';

-- PostgreSQL's default, stated on purpose: user triggers run with the
-- writer's rights, and every writer must be able to be refused. (The writer
-- also needs USAGE on schema dynapi, as for dynapi.current_user_id().)
GRANT EXECUTE ON FUNCTION dynapi.reject(text, text, text) TO PUBLIC;
