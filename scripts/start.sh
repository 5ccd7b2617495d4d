#!/usr/bin/env bash
# Start whichever of MariaDB, the worker and nginx is not running (each step
# returns at once when its process is alive), so after a crash of one part
# `make start` brings back that part alone.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ ! -x "$WORKER_BIN" ]; then
	echo "start: $WORKER_BIN is missing; run make build" >&2
	exit 1
fi
"$ROOT/scripts/db-init.sh"
"$ROOT/scripts/db-start.sh"
# Every start applies migrations that arrived since the last one.
"$ROOT/scripts/migrate.sh"
"$ROOT/scripts/worker-start.sh"
"$ROOT/scripts/nginx-start.sh"
echo "swn is running at http://127.0.0.1:$PORT/ (VAR=$VAR)"
