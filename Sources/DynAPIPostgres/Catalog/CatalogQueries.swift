/// The catalog queries of the sidecar: each returns one JSON document, built
/// by PostgreSQL, in a single round trip.
enum CatalogQueries {
    /// Tables and views of the schemas in `$1::text[]` with their columns,
    /// primary keys, the foreign keys among them, CHECK constraints (for error
    /// fields), registered actions and `dynapi.table_settings`. Partitions are
    /// left out (their parent is served), and so are tables set `exposed = false`.
    /// A foreign table or view, which PostgreSQL gives no primary key, has the
    /// key its settings name (`key_columns`, see `dynapi.settings_key_columns`).
    /// `$2::oid[]`, when not NULL, limits it to those relations (a reload of
    /// what one DDL statement touched).
    static let schema = """
        WITH named AS (
            SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
                   \(apiName(schema: "n.nspname", name: "c.relname")) AS api_name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY ($1::text[])
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
              AND ($2::oid[] IS NULL OR c.oid = ANY ($2::oid[]))
        ),
        rels AS (
            SELECT named.*, obj_description(named.oid, 'pg_class') AS comment,
                   pg_relation_is_updatable(named.oid::regclass, true) AS mask,
                   ts.hidden_columns, ts.read_only_columns, ts.label, ts.key_columns, ts.history
            FROM named
            LEFT JOIN dynapi.table_settings ts ON ts.table_name = named.api_name AND named.schema <> 'dynapi'
            WHERE coalesce(ts.exposed, true)
        ),
        -- What a foreign key may point at: any served relation, read or not.
        served AS (
            SELECT c.oid, n.nspname AS schema, c.relname AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN dynapi.table_settings ts
                   ON ts.table_name = \(apiName(schema: "n.nspname", name: "c.relname"))
                  AND n.nspname <> 'dynapi'
            WHERE n.nspname = ANY ($1::text[])
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
              AND coalesce(ts.exposed, true)
        ),
        checks AS (
            SELECT con.conrelid, json_agg(json_build_object(
                       'name', con.conname,
                       'columns', (SELECT coalesce(json_agg(a.attname ORDER BY a.attnum), '[]') FROM pg_attribute a
                                   WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)),
                       'message', obj_description(con.oid, 'pg_constraint')
                   ) ORDER BY con.conname) AS checks
            FROM pg_constraint con
            WHERE con.contype = 'c' AND con.conrelid IN (SELECT oid FROM rels)
            GROUP BY con.conrelid
        ),
        actions AS (
            SELECT a.table_name, json_agg(json_build_object(
                       'name', a.name, 'function_schema', pn.nspname, 'function_name', p.proname,
                       'required_permission', a.required_permission
                   ) ORDER BY a.name) AS actions
            FROM dynapi.actions a
            JOIN pg_proc p ON p.oid = dynapi.action_function(a.table_name, a.function)
            JOIN pg_namespace pn ON pn.oid = p.pronamespace
            GROUP BY a.table_name
        ),
        cols AS (
            SELECT a.attrelid, json_agg(json_build_object(
                       'name', a.attname,
                       'type', format_type(a.atttypid, a.atttypmod),
                       'type_name', t.typname,
                       'category', t.typcategory,
                       'nullable', NOT a.attnotnull,
                       'has_default', a.atthasdef OR a.attidentity <> '',
                       'generated', a.attgenerated <> '',
                       'max_length', CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 END,
                       'enum_values', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                                       WHERE e.enumtypid = coalesce(nullif(et.oid, 0), t.oid)),
                       'element_type_name', et.typname,
                       'element_category', et.typcategory,
                       'comment', col_description(a.attrelid, a.attnum)
                   ) ORDER BY a.attnum) AS columns
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
            GROUP BY a.attrelid
        ),
        key_columns AS (
            SELECT con.oid AS conoid, con.conrelid, con.contype,
                   json_agg(a.attname ORDER BY k.ord) AS columns,
                   json_agg(fa.attname ORDER BY k.ord) FILTER (WHERE fa.attname IS NOT NULL) AS referenced
            FROM pg_constraint con
            CROSS JOIN LATERAL unnest(con.conkey, coalesce(con.confkey, con.conkey)) WITH ORDINALITY AS k(attnum, fattnum, ord)
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
            LEFT JOIN pg_attribute fa ON con.contype = 'f' AND fa.attrelid = con.confrelid AND fa.attnum = k.fattnum
            WHERE con.contype IN ('p', 'f') AND con.conrelid IN (SELECT oid FROM rels)
            GROUP BY con.oid, con.conrelid, con.contype
        ),
        fks AS (
            SELECT kc.conrelid, json_agg(json_build_object(
                       'name', con.conname,
                       'table', \(apiName(schema: "r.schema", name: "r.name")),
                       'columns', kc.columns,
                       'referenced_table', \(apiName(schema: "f.schema", name: "f.name")),
                       'referenced_columns', kc.referenced
                   ) ORDER BY con.conname) AS keys
            FROM key_columns kc
            JOIN pg_constraint con ON con.oid = kc.conoid
            JOIN rels r ON r.oid = con.conrelid
            JOIN served f ON f.oid = con.confrelid
            WHERE kc.contype = 'f'
            GROUP BY kc.conrelid
        )
        SELECT json_build_object('read_only', current_setting('transaction_read_only')::boolean,
                                 'standby', pg_is_in_recovery(), 'tables', coalesce(json_agg(json_build_object(
                   'oid', r.oid::bigint,
                   'schema', r.schema,
                   'name', r.name,
                   'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned_table' WHEN 'v' THEN 'view'
                                          WHEN 'm' THEN 'materialized_view' ELSE 'foreign_table' END,
                   'comment', r.comment,
                   'insertable', (r.mask & 8) = 8,
                   'updatable', (r.mask & 4) = 4,
                   'deletable', (r.mask & 16) = 16,
                   'primary_key', coalesce(pk.columns, CASE WHEN cardinality(r.key_columns) > 0
                                                            THEN to_json(dynapi.settings_key_columns(r.oid)) END, '[]'),
                   'columns', coalesce(c.columns, '[]'),
                   'foreign_keys', coalesce(fk.keys, '[]'),
                   'checks', coalesce(ck.checks, '[]'),
                   'actions', coalesce(ac.actions, '[]'),
                   'hidden_columns', coalesce(to_json(r.hidden_columns), '[]'),
                   'read_only_columns', coalesce(to_json(r.read_only_columns), '[]'),
                   'label', r.label,
                   'history', coalesce(r.history, false)
               ) ORDER BY r.schema, r.name), '[]'))::text
        FROM rels r
        LEFT JOIN cols c ON c.attrelid = r.oid
        LEFT JOIN key_columns pk ON pk.conrelid = r.oid AND pk.contype = 'p'
        LEFT JOIN fks fk ON fk.conrelid = r.oid
        LEFT JOIN checks ck ON ck.conrelid = r.oid
        LEFT JOIN actions ac ON ac.table_name = r.api_name AND r.schema <> 'dynapi'
        """

    /// Users and their grants, everything a token check and a permission check need.
    static let accessControl = """
        SELECT json_build_object(
            'users', coalesce((SELECT json_agg(\(AccountStatements.userRecord("u")) ORDER BY u.id) FROM dynapi.users u), '[]'),
            'grants', coalesce((SELECT json_agg(json_build_object(
                'user_id', r.user_id, 'table_name', r.table_name,
                'can_create', r.can_create, 'can_read', r.can_read, 'can_update', r.can_update, 'can_delete', r.can_delete
            ) ORDER BY r.id) FROM dynapi.user_roles r), '[]')
        )::text
        """

    /// The admin overview: every relation of the schemas in `$1::text[]`
    /// (served or not) and the bundle's own tables (internal), with column and
    /// permission counts, endpoint, event mode, constraints, user triggers and
    /// actions; and whether the database refuses writes (`read_only`: a hot
    /// `standby`, or `default_transaction_read_only`).
    static let overview = """
        WITH rels AS (
            SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind, n.nspname = 'dynapi' AS internal,
                   \(apiName(schema: "n.nspname", name: "c.relname")) AS api_name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = ANY ($1::text[]) OR (n.nspname = 'dynapi' AND c.relkind = 'r'))
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
        )
        SELECT json_build_object('read_only', current_setting('transaction_read_only')::boolean,
                                 'standby', pg_is_in_recovery(), 'tables', coalesce(json_agg(json_build_object(
            'name', r.api_name,
            'schema', r.schema,
            'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                   WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END,
            'label', ts.label,
            'internal', r.internal,
            'exposed', NOT r.internal AND coalesce(ts.exposed, true),
            'events', CASE WHEN NOT r.internal AND r.relkind IN ('r', 'p', 'f') THEN
                          CASE WHEN coalesce(ts.exposed, true) THEN dynapi.event_mode(r.api_name) ELSE 'off' END END,
            'columns', (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped),
            'permissions', (SELECT count(*) FROM dynapi.user_roles ur WHERE ur.table_name = r.api_name),
            'endpoint', CASE
                WHEN r.internal THEN CASE r.name WHEN 'users' THEN '/api/users/' WHEN 'roles' THEN '/api/roles/'
                                                 WHEN 'user_roles' THEN '/api/user-roles/' END
                WHEN coalesce(ts.exposed, true) THEN '/api/dyn/' || r.api_name || '/' END,
            'checks', (SELECT coalesce(json_agg(json_build_object('name', con.conname, 'definition', pg_get_constraintdef(con.oid))
                                                ORDER BY con.conname), '[]')
                       FROM pg_constraint con WHERE con.conrelid = r.oid AND con.contype IN ('c', 'u', 'f', 'x')),
            'triggers', (SELECT coalesce(json_agg(json_build_object(
                                 'name', t.tgname,
                                 'timing', CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' WHEN t.tgtype & 64 = 64 THEN 'INSTEAD OF' ELSE 'AFTER' END,
                                 'events', concat_ws(' OR ', CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' END, CASE WHEN t.tgtype & 16 = 16 THEN 'UPDATE' END,
                                                     CASE WHEN t.tgtype & 8 = 8 THEN 'DELETE' END, CASE WHEN t.tgtype & 32 = 32 THEN 'TRUNCATE' END),
                                 'function', t.tgfoid::regproc::text) ORDER BY t.tgname), '[]')
                         FROM pg_trigger t WHERE t.tgrelid = r.oid AND NOT t.tgisinternal AND t.tgname NOT LIKE 'dynapi\\_%'),
            'actions', (SELECT coalesce(json_agg(json_build_object('name', a.name, 'function', a.function,
                                                                   'required_permission', a.required_permission) ORDER BY a.name), '[]')
                        FROM dynapi.actions a WHERE a.table_name = r.api_name)
        ) ORDER BY r.internal, r.api_name), '[]'))::text
        FROM rels r
        LEFT JOIN dynapi.table_settings ts ON ts.table_name = r.api_name AND NOT r.internal
        """

    /// The SQL for a relation's API name (`name` in `public`, `schema.name`
    /// elsewhere; ``Table/apiName(schema:name:)`` in Swift), from two column expressions.
    static func apiName(schema: String, name: String) -> String {
        "CASE WHEN \(schema) = 'public' THEN \(name) ELSE \(schema) || '.' || \(name) END"
    }
}
