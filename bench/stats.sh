#!/usr/bin/env bash
# The statistics table at scale (issue "The statistics table"): a fresh
# instance seeded with SEED_N records (make seed), then, in one run:
#
#   1. GET /api/v1/stats for the district (campaign 1) against GET /health,
#      alternating wrk rounds: p99 < 20 ms and at least 0.3 x health's rate;
#   2. GET /api/v1/stats/by-unit for the district: p99 < 50 ms;
#   3. GET /api/v1/stats with a different period on every request, so none
#      is answered from the one-second cache: the cost of a fresh figure;
#   4. GET /api/v1/wage-cases?limit=50 and /safe-returns?limit=50 as admin:
#      p99 at this size;
#   5. durable POST /api/v1/visits with the daily figures' upkeep (the
#      triggers of sql/012) against the same without them (dropped for the
#      round, then restored and refilled): at least 0.8 x.
#
#   SEED_N (default 1000000), ROUNDS (3), WRK_ARGS ("-t2 -c16 -d10s"),
#   POST_ARGS ("-t2 -c64 -d10s"), BENCH_VAR, BENCH_PORT (18396)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL

SEED_N=${SEED_N:-1000000}
ROUNDS=${ROUNDS:-3}
read -r -a wrk_args <<<"${WRK_ARGS:--t2 -c16 -d10s}"
read -r -a post_args <<<"${POST_ARGS:--t2 -c64 -d10s}"
export VAR=${BENCH_VAR:-$ROOT/var/bench-stats} PORT=${BENCH_PORT:-18396}
. scripts/env.sh
. bench/lib.sh
ADMIN_PASSWORD=bench-$(rand_str 18)
export ADMIN_PASSWORD

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
N=$SEED_N scripts/seed.sh

base=http://127.0.0.1:$PORT/api/v1
token=$(curl -s -H 'Content-Type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" \
	"$base/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || {
	echo "bench-stats: cannot sign in" >&2
	exit 1
}

# run URL [wrk args...]: one wrk run; prints "rps p99_ms".  Any non-2xx
# answer aborts: a fast failure must not look like speed.
run()
{
	local url=$1 o
	shift
	o=$(wrk "$@" --latency -H "Authorization: Bearer $token" "$url")
	if grep -q 'Non-2xx' <<<"$o"; then
		echo "bench-stats: errors from $url:" >&2
		echo "$o" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ {r = $2}
		$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u);
			sub(/[a-z]+$/, "", v);
			p = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}
		END {printf "%s %.2f\n", r, p}' <<<"$o"
}

echo "bench-stats: $(sql swn -e 'SELECT COUNT(*) FROM stat_daily') daily rows," \
	"$(sql swn -e 'SELECT COUNT(*) FROM units') units"

# A Lua script for wrk: each request asks for another period, so the
# cache never answers (fresh figures).
fresh_lua=$VAR/fresh.lua
cat >"$fresh_lua" <<'EOF'
local n = 0
request = function()
  n = n + 1
  local d = 1 + n % 28
  return wrk.format("GET", string.format(
    "/api/v1/stats?from=2021-01-%02d&to=2021-02-%02d", d, 1 + (n * 7) % 12))
end
EOF

h=() s=() sp=() b=() bp=() f=() fp=()
for i in $(seq "$ROUNDS"); do
	read -r r _ < <(run "$base/health" "${wrk_args[@]}")
	h+=("$r")
	read -r r p < <(run "$base/stats?campaign_id=1" "${wrk_args[@]}")
	s+=("$r") sp+=("$p")
	read -r r p < <(run "$base/stats/by-unit?campaign_id=1" "${wrk_args[@]}")
	b+=("$r") bp+=("$p")
	read -r r p < <(run "$base/stats" "${wrk_args[@]}" -s "$fresh_lua")
	f+=("$r") fp+=("$p")
	printf 'round %d: health %8.1f/s  stats %8.1f/s p99 %6.2f ms  by-unit %7.1f/s p99 %6.2f ms  fresh %6.1f/s p99 %7.2f ms\n' \
		"$i" "${h[-1]}" "${s[-1]}" "${sp[-1]}" "${b[-1]}" "${bp[-1]}" "${f[-1]}" "${fp[-1]}"
done
read -r lw lwp < <(run "$base/wage-cases?limit=50" "${wrk_args[@]}")
read -r ls lsp < <(run "$base/safe-returns?limit=50" "${wrk_args[@]}")
printf 'lists: wage-cases %.1f/s p99 %.2f ms, safe-returns %.1f/s p99 %.2f ms\n' \
	"$lw" "$lwp" "$ls" "$lsp"

# Writes with and without the upkeep: the visits' triggers dropped for one
# round, then the migration re-run, which recreates them and refills the
# daily figures from the records (the round's visits included).
post()
{
	wrk_rate "bench-stats: POST /visits" "${post_args[@]}" \
		-s bench/visits.lua "$base/visits" -- "$token" "stats$RANDOM$1"
}
with=() without=()
for i in $(seq "$ROUNDS"); do
	with+=("$(post "w$i")")
	sql swn -e 'DROP TRIGGER visits_stat_ins; DROP TRIGGER visits_stat_upd;
		DROP TRIGGER visits_stat_del'
	without+=("$(post "o$i")")
	sql swn <sql/012_stat_daily.sql >/dev/null
	printf 'round %d: POST /visits with upkeep %8.1f/s, without %8.1f/s\n' \
		"$i" "${with[-1]}" "${without[-1]}"
done

mh=$(median "${h[@]}")
ms=$(median "${s[@]}")
msp=$(median "${sp[@]}")
mbp=$(median "${bp[@]}")
mfp=$(median "${fp[@]}")
mw=$(median "${with[@]}")
mo=$(median "${without[@]}")
fail=0
verdict()
{ # verdict LABEL CONDITION
	if awk "BEGIN {exit !($2)}"; then
		echo "PASS  $1"
	else
		echo "FAIL  $1"
		fail=1
	fi
}
echo
verdict "GET /stats p99 $msp ms < 20" "$msp < 20"
verdict "GET /stats $ms/s >= 0.3 x health $mh/s ($(awk -v a="$ms" -v b="$mh" 'BEGIN {printf "%.3f", a / b}'))" "$ms >= 0.3 * $mh"
verdict "GET /stats/by-unit p99 $mbp ms < 50" "$mbp < 50"
echo "info  a fresh figure (no cache): p99 $mfp ms"
verdict "POST /visits with upkeep $mw/s >= 0.8 x without $mo/s ($(awk -v a="$mw" -v b="$mo" 'BEGIN {printf "%.3f", a / b}'))" "$mw >= 0.8 * $mo"
exit $fail
