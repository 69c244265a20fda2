#!/bin/bash
# The two database roles of the portal (docs/deployment.md, "Database roles"):
#   DB_OWNER_USER  owns the schema and runs the migrations (the compose `migrate` step), never the application;
#   DB_APP_USER    what web, worker and beat connect as: rows only, granted by `manage.py db_roles` after each
#                  migrate; it owns nothing, so it can neither disable nor drop a trigger.
# The postgres image runs this once, as the superuser POSTGRES_USER, when it creates an empty data directory. It is
# idempotent: to move an existing installation onto these roles, run it by hand, then `docker compose up -d`:
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-biobank-roles.sh
set -euo pipefail

: "${DB_OWNER_USER:=biobank_owner}"
: "${DB_APP_USER:=biobank_app}"
: "${DB_OWNER_PASSWORD:?set DB_OWNER_PASSWORD}"
: "${DB_APP_PASSWORD:?set DB_APP_PASSWORD}"
: "${POSTGRES_DB:?}" "${POSTGRES_USER:?}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="$DB_OWNER_USER" -v owner_password="$DB_OWNER_PASSWORD" \
    -v app="$DB_APP_USER" -v app_password="$DB_APP_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';

-- The owner owns the database and its schema; nobody else creates anything in it.
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";

-- An existing installation (migrated by the former superuser): hand the portal's tables and functions to the owner.
SELECT format('ALTER TABLE %I.%I OWNER TO %I', schemaname, tablename, :'owner')
    FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner' \gexec
SQL
