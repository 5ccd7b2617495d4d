#!/usr/bin/env bash
# Render nginx-conf/nginx.conf.in into $VAR/nginx/nginx.conf and check it.
# The one template serves make run/start, the tests, the benchmark's second
# nginx and docker-compose; only these values differ:
#   UPSTREAM  FastCGI addresses, separated by spaces or commas (default
#             unix:$WORKER_SOCK; docker worker:9000; a cluster several
#             host:port), one upstream server each
#   LISTEN    address:port      (default 127.0.0.1:$PORT; docker 0.0.0.0:443)
#   RATE      anonymous POSTs per client (default 10r/s), BURST (default 40)
#   WRITE_RATE  every write per client (default 30r/s), WRITE_BURST (300)
#   NGINX_USER  who nginx's worker processes run as when it is started as
#             root (default www-data, else nobody; scripts/env.sh)
# TLS, only when TLS_CERT is set (docs/DEPLOY.md):
#   TLS_CERT, TLS_KEY  certificate chain and key (PEM); LISTEN is then HTTPS
#   HTTP_LISTEN        the plain-HTTP address that redirects to HTTPS
#                      (default 127.0.0.1:$HTTP_PORT, else port 80)
#   HTTPS_PORT         the HTTPS port clients use, for the redirect
#                      (default LISTEN's port; 443 is left out of the URL)
set -euo pipefail
. "$(dirname "$0")/env.sh"

UPSTREAM=${UPSTREAM:-unix:$WORKER_SOCK}
LISTEN=${LISTEN:-127.0.0.1:$PORT}
RATE=${RATE:-10r/s}
BURST=${BURST:-40}
WRITE_RATE=${WRITE_RATE:-30r/s}
WRITE_BURST=${WRITE_BURST:-300}
TLS_CERT=${TLS_CERT:-}
TLS_KEY=${TLS_KEY:-}
HTTP_LISTEN=${HTTP_LISTEN:-127.0.0.1:${HTTP_PORT:-80}}
HTTPS_PORT=${HTTPS_PORT:-${LISTEN##*:}}
if [ -n "$TLS_CERT" ]; then
	for f in "$TLS_CERT" "$TLS_KEY"; do
		[ -r "$f" ] || {
			echo "render-nginx: cannot read TLS_CERT/TLS_KEY: '$f'" >&2
			exit 1
		}
	done
	tls_on='s|@TLS@||' tls_off='/@PLAIN@/d'
else
	tls_on='/@TLS@/d' tls_off='s|@PLAIN@||'
fi
redirect_port=":$HTTPS_PORT"
[ "$HTTPS_PORT" != 443 ] || redirect_port=
# Started as root, nginx runs its worker processes as NGINX_USER, who
# cannot read a checkout or a socket inside a 0700 directory (a clone under
# /root): they get a copy of the pages and their temp directories in $WEB
# (scripts/env.sh), which they may enter, and the worker's socket is there
# too.  The copy is remade at every render, so a restart serves the
# checkout's pages as they are.
USER_LINE=
pages=$ROOT/frontend
temp=$NGINX_DIR
if [ -n "$WEB" ]; then
	USER_LINE="user $NGINX_USER $(id -gn "$NGINX_USER");"
	web_dir
	rm -rf "$WEB/pages.new" "$WEB/pages.old"
	cp -R "$ROOT/frontend" "$WEB/pages.new"
	chmod -R u=rwX,go=rX "$WEB/pages.new"
	[ ! -e "$WEB/pages" ] || mv "$WEB/pages" "$WEB/pages.old"
	mv "$WEB/pages.new" "$WEB/pages"
	rm -rf "$WEB/pages.old"
	pages=$WEB/pages
	temp=$WEB/tmp
	mkdir -p "$temp"
fi
# Connections: half the open files nginx's worker processes may have (they
# raise their limit to this shell's hard one), so connections run out
# before descriptors do; at most 16384 per worker process.
nofile=$(ulimit -Hn)
[ "$nofile" != unlimited ] || nofile=65536
[ "$nofile" -le 65536 ] || nofile=65536
conns=$((nofile / 2))
[ $conns -le 16384 ] || conns=16384

# Escape what sed treats specially in a replacement: \ & and the | delimiter.
esc()
{
	printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'
}

mkdir -p "$NGINX_DIR" "$PIDS"
# First the line holding @UPSTREAM@, once per address; then the rest.
awk -v list="$UPSTREAM" '
	index($0, "@UPSTREAM@") {
		n = split(list, addr, /[ ,]+/)
		for (i = 1; i <= n; i++) {
			if (addr[i] == "")
				continue
			line = $0
			sub(/@UPSTREAM@/, addr[i], line)
			print line
		}
		next
	}
	{ print }' "$ROOT/nginx-conf/nginx.conf.in" |
	sed -e "$tls_on" -e "$tls_off" \
		-e "s|@PORT@|$(esc "$PORT")|g" \
		-e "s|@VAR@|$(esc "$VAR")|g" \
		-e "s|@RUN@|$(esc "$RUN")|g" \
		-e "s|@ROOT@|$(esc "$pages")|g" \
		-e "s|@TEMP@|$(esc "$temp")|g" \
		-e "s|@NOFILE@|$(esc "$nofile")|g" \
		-e "s|@WORKER_CONNECTIONS@|$(esc "$conns")|g" \
		-e "s|@WRITE_RATE@|$(esc "$WRITE_RATE")|g" \
		-e "s|@WRITE_BURST@|$(esc "$WRITE_BURST")|g" \
		-e "s|@LISTEN@|$(esc "$LISTEN")|g" \
		-e "s|@HTTP_LISTEN@|$(esc "$HTTP_LISTEN")|g" \
		-e "s|@HTTPS_PORT@|$(esc "$redirect_port")|g" \
		-e "s|@TLS_CERT@|$(esc "$TLS_CERT")|g" \
		-e "s|@TLS_KEY@|$(esc "$TLS_KEY")|g" \
		-e "s|@RATE@|$(esc "$RATE")|g" \
		-e "s|@BURST@|$(esc "$BURST")|g" \
		-e "s|@USER_LINE@|$(esc "$USER_LINE")|g" \
		>"$NGINX_DIR/nginx.conf.new"
if grep -n '@[A-Z_]*@' "$NGINX_DIR/nginx.conf.new" >&2; then
	echo "render-nginx: placeholders left unrendered (above)" >&2
	exit 1
fi
mv "$NGINX_DIR/nginx.conf.new" "$NGINX_DIR/nginx.conf"

# -e: without it nginx first opens its compiled-in /var/log/nginx/error.log.
nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
