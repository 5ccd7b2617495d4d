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
echo "db-start: mariadbd on $DB_SOCK"
setsid mariadbd --no-defaults "${user[@]}" \
	--datadir="$DB_DIR" --socket="$DB_SOCK" \
	--pid-file="$PIDS/mariadb.pid" --skip-networking \
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
