-- Applies every file of functions/, in order: the bundle's functions, views,
-- triggers on its own tables and event triggers, each defined in one place
-- and written to be applied any number of times (CREATE OR REPLACE, or DROP
-- ... IF EXISTS then CREATE), then the upkeep of what is already in the
-- database. No transaction control: install.sql runs it in one transaction,
-- under the installers' advisory lock, after the migrations, as
-- `dynapi install` does (SQLBundle.functionFiles lists the same files, in
-- the same order; tests/test_functions.sql applies them twice).
-- Keep the list below in step with SQL/functions/.

\ir functions/01_request_context.sql
\ir functions/02_passwords.sql
\ir functions/03_validation.sql
\ir functions/04_query_support.sql
\ir functions/05_catalog.sql
\ir functions/06_admin_api.sql
\ir functions/07_configuration.sql
\ir functions/08_actions.sql
\ir functions/09_settings_events.sql
\ir functions/10_change_log.sql
\ir functions/11_event_modes.sql
\ir functions/12_row_log_functions.sql
\ir functions/13_row_triggers.sql
\ir functions/14_table_settings.sql
\ir functions/15_schema_events.sql
\ir functions/16_upkeep.sql
\ir functions/17_schema_api.sql
\ir functions/18_row_history.sql
