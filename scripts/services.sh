#!/usr/bin/env bash
# Start the services the test suite talks to, when they are not already running: PostgreSQL on
# 127.0.0.1:5432 (database "test") and Redis on 127.0.0.1:6379.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL"
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# The suite uses the database "test"; create it when a fresh cluster lacks it.
if ! psql -h 127.0.0.1 -U postgres -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw test; then
  su postgres -c "createdb test" 2>/dev/null || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" || true
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
