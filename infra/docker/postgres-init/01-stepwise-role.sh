#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty volume (docker-entrypoint-initdb.d).
# Creates the role the Stepwise processes connect as: it owns the stepwise database (so migrations
# can create tables there) but is no superuser and can create neither databases nor roles.
# The password comes from STEPWISE_DB_PASSWORD (docker-compose.yml passes it from .env); psql
# quotes it as a literal (:'pw'), so no character in it can change the SQL.
set -euo pipefail
: "${STEPWISE_DB_PASSWORD:?STEPWISE_DB_PASSWORD must be set for the postgres container}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$STEPWISE_DB_PASSWORD" <<'EOSQL'
CREATE ROLE stepwise LOGIN PASSWORD :'pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE stepwise OWNER stepwise;
REVOKE ALL ON DATABASE stepwise FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE stepwise TO stepwise;
EOSQL
