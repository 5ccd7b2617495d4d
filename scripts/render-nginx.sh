#!/usr/bin/env bash
# Render nginx-conf/nginx.conf.in into $VAR/nginx/nginx.conf and check it.
# The one template serves make run/start, the tests, the benchmark's second
# nginx and docker-compose; only these values differ:
#   UPSTREAM  FastCGI address   (default unix:$WORKER_SOCK; docker worker:9000)
#   LISTEN    address:port      (default 127.0.0.1:$PORT; docker 0.0.0.0:80)
#   RATE      anonymous POSTs per client (default 10r/s), BURST (default 40)
#   USER_LINE nginx `user` line (default `user root;` when run as root)
set -euo pipefail
. "$(dirname "$0")/env.sh"

UPSTREAM=${UPSTREAM:-unix:$WORKER_SOCK}
LISTEN=${LISTEN:-127.0.0.1:$PORT}
RATE=${RATE:-10r/s}
BURST=${BURST:-40}
# Started as root, nginx would run its workers as nobody, who cannot read a
# checkout or a socket inside a 0700 directory (a clone under /root): 403
# or 502 with nothing in the worker's log.  So keep them root there.
if [ -z "${USER_LINE+set}" ]; then
	USER_LINE=
	[ "$(id -u)" -eq 0 ] && USER_LINE='user root;'
fi

# Escape what sed treats specially in a replacement: \ & and the | delimiter.
esc()
{
	printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'
}

mkdir -p "$NGINX_DIR" "$PIDS"
sed -e "s|@PORT@|$(esc "$PORT")|g" \
	-e "s|@VAR@|$(esc "$VAR")|g" \
	-e "s|@RUN@|$(esc "$RUN")|g" \
	-e "s|@ROOT@|$(esc "$ROOT/frontend")|g" \
	-e "s|@UPSTREAM@|$(esc "$UPSTREAM")|g" \
	-e "s|@LISTEN@|$(esc "$LISTEN")|g" \
	-e "s|@RATE@|$(esc "$RATE")|g" \
	-e "s|@BURST@|$(esc "$BURST")|g" \
	-e "s|@USER_LINE@|$(esc "$USER_LINE")|g" \
	"$ROOT/nginx-conf/nginx.conf.in" >"$NGINX_DIR/nginx.conf.new"
if grep -n '@[A-Z_]*@' "$NGINX_DIR/nginx.conf.new" >&2; then
	echo "render-nginx: placeholders left unrendered (above)" >&2
	exit 1
fi
mv "$NGINX_DIR/nginx.conf.new" "$NGINX_DIR/nginx.conf"

# -e: without it nginx first opens its compiled-in /var/log/nginx/error.log.
nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
