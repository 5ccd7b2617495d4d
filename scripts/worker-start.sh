#!/usr/bin/env bash
# Start the FastCGI worker (one process, $WORKERS threads), unless it runs.
#
# WORKER_NAME and WORKER_LISTEN start another worker of the same instance:
# its pid file and log are $VAR/run/NAME.pid and $VAR/log/NAME.log, and it
# accepts FastCGI on WORKER_LISTEN (a host:port for a worker host behind
# nginx's upstream; make test-cluster runs two).  Defaults: worker, and
# the unix socket $WORKER_SOCK.  The SWN_DB_REPLICA_* variables of the
# environment pass on to the worker.
set -euo pipefail
. "$(dirname "$0")/env.sh"

name=${WORKER_NAME:-worker}
listen=${WORKER_LISTEN:-$WORKER_SOCK}
log=$LOGS/$name.log

pid_alive "$name" swn-worker && exit 0

mkdir -p "$PIDS" "$LOGS" "$RUN"
web_dir
[ "$listen" != "$WORKER_SOCK" ] || rm -f "$WORKER_SOCK"
touch "$log"
from=$(($(wc -c <"$log") + 1))
echo "worker-start: $WORKERS threads on $listen"
# nginx's worker processes may run as another user: the socket must be
# theirs to connect to (env.sh, web_dir and web_umask).
web_umask
# setsid: its own session, so a Ctrl-C meant for `make run` reaches the
# worker only through stop.sh's SIGTERM, which lets it drain.
SWN_LISTEN=$listen \
	SWN_DB_SOCKET=$DB_SOCK \
	SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
	SWN_PII_KEYS_FILE=$PII_KEYS \
	SWN_THREADS=$WORKERS \
	setsid "$WORKER_BIN" </dev/null >>"$log" 2>&1 &
echo $! >"$PIDS/$name.pid"

# Listening: the socket file exists, or the worker logged the address it
# opened (a TCP port leaves no file).
up()
{
	pid_alive "$name" swn-worker || return 1
	case $listen in
	*:*) tail -c +"$from" "$log" | grep -qF " threads on $listen;" ;;
	*) [ -S "$listen" ] ;;
	esac
}
# A worker that refuses to start (missing keys, say) exits at once: stop
# waiting then, and show why.
settled()
{
	up || pid_dead "$name" swn-worker
}
wait_until 90 settled || true
if ! up; then
	echo "worker-start: the worker did not come up; $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
