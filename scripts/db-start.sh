#!/usr/bin/env bash
# Start MariaDB on its private data directory and socket, unless it runs.
set -euo pipefail
. "$(dirname "$0")/env.sh"

pid_alive mariadb mariadbd && exit 0

mkdir -p "$PIDS" "$LOGS" "$RUN"
chmod 0700 "$RUN"
# After a kill -9 the old socket file is still there; nothing listens on it.
rm -f "$DB_SOCK" "$DB_SOCK.lock" "$PIDS/mariadb.pid"

user=()
[ "$(id -u)" -eq 0 ] && user=(--user=root)

# ---- Replication (docs/DEPLOY.md; make test-cluster) ----------------------
# DB_PORT: listen on 127.0.0.1:DB_PORT too, since a replica reaches its
# primary over TCP; without it, the socket only.  DB_SERVER_ID: keep a
# binary log with GTIDs that a replica can follow, written row by row and
# flushed at every commit like the redo log, so that a crash loses no
# transaction that was committed.  DB_READ_ONLY=1: a replica, changed only
# by its replication thread.
net=(--skip-networking)
[ -z "${DB_PORT:-}" ] || net=(--bind-address=127.0.0.1 --port="$DB_PORT")
binlog=()
if [ -n "${DB_SERVER_ID:-}" ]; then
	binlog=(--server-id="$DB_SERVER_ID" --log-basename=swn --log-bin=swn-bin
		--sync-binlog=1 --binlog-format=ROW --log-slave-updates=1
		--gtid-strict-mode=1 --binlog-expire-logs-seconds=604800)
fi
[ "${DB_READ_ONLY:-}" != 1 ] || binlog+=(--read-only=1)
# ---- end of replication ----------------------------------------------------

echo "db-start: mariadbd on $DB_SOCK"
setsid mariadbd --no-defaults "${user[@]}" \
	--datadir="$DB_DIR" --socket="$DB_SOCK" \
	--pid-file="$PIDS/mariadb.pid" "${net[@]}" "${binlog[@]}" \
	--log-error="$LOGS/mariadb.log" \
	--innodb_flush_log_at_trx_commit=1 \
	--character-set-server=utf8mb4 \
	--collation-server=utf8mb4_unicode_520_ci \
	--max-connections=200 </dev/null >>"$LOGS/mariadb.log" 2>&1 &
pid=$!

ping_db()
{
	kill -0 "$pid" &&
		mariadb-admin --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" \
			--connect-timeout=2 ping >/dev/null
}
# Crash recovery after a kill -9 can take a while on a slow disk.
if ! wait_until 120 ping_db; then
	echo "db-start: MariaDB did not come up; see $LOGS/mariadb.log:" >&2
	tail -n 20 "$LOGS/mariadb.log" >&2
	exit 1
fi
# mariadbd writes its pid file itself; make sure it names this process.
echo "$pid" >"$PIDS/mariadb.pid"
