#!/usr/bin/env bash
# make bench: how close does the worker's GET /api/v1/health come to a bare
# libfcgi hello-world (bench/hello.c) behind the same nginx template, with
# the same thread count?  Alternates wrk runs on both, prints every rate and
# the ratio of the medians; PASS when it is at least 0.8 (exit 1 otherwise).
#
#   BENCH_VAR, BENCH_PORT   the swn instance (default var/bench, 18380)
#   HELLO_PORT              the hello-world's nginx (default 18381)
#   ROUNDS, WRK_ARGS        default 3 and "-t2 -c32 -d10s"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL

ROUNDS=${ROUNDS:-3}
read -r -a wrk_args <<<"${WRK_ARGS:--t2 -c32 -d10s}"
HELLO_PORT=${HELLO_PORT:-18381}
HELLO_BIN=$ROOT/build/bench-hello
export VAR=${BENCH_VAR:-$ROOT/var/bench} PORT=${BENCH_PORT:-18380}
. scripts/env.sh
. bench/lib.sh
HVAR=$VAR/hello # the hello-world and its nginx keep their state here

started_stack=
cleanup()
{
	(
		VAR=$HVAR
		. scripts/env.sh
		stop_pid nginx nginx QUIT 10
		stop_pid hello bench-hello TERM 10
		rm -rf "$VAR"
		case $WEB in /tmp/swn-web-*) rm -rf "$WEB" ;; esac
	) || true
	[ -z "$started_stack" ] || scripts/stop.sh || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The instance may already run (an earlier bench left it, or a developer
# started it); stop only what this run started.
if ! { pid_alive mariadb mariadbd && pid_alive worker swn-worker &&
	pid_alive nginx nginx; }; then
	started_stack=1
	scripts/start.sh
fi

# The hello-world on its own socket, behind a second nginx from the same
# template, on HELLO_PORT.
(
	VAR=$HVAR PORT=$HELLO_PORT
	. scripts/env.sh
	mkdir -p "$PIDS" "$LOGS" "$RUN"
	# Where nginx's worker processes may connect (scripts/env.sh, WEB).
	web_dir
	web_umask
	sock=${WEB:-$RUN}/hello.sock
	rm -f "$sock"
	SWN_LISTEN=$sock SWN_THREADS=$WORKERS \
		setsid "$HELLO_BIN" </dev/null >>"$LOGS/hello.log" 2>&1 &
	echo $! >"$PIDS/hello.pid"
	wait_until 10 test -S "$sock"
	UPSTREAM=unix:$sock "$ROOT/scripts/render-nginx.sh"
	nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log"
	wait_until 10 pid_alive nginx nginx
)

health=http://127.0.0.1:$PORT/api/v1/health
hello=http://127.0.0.1:$HELLO_PORT/api/v1/health
for url in "$health" "$hello"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
	if [ "$code" != 200 ]; then
		echo "bench: $url answers $code, not 200" >&2
		exit 1
	fi
done

# rps URL: one wrk run; prints its Requests/sec.  Non-2xx answers would
# make a fast failure look like throughput, so they abort the bench.
rps()
{
	wrk_rate "bench: $1" "${wrk_args[@]}" "$1"
}

h=() w=()
for i in $(seq "$ROUNDS"); do
	# Alternate, so drift of the machine affects both alike.
	r=$(rps "$health")
	h+=("$r")
	r=$(rps "$hello")
	w+=("$r")
	printf 'round %d: health %10.1f req/s   hello %10.1f req/s\n' \
		"$i" "${h[-1]}" "${w[-1]}"
done
mh=$(median "${h[@]}")
mw=$(median "${w[@]}")
verdict=$(awk -v a="$mh" -v b="$mw" \
	'BEGIN {r = a / b; printf "ratio %.3f  %s", r, (r >= 0.8) ? "PASS" : "FAIL"}')
echo "median health $mh req/s, median hello $mw req/s: $verdict (>= 0.8)"
[[ $verdict == *PASS ]]
