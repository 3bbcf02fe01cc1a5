#!/usr/bin/env bash
# Section I's yardstick: pgbench's single-row inserts into a table shaped like Parta's
# messages, in schema $2 of database $1, as many clients as Parta has connections
# (16), for 10 s. Its script and log go to directory $3; the log ends with its tps.
#
# Usage: scripts/pgbench-insert.sh <postgres url> <schema> <out dir>
set -euo pipefail
pg=$1 schema=$2 out=$3
psql "$pg" -qc "CREATE TABLE $schema.insert_floor (id BIGSERIAL PRIMARY KEY, chat_id BIGINT NOT NULL,
  seq BIGINT NOT NULL, sender_id BIGINT NOT NULL, client_msg_id TEXT NOT NULL, body TEXT NOT NULL,
  created_at BIGINT NOT NULL, UNIQUE (sender_id, client_msg_id))"
printf '%s\n' '\set n random(1, 1000000000)' \
  "INSERT INTO $schema.insert_floor (chat_id, seq, sender_id, client_msg_id, body, created_at)
   VALUES (1, :n, :client_id, 'pg-' || :n, 'pb:' || :n || ':0: нагрузочный тест', 0) ON CONFLICT DO NOTHING;" \
  >"$out/pgbench-insert.sql"
pgbench -n -c 16 -j 2 -T 10 -f "$out/pgbench-insert.sql" "$pg" 2>&1 | tee "$out/pgbench.log"
