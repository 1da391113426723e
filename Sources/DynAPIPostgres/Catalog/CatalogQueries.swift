/// The catalog queries of the sidecar: each returns one JSON document, built
/// by PostgreSQL, in a single round trip.
enum CatalogQueries {
    /// Tables and views of the schemas in `$1::text[]` with their columns,
    /// primary keys and the foreign keys among them. Partitions are left out
    /// (their parent is served).
    static let schema = """
        WITH rels AS (
            SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
                   obj_description(c.oid, 'pg_class') AS comment,
                   pg_relation_is_updatable(c.oid::regclass, true) AS mask
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY ($1::text[])
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
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
                       'max_length', CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 END
                   ) ORDER BY a.attnum) AS columns
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
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
                       'table', CASE WHEN r.schema = 'public' THEN r.name ELSE r.schema || '.' || r.name END,
                       'columns', kc.columns,
                       'referenced_table', CASE WHEN f.schema = 'public' THEN f.name ELSE f.schema || '.' || f.name END,
                       'referenced_columns', kc.referenced
                   ) ORDER BY con.conname) AS keys
            FROM key_columns kc
            JOIN pg_constraint con ON con.oid = kc.conoid
            JOIN rels r ON r.oid = con.conrelid
            JOIN rels f ON f.oid = con.confrelid
            WHERE kc.contype = 'f'
            GROUP BY kc.conrelid
        )
        SELECT json_build_object('tables', coalesce(json_agg(json_build_object(
                   'schema', r.schema,
                   'name', r.name,
                   'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned_table' WHEN 'v' THEN 'view'
                                          WHEN 'm' THEN 'materialized_view' ELSE 'foreign_table' END,
                   'comment', r.comment,
                   'insertable', (r.mask & 8) = 8,
                   'updatable', (r.mask & 4) = 4,
                   'deletable', (r.mask & 16) = 16,
                   'primary_key', coalesce(pk.columns, '[]'),
                   'columns', coalesce(c.columns, '[]'),
                   'foreign_keys', coalesce(fk.keys, '[]')
               ) ORDER BY r.schema, r.name), '[]'))::text
        FROM rels r
        LEFT JOIN cols c ON c.attrelid = r.oid
        LEFT JOIN key_columns pk ON pk.conrelid = r.oid AND pk.contype = 'p'
        LEFT JOIN fks fk ON fk.conrelid = r.oid
        """

    /// Users and their grants, everything a token check and a permission check need.
    static let accessControl = """
        SELECT json_build_object(
            'users', coalesce((SELECT json_agg(json_build_object(
                'id', u.id, 'username', u.username, 'email', u.email, 'contact', u.contact,
                'is_active', u.is_active, 'is_admin', u.is_admin,
                'password_changed_at', extract(epoch FROM u.password_changed_at)
            ) ORDER BY u.id) FROM dynapi.users u), '[]'),
            'grants', coalesce((SELECT json_agg(json_build_object(
                'user_id', r.user_id, 'table_name', r.table_name,
                'can_create', r.can_create, 'can_read', r.can_read, 'can_update', r.can_update, 'can_delete', r.can_delete
            ) ORDER BY r.id) FROM dynapi.user_roles r), '[]')
        )::text
        """
}
