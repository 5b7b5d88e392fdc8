#!/usr/bin/env bash
# The ceiling: how many one-row INSERT transactions this Postgres commits per second, with pgbench
# at 8 clients, so the drain figures can be read against what the database itself can do.
set -euo pipefail
URL_BASE="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
psql "$URL_BASE/postgres" -qc "DROP DATABASE IF EXISTS bench_ceiling WITH (FORCE)" -c "CREATE DATABASE bench_ceiling" >/dev/null 2>&1
psql "$URL_BASE/bench_ceiling" -qc "CREATE TABLE t (id bigserial PRIMARY KEY, v int)" >/dev/null
script=$(mktemp)
echo "INSERT INTO t (v) VALUES (1);" > "$script"
tps=$(pgbench "$URL_BASE/bench_ceiling" -n -c "${CLIENTS:-8}" -j 2 -T "${SECONDS_:-10}" -f "$script" 2>/dev/null | awk '/^tps/ {print int($3)}')
rm -f "$script"
echo "{\"system\":\"pgbench one-row insert\",\"clients\":${CLIENTS:-8},\"perSecond\":$tps}"
