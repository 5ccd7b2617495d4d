#!/usr/bin/env bash
# Stop nginx, the worker and MariaDB of this $VAR, in that order: first no
# new requests, then the worker drains what it holds, then the database
# it was writing to.  Each is waited for.
set -euo pipefail
. "$(dirname "$0")/env.sh"

# QUIT = graceful (nginx -s quit); TERM = drain and exit for the worker and
# a clean shutdown for mariadbd, the same as mariadb-admin shutdown.  The
# worker's supervisor takes the TERM, passes it on, and restarts nothing.
stop_pid nginx nginx QUIT 15
stop_worker worker 30
stop_pid mariadb mariadbd TERM 120
rm -f "$WORKER_SOCK"
# The short socket directory in /tmp belongs to this VAR alone.
if [ "$RUN" != "$PIDS" ]; then
	rm -rf "$RUN"
fi
# So does the one of nginx's worker processes (env.sh, WEB).
case $WEB in
/tmp/swn-web-*) rm -rf "$WEB" ;;
esac
