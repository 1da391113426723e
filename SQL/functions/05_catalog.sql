-- Names and relations as the API sees them in the catalog: a table's API
-- name and back, and the inheritance family that partitioning and legacy
-- inheritance make of tables.

CREATE OR REPLACE FUNCTION dynapi.api_name(rel regclass) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN n.nspname = 'public' THEN c.relname::text
                ELSE n.nspname || '.' || c.relname END
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = rel
$$;
COMMENT ON FUNCTION dynapi.api_name(regclass) IS
    'Name the API uses for a table: "customer" for public.customer, "sales.invoice" otherwise (unquoted).';

-- The relation of one of `kinds` the API serves under an API name ("order"
-- for public."order", "sales.invoice" for sales.invoice), the inverse of
-- dynapi.api_name restricted to what the API can serve: not a partition
-- (foreign partitions too are served through their root), in a schema
-- listed in dynapi.exposed_schemas. Should a public relation be called
-- "sales.invoice" as well, the public one wins.
CREATE OR REPLACE FUNCTION dynapi.api_relation(table_name text, kinds "char"[]) RETURNS regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass
      FROM dynapi.exposed_schemas AS e
      JOIN pg_namespace AS n ON n.nspname = e.name
      JOIN pg_class AS c ON c.relnamespace = n.oid
     WHERE c.relkind = ANY (api_relation.kinds) AND NOT c.relispartition
       AND c.relname = CASE WHEN e.name = 'public' THEN api_relation.table_name
                            WHEN starts_with(api_relation.table_name, e.name || '.')
                                THEN substr(api_relation.table_name, char_length(e.name) + 2)
                       END
     ORDER BY e.name <> 'public', e.name
     LIMIT 1
$$;
COMMENT ON FUNCTION dynapi.api_relation(text, "char"[]) IS
    'Internal: the relation of one of the kinds (pg_class.relkind) served under an API name (see dynapi.api_table), or NULL.';

-- An ordinary or partitioned table.
CREATE OR REPLACE FUNCTION dynapi.api_table(table_name text) RETURNS regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT dynapi.api_relation(api_table.table_name, '{r,p}') $$;
COMMENT ON FUNCTION dynapi.api_table(text) IS
    'The table served under an API name ("order", "sales.invoice"; see dynapi.api_name): an ordinary or partitioned table in an exposed schema, or NULL.';

-- A foreign table (postgres_fdw: a table of another database): served like
-- a table, but not a table to the functions that lock rows or read
-- transition tables, so a lookup of its own.
CREATE OR REPLACE FUNCTION dynapi.api_foreign_table(table_name text) RETURNS regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT dynapi.api_relation(api_foreign_table.table_name, '{f}') $$;
COMMENT ON FUNCTION dynapi.api_foreign_table(text) IS
    'The foreign table served under an API name (see dynapi.api_table): one in an exposed schema that is not a partition, or NULL.';

-- PostgreSQL gives foreign tables and views no primary key (they can have
-- no unique index), so an admin names their key in
-- dynapi.table_settings.key_columns. A name that is not (or no longer) a
-- column of the relation would make every detail route fail, and every
-- row event log a key that is not one, so the setting counts only while all
-- its names are columns; until then the relation has no key, as before.
CREATE OR REPLACE FUNCTION dynapi.settings_key_columns(rel regclass) RETURNS text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((
        SELECT s.key_columns
          FROM pg_class AS c
          JOIN dynapi.table_settings AS s ON s.table_name = dynapi.api_name(c.oid)
         WHERE c.oid = settings_key_columns.rel AND c.relkind IN ('f', 'v', 'm')
           AND NOT EXISTS (SELECT 1 FROM unnest(s.key_columns) AS k(name)
                            WHERE NOT EXISTS (SELECT 1 FROM pg_attribute AS a
                                               WHERE a.attrelid = c.oid AND a.attname = k.name
                                                 AND a.attnum > 0 AND NOT a.attisdropped))), '{}')
$$;
COMMENT ON FUNCTION dynapi.settings_key_columns(regclass) IS
    'The key dynapi.table_settings.key_columns gives a foreign table, view or materialized view (relations without a primary key): those columns, in order, when every one is a column of it; ''{}'' otherwise, and for every other relation.';

-- Partitions and inheritance children are both in pg_inherits. The family
-- of some relations is themselves, their ancestors (parents, and theirs),
-- and descendants: those of the ancestors too (whole, the default: every
-- table a statement on any of them may write, which decides a tree's
-- row-event triggers), or of the given relations alone (whole = false: the
-- relations whose description a change to them may change, for the
-- dynapi_schema payload). partitions = false leaves partitions out of the
-- descendants (a partition's own descendants are partitions too). up_to:
-- stop looking once the family holds more than that many relations (a
-- caller that cannot use more); the family is then incomplete.
-- A step at a time, each step an index lookup per relation, and, as the DDL
-- event triggers that call it, with enable_seqscan and jit off (see
-- schema_change_relations): a recursive query would be planned from
-- estimates made while the catalogs were small.
CREATE OR REPLACE FUNCTION dynapi.inheritance_family(relations oid[], whole boolean DEFAULT true,
                                                     partitions boolean DEFAULT true,
                                                     up_to integer DEFAULT NULL)
RETURNS oid[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    given oid[] := ARRAY(SELECT DISTINCT r FROM unnest(relations) AS r WHERE r IS NOT NULL);
    family oid[] := given;
    step oid[];
BEGIN
    -- ancestors
    step := given;
    WHILE cardinality(step) > 0 AND (up_to IS NULL OR cardinality(family) <= up_to) LOOP
        step := ARRAY(SELECT DISTINCT i.inhparent FROM pg_inherits AS i
                       WHERE i.inhrelid = ANY (step) AND i.inhparent <> ALL (family));
        family := family || step;
    END LOOP;
    -- descendants
    step := CASE WHEN whole THEN family ELSE given END;
    WHILE cardinality(step) > 0 AND (up_to IS NULL OR cardinality(family) <= up_to) LOOP
        step := ARRAY(SELECT DISTINCT i.inhrelid FROM pg_inherits AS i
                       WHERE i.inhparent = ANY (step) AND i.inhrelid <> ALL (family)
                         AND (partitions OR NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = i.inhrelid)));
        family := family || step;
    END LOOP;
    RETURN family;
END;
$$;
COMMENT ON FUNCTION dynapi.inheritance_family(oid[], boolean, boolean, integer) IS
    'Internal: the relations, their ancestors and descendants through pg_inherits (partitions and inheritance): with whole (the default) the descendants of the ancestors too, else those of the relations alone; without partitions if partitions is false; stops once more than up_to (if not NULL) are found. Distinct, unsorted.';
