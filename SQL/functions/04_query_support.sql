-- Helpers the sidecar's statements call: CSV answers, and the refusal of a
-- write that asked for exactly one row (Accept: application/vnd.pgrst.object+json)
-- and would touch another number of them.

-- One CSV field (RFC 4180): NULL is empty, and a value with a comma, a quote
-- or a line break is quoted with its quotes doubled. IMMUTABLE and plain SQL
-- so that the planner inlines it into the statement.
CREATE OR REPLACE FUNCTION dynapi.csv_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN value IS NULL THEN ''
        WHEN value ~ '[",\r\n]' THEN '"' || replace(value, '"', '""') || '"'
        ELSE value
    END
$$;
COMMENT ON FUNCTION dynapi.csv_field(text) IS
    'A value as one RFC 4180 CSV field: NULL as empty, quoted when it holds a comma, quote or line break.';

-- Raised inside the write's statement, so the whole transaction rolls back:
-- PostgREST's rule that a singular write touching 0 or 2+ rows changes nothing.
-- SQLSTATE PT406 follows PostgREST's convention: PTxyz answers HTTP status xyz.
CREATE OR REPLACE FUNCTION dynapi.singular_failure(row_count bigint) RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE SQLSTATE 'PT406' USING
        MESSAGE = 'JSON object requested, multiple (or no) rows returned',
        DETAIL = format('The result contains %s rows', row_count);
END;
$$;
COMMENT ON FUNCTION dynapi.singular_failure(bigint) IS
    'Aborts a write that asked for exactly one row and would touch row_count rows (SQLSTATE PT406 → HTTP 406).';
