#!/usr/bin/env bash
# Does the worker's memory stay flat under load?  A fresh instance, staff
# of a town signed in, then wrk with bench/rss.lua -- reads and durable
# writes in turn (7 to 3), personal data sealed and unsealed -- in rounds
# of ROUND_SECONDS:
#
#   1. warm-up until WARMUP requests were answered (the arenas, the
#      prepared statements of every thread, MariaDB's client buffers and
#      the allocator's pools reach their working size);
#   2. RSS of the worker process (VmRSS of /proc/PID/status) read: the
#      baseline;
#   3. rounds until REQUESTS more were answered, RSS read after each;
#   4. RSS at the end against the baseline: PASS when it grew by at most
#      10 % (exit 1 otherwise).
#
# Every round must answer 2xx only, and the worker must be the same
# process throughout (a restart by its supervisor would reset RSS).
#
#   WARMUP (20000), REQUESTS (200000), ROUND_SECONDS (15),
#   WRK_ARGS ("-t2 -c16"), RSS_PORT (18398), WORKERS (4)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL

WARMUP=${WARMUP:-20000}
REQUESTS=${REQUESTS:-200000}
ROUND_SECONDS=${ROUND_SECONDS:-15}
read -r -a wrk_args <<<"${WRK_ARGS:--t2 -c16}"
export VAR=$ROOT/var/bench-rss PORT=${RSS_PORT:-18398}
. scripts/env.sh
ADMIN_PASSWORD=bench-$(rand_str 18)
export ADMIN_PASSWORD
BASE=http://127.0.0.1:$PORT/api/v1

cleanup()
{
	scripts/stop.sh >/dev/null 2>&1 || true
	rm -rf "$VAR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
# All of wrk's load comes from one address, which nginx's limits per
# address (nginx-conf, "Limits per address": public writes 10 a second,
# every write 30) would cut: this instance lifts them, to measure the
# worker and the database.
RATE=100000r/s BURST=100000 WRITE_RATE=100000r/s WRITE_BURST=100000 \
	scripts/start.sh >/dev/null

# api METHOD PATH [BODY]: with the token in $tok, if any; says why a
# call failed.
api()
{
	local o
	if ! o=$(curl -sS -X "$1" -H 'Content-Type: application/json' \
		${tok:+-H "Authorization: Bearer $tok"} ${3:+-d "$3"} \
		-w '\n%{http_code}' "$BASE$2") || [ "${o##*$'\n'}" -ge 300 ]; then
		echo "bench-rss: $1 $2: $o" >&2
		return 1
	fi
	printf '%s\n' "${o%$'\n'*}"
}
login()
{
	tok='' api POST /auth/login "{\"username\":\"$1\",\"password\":\"$2\"}" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
tok=$(login admin "$ADMIN_PASSWORD")
api POST /users "{\"username\":\"bench_staff\",\"password\":\"$ADMIN_PASSWORD\",
	\"display_name\":\"基准干部\",\"role\":\"staff\",\"unit_id\":2}" >/dev/null
tok=$(login bench_staff "$ADMIN_PASSWORD")
case_id=$(api POST /wage-cases '{"employer_name":"常州某公司","industry":"other",
	"reporter":{"name":"张三","phone":"13812345678"},
	"workers":[{"name":"李四","id_number":"320402198503120019",
	"phone":"13912345678","amount_owed":"100.00"}]}' |
	sed -n 's/^{"id":\([0-9]*\).*/\1/p')
[ -n "$tok" ] && [ -n "$case_id" ] || {
	echo "bench-rss: could not sign staff in and file a case" >&2
	exit 1
}
today=$(TZ=Asia/Shanghai date +%F)
pid=$(pid_of worker)

rss_kb()
{
	awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"
}

# round N: one wrk round; prints the requests answered.  Any non-2xx
# answer or socket error aborts.
round()
{
	local o
	o=$(wrk "${wrk_args[@]}" -d"${ROUND_SECONDS}s" -s bench/rss.lua \
		"$BASE/health" -- "$tok" "r$1-$RANDOM" "$case_id" "$today")
	if grep -q 'Non-2xx\|Socket errors' <<<"$o"; then
		echo "bench-rss: errors in round $1:" >&2
		echo "$o" >&2
		return 1
	fi
	awk '/ requests in / {print $1}' <<<"$o"
}

mib()
{
	awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'
}

echo "bench-rss: worker $pid, $WORKERS threads; RSS at start $(mib "$(rss_kb)") MiB"
n=0 i=0
while [ $n -lt "$WARMUP" ]; do
	i=$((i + 1))
	n=$((n + $(round "$i")))
done
base=$(rss_kb)
echo "warm-up: $n requests, RSS $(mib "$base") MiB (the baseline)"
n=0 hi=$base
t0=$SECONDS
while [ $n -lt "$REQUESTS" ]; do
	i=$((i + 1))
	n=$((n + $(round "$i")))
	r=$(rss_kb)
	[ "$r" -le "$hi" ] || hi=$r
	printf 'round %d: %7d requests after the warm-up, RSS %s MiB\n' \
		"$i" "$n" "$(mib "$r")"
done
end=$(rss_kb)
if [ "$(pid_of worker)" != "$pid" ]; then
	echo "bench-rss: the worker was restarted during the run" >&2
	exit 1
fi
secs=$((SECONDS - t0))
verdict=$(awk -v a="$end" -v b="$base" 'BEGIN {g = (a - b) * 100 / b;
	printf "growth %+.1f %%  %s", g, (g <= 10) ? "PASS" : "FAIL"}')
echo "$n mixed requests in ${secs} s after a warm-up: RSS $(mib "$base") MiB ->" \
	"$(mib "$end") MiB (highest $(mib "$hi") MiB): $verdict (<= +10 %)"
[[ $verdict == *PASS ]]
