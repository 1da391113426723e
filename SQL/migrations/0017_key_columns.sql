-- 0017: a key for relations PostgreSQL gives no primary key. A foreign
-- table (postgres_fdw: a table of a second database) and a view have none,
-- so the API had no detail routes for them and their row events no key.
-- An admin names the columns that identify a row; the catalog query uses
-- them for a foreign table, view or materialized view without a primary
-- key, when every one is a column of it. The functions that read it are in
-- functions/05_catalog.sql, 13_row_triggers.sql and 14_table_settings.sql.

ALTER TABLE dynapi.table_settings ADD COLUMN key_columns text[] NOT NULL DEFAULT '{}';

COMMENT ON COLUMN dynapi.table_settings.key_columns IS
    'The columns that identify a row of a foreign table, view or materialized view (which have no primary key): its detail routes /api/dyn/{table}/{key}/ and the key of its row events. Ignored for a relation with a primary key, and while a name is not one of its columns; empty: no key.';
