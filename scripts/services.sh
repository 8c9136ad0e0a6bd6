#!/usr/bin/env bash
# Start the services the test suite talks to, when they are not already running: PostgreSQL on
# 127.0.0.1:5432 (role and database "cr_test", password "cr_test") and Redis on 127.0.0.1:6379.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PG_PORT="${CR_TEST_PG_PORT:-5432}"
PG_ROLE="cr_test"  # role, password and database of the test suite (CR_TEST_POSTGRES_URL in scripts/test.sh)

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
  log "starting PostgreSQL"
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" "${CR_TEST_PG_CLUSTER:-main}" start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
fi
# The suite connects as its own role over TCP with a password (a stock Debian asks for one on 127.0.0.1;
# trust setups accept it too): create the role and its database through the postgres superuser's local
# socket (peer authentication), once.
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_ROLE';
  END IF;
END \$\$;
SQL
if ! as_postgres psql -p "$PG_PORT" -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_ROLE'" | grep -q 1; then
  as_postgres createdb -p "$PG_PORT" -O "$PG_ROLE" "$PG_ROLE"
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
