#!/usr/bin/env bash
# Start the FastCGI worker (one process, $WORKERS threads), unless it runs.
set -euo pipefail
. "$(dirname "$0")/env.sh"

pid_alive worker swn-worker && exit 0

mkdir -p "$PIDS" "$LOGS" "$RUN"
rm -f "$WORKER_SOCK"
echo "worker-start: $WORKERS threads on $WORKER_SOCK"
# setsid: its own session, so a Ctrl-C meant for `make run` reaches the
# worker only through stop.sh's SIGTERM, which lets it drain.
SWN_LISTEN=$WORKER_SOCK \
	SWN_DB_SOCKET=$DB_SOCK \
	SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
	SWN_PII_KEYS_FILE=$PII_KEYS \
	SWN_THREADS=$WORKERS \
	setsid "$WORKER_BIN" </dev/null >>"$LOGS/worker.log" 2>&1 &
echo $! >"$PIDS/worker.pid"

up()
{
	pid_alive worker swn-worker && [ -S "$WORKER_SOCK" ]
}
# A worker that refuses to start (missing keys, say) exits at once: stop
# waiting then, and show why.
settled()
{
	up || pid_dead worker swn-worker
}
wait_until 90 settled || true
if ! up; then
	echo "worker-start: the worker did not come up; $LOGS/worker.log:" >&2
	tail -n 20 "$LOGS/worker.log" >&2
	exit 1
fi
