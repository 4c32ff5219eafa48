#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster on 127.0.0.1:5432 (if it is not running)
# and creates the `pogo_test` role and database the store tests connect to.
# Prints the connection URL the tests read from POGO_TEST_DATABASE_URL.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
cluster=main
if ! pg_lsclusters -h | grep -q "^$version $cluster "; then
  pg_createcluster "$version" "$cluster" >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version $cluster .* online"; then
  pg_ctlcluster "$version" "$cluster" start
fi
for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 && break; sleep 0.25; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='pogo_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE pogo_test LOGIN SUPERUSER PASSWORD 'pogo_test'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='pogo_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE DATABASE pogo_test OWNER pogo_test\""
echo "postgres://pogo_test:pogo_test@127.0.0.1:5432/pogo_test"
