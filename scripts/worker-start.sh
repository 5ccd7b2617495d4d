#!/usr/bin/env bash
# Start the FastCGI worker (one process, $WORKERS threads) under its
# supervisor (scripts/worker-supervise.sh), which starts it again by itself
# when it dies; unless it runs.
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

# Listening: the worker runs and the kernel has a socket accepting on its
# address (a socket file left by a killed worker does not count).
up()
{
	pid_alive "$name" swn-worker && listening "$listen"
}

# A supervisor that runs brings its worker back by itself, or is about to
# exit because its worker exited on purpose: wait to see which.
if supervised "$name"; then
	wait_until 90 eval 'up || ! supervised "$name"' || true
	up && exit 0
	if supervised "$name"; then
		echo "worker-start: $name is supervised but does not listen on" \
			"$listen; see $log" >&2
		exit 1
	fi
fi
# A worker of before the supervisor (or whose supervisor was killed).
pid_alive "$name" swn-worker && exit 0

mkdir -p "$PIDS" "$LOGS" "$RUN"
web_dir
[ "$listen" != "$WORKER_SOCK" ] || rm -f "$WORKER_SOCK"
rm -f "$PIDS/$name.pid"
touch "$log"
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
	setsid "$ROOT/scripts/worker-supervise.sh" "$name" </dev/null \
	>>"$log" 2>&1 &
sup=$!
echo "$sup" >"$PIDS/$name-supervisor.pid"

# A worker that refuses to start (missing keys, say) exits at once, and its
# supervisor after it: stop waiting then, and show why.
settled()
{
	local st
	up && return 0
	st=$(sed 's/^.*) //' "/proc/$sup/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ]
}
wait_until 90 settled || true
if ! up; then
	echo "worker-start: the worker did not come up; $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
