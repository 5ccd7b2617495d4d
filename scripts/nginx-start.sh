#!/usr/bin/env bash
# Render the nginx config and start nginx on $PORT, unless it runs.
set -euo pipefail
. "$(dirname "$0")/env.sh"

pid_alive nginx nginx && exit 0

"$ROOT/scripts/render-nginx.sh"
echo "nginx-start: http://127.0.0.1:$PORT/"
# nginx daemonizes itself (its own session) and writes $PIDS/nginx.pid.
nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
if ! wait_until 10 pid_alive nginx nginx; then
	echo "nginx-start: nginx did not start; $NGINX_DIR/error.log:" >&2
	tail -n 20 "$NGINX_DIR/error.log" >&2
	exit 1
fi
