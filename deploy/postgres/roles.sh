#!/bin/sh
# Runs once, after init.sql, on the first start of an empty data volume
# (docker-entrypoint-initdb.d runs its files in name order). Each service gets two roles, as
# `warmlink db roles` makes them (warmlink/db_roles.py):
#   <service>_owner  owns the service's database; the service's migrations run as it
#                    (<PREFIX>MIGRATION_DATABASE_URL) and grant the runtime role at every start;
#   <service>_app    what the service runs as (<PREFIX>DATABASE_URL): data rights on its tables,
#                    INSERT and SELECT only on the audit log and the timelines.
# Nobody else may connect to a service's database (CONNECT revoked from PUBLIC). Both roles of a
# service share its password, WARMLINK_<SERVICE>_DB_PASSWORD: its container holds both URLs.
set -eu
for service in screening directory referral followup portal; do
    variable="WARMLINK_$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    eval "password=\${$variable:?set $variable}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v db="$service" -v owner="${service}_owner" -v app="${service}_app" \
        -v password="$password" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
done
