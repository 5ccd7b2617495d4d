#!/usr/bin/env bash
# POST /visits is the hottest write of the campaign (hundreds of outboxes
# emptying when the network returns).  How close does it come to what the
# database itself does?  On one fresh instance, alternates
#
#   - wrk: durable POST /api/v1/visits at CONNS connections, as a signed-in
#     volunteer, a valid visit with a fresh Idempotency-Key each time
#     (bench/visits.lua): the session, the idempotency claim, the row, its
#     audit row and the stored answer, committed with
#     innodb_flush_log_at_trx_commit=1, as in production;
#   - mariadb-slap: raw one-row INSERT commits (autocommit) of the same row
#     into a copy of the visits table, CONNS connections, on the same
#     MariaDB, sized to run about as long as the wrk run before it.
#
# Prints every rate and the ratio of the medians (POST / INSERT); PASS when
# it is at least 0.5.  Afterwards it checks that the visits table holds at
# least one row per POST wrk counted (none lost, none refused).
#
#   ROUNDS, DURATION, CONNS   default 3, 10s and 64
#   BENCH_WORKERS             worker threads, default 64: one per connection,
#                             as mariadb-slap has one connection per client
#   VISITS_PORT               default 18392 (bench/run.sh uses 18380-18381,
#                             bench/pii.sh 18390-18391)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
PORT=${VISITS_PORT:-18392}
export VAR=$ROOT/var/bench-visits PORT WORKERS=${BENCH_WORKERS:-64}
. scripts/env.sh
. bench/lib.sh
PW=bench-$(rand_str 24)
NONCE=$(rand_str 12)
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
# address (nginx-conf, "Limits per address": every write 30 a second)
# would cut: this instance lifts them, to measure the worker and the
# database.
ADMIN_PASSWORD=$PW RATE=100000r/s BURST=100000 WRITE_RATE=100000r/s WRITE_BURST=100000 \
	scripts/start.sh >/dev/null

# login USER PASSWORD: prints the session token.
login()
{
	curl -sf -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$2\"}" "$BASE/auth/login" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# The volunteer of a town, signed in like a phone would be.
admin=$(login admin "$PW")
unit=$(sql swn -e "SELECT id FROM units WHERE kind = 'town' ORDER BY id LIMIT 1")
curl -sf -o /dev/null -H "Authorization: Bearer $admin" \
	-H 'Content-Type: application/json' \
	-d "{\"username\":\"bench_volunteer\",\"password\":\"$PW\",
	     \"display_name\":\"基准志愿者\",\"role\":\"volunteer\",
	     \"unit_id\":$unit}" "$BASE/users"
token=$(login bench_volunteer "$PW")
user=$(sql swn -e "SELECT id FROM users WHERE username = 'bench_volunteer'")
[ -n "$token" ] && [ -n "$user" ] || {
	echo "bench-visits: could not sign the volunteer in" >&2
	exit 1
}

# The same row as the POST stores, into a copy of the table (no foreign
# keys, which LIKE does not copy; the POST's row checks two).
# mariadb-slap wants the statement on one line.
insert="INSERT INTO visits (unit_id, visited_on, kind, category, people_count,"
insert+=" cash_amount, goods_value, note, created_by, created_at, updated_at)"
insert+=" VALUES ($unit, '2021-01-20', 'worker', 'C7', 2, 50000, 12050,"
insert+=" 'bench', $user, NOW(), NOW())"

# post: one wrk run; prints "rate requests".  A non-2xx answer aborts.
post()
{
	local o
	o=$(wrk -t2 -c"$CONNS" -d"$DURATION" -s bench/visits.lua \
		"$BASE/visits" -- "$token" "$NONCE-$1")
	if grep -q 'Non-2xx\|Socket errors' <<<"$o"; then
		echo "bench-visits: errors from POST /visits:" >&2
		echo "$o" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ {r = $2} / requests in / {n = $1}
		END {print r, n}' <<<"$o"
}

# slap QUERIES: one mariadb-slap run of QUERIES inserts; prints the rate.
slap()
{
	local o s
	o=$(mariadb-slap --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" \
		--concurrency="$CONNS" --iterations=1 \
		--number-of-queries="$1" --create-schema=swn_bench_slap \
		--create="CREATE TABLE visits LIKE swn.visits" \
		--query="$insert")
	s=$(awk '/Average number of seconds to run all queries/ {print $(NF-1)}' \
		<<<"$o")
	awk -v q="$1" -v s="$s" 'BEGIN {printf "%.1f", q / s}'
}

p=() m=()
sent=0
for i in $(seq "$ROUNDS"); do
	read -r rate n < <(post "$i")
	p+=("$rate")
	sent=$((sent + n))
	# As long as the POSTs ran, about, and at least 20 per connection.
	q=$(awk -v r="$rate" -v d="${DURATION%s}" -v c="$CONNS" 'BEGIN {
		q = int(r * d / c + 1) * c; print (q < 20 * c) ? 20 * c : q }')
	m+=("$(slap "$q")")
	printf 'round %d: POST /visits %8.1f req/s   INSERT commits %8.1f /s\n' \
		"$i" "${p[-1]}" "${m[-1]}"
done

stored=$(sql swn -e "SELECT COUNT(*) FROM visits WHERE created_by = $user")
# wrk stops counting at the end of a run with up to CONNS requests still
# in flight; the server finishes those too.
if [ "$stored" -lt "$sent" ] || [ "$stored" -gt $((sent + CONNS * ROUNDS)) ]; then
	echo "bench-visits: wrk counted $sent POSTs, the table holds $stored" >&2
	exit 1
fi
echo "stored $stored visits for $sent POSTs answered 201"
mp=$(median "${p[@]}")
mm=$(median "${m[@]}")
verdict=$(awk -v a="$mp" -v b="$mm" \
	'BEGIN {r = a / b; printf "ratio %.3f  %s", r, (r >= 0.5) ? "PASS" : "FAIL"}')
echo "POST /visits at $CONNS connections: median $mp req/s; one-row INSERT" \
	"commits: median $mm /s: $verdict (>= 0.5)"
[[ $verdict == *PASS ]]
