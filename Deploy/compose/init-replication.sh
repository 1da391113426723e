#!/bin/bash
# Mounted into the primary's /docker-entrypoint-initdb.d by compose.yaml. The
# image runs it once, when it creates the database in an empty volume, against
# its temporary server on the Unix socket: it makes the role postgres-replica
# copies and streams the WAL as, and lets that role connect for replication
# over the network with its password (scram-sha-256, like the image's own
# pg_hba.conf line for every other connection). The image sources a file
# that is not executable: the subshell keeps `set` and `exit` to itself, and
# its failure stops the initialisation either way.
(
    set -euo pipefail
    : "${POSTGRES_REPLICATION_USER:?set by compose.yaml}"
    : "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD in Deploy/compose/.env}"
    psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        --set user="$POSTGRES_REPLICATION_USER" --set password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"user" WITH LOGIN REPLICATION PASSWORD :'password';
SQL
    echo "host replication $POSTGRES_REPLICATION_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
)
