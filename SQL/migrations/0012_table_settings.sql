-- 0012: live per-table settings: exposed = false removes the table's row
-- trigger and keeps it off through DDL, the column lists are checked,
-- changes NOTIFY dynapi_schema. The functions and triggers are in
-- functions/14_table_settings.sql and 13_row_triggers.sql, and tables
-- already set unexposed lose their triggers through functions/16_upkeep.sql,
-- all applied by every install; what is left here is data.

-- Rows written before the check_table_settings trigger existed: NULL and ''
-- never named a column, so dropping them changes nothing the API does, and
-- lets those rows be updated later.
UPDATE dynapi.table_settings AS s
   SET hidden_columns = array_remove(array_remove(s.hidden_columns, NULL), ''),
       read_only_columns = array_remove(array_remove(s.read_only_columns, NULL), '')
 WHERE array_position(s.hidden_columns, NULL) IS NOT NULL OR '' = ANY (s.hidden_columns)
    OR array_position(s.read_only_columns, NULL) IS NOT NULL OR '' = ANY (s.read_only_columns);

COMMENT ON COLUMN dynapi.table_settings.exposed IS
    'false: the API does not serve the table and it sends no dynapi_events (its row trigger is removed, and kept off through later DDL).';
