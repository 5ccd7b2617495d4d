#!/usr/bin/env bash
# make test-cluster (after deps and build; .ci/run runs it after make
# test): the deployment of docs/DEPLOY.md in miniature, on 127.0.0.1:
#
#   MariaDB with a binary log, on TCP, and a second MariaDB following it
#   as a real replica (scripts/replica-start.sh: seeded from a backup,
#   GTID replication);
#   two worker processes on TCP ports (worker-a, worker-b), each reading
#   stale-tolerant lists and statistics from the replica;
#   one nginx whose upstream holds both workers.
#
# Then tests/cluster/*.test.mjs, one file at a time (each kills or stops
# parts of the cluster): failover, the replica, backup and restore.  Ends
# with "N passed, N failed" like make test.  The cluster is stopped at the
# end; its VAR (var/cluster-PORT) is removed when everything passed.
#
# The node tests get BASE_URL, ADMIN_PASSWORD, SWN_VAR, SWN_PORT,
# SWN_ROOT, SWN_WORKERS ("name=host:port ..."), SWN_REPLICA_VAR, and the
# SWN_DB_REPLICA_* and WORKERS a restarted worker needs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL

pass=0 fail=0
results=()
note()
{ # note SUITE PASSED FAILED
	pass=$((pass + $2))
	fail=$((fail + $3))
	results+=("$(printf '%-34s %4d passed %4d failed' "$1" "$2" "$3")")
}

# Free ports: nginx, the primary's TCP port, and one per worker.
read -r PORT DB_PORT PORT_A PORT_B <<<"$(node -e '
	const net = require("net"); const out = [];
	(async () => {
		const s = [];
		for (let i = 0; i < 4; i++) await new Promise((ok) => {
			const v = net.createServer(); s.push(v);
			v.listen(0, "127.0.0.1", () => { out.push(v.address().port); ok(); });
		});
		s.forEach((v) => v.close());
		console.log(out.join(" "));
	})();')"
VAR=$ROOT/var/cluster-$PORT
# Threads per worker: the failover test holds up to 14 requests at once in
# the two workers, and needs threads free for both kinds it holds.
WORKERS=4
export PORT VAR WORKERS DB_PORT
. scripts/env.sh
ADMIN_PASSWORD=$(rand_str 20)
export ADMIN_PASSWORD
REPLICA_VAR=$VAR/replica
SWN_DB_REPLICA_SOCKET=$(VAR=$REPLICA_VAR && . scripts/env.sh && echo "$DB_SOCK")
# Generous: a loaded test machine may lag for a moment, and the replica
# test holds the replica back on purpose.
SWN_DB_REPLICA_MAX_LAG=120
export SWN_DB_REPLICA_SOCKET SWN_DB_REPLICA_MAX_LAG
SWN_WORKERS="worker-a=127.0.0.1:$PORT_A worker-b=127.0.0.1:$PORT_B"
export BASE_URL=http://127.0.0.1:$PORT SWN_VAR=$VAR SWN_PORT=$PORT \
	SWN_ROOT=$ROOT SWN_WORKERS SWN_REPLICA_VAR=$REPLICA_VAR

out=$(mktemp -d)
stop_cluster()
{
	stop_pid nginx nginx QUIT 15 || true
	stop_worker worker-a 30 || true
	stop_worker worker-b 30 || true
	VAR=$REPLICA_VAR scripts/stop.sh >/dev/null || true
	scripts/stop.sh >/dev/null || true
}
cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	stop_cluster
	if [ $fail -eq 0 ] && [ $rc -eq 0 ]; then
		rm -rf "$VAR"
	else
		echo
		echo "test-cluster: kept $VAR; the end of its logs:"
		for f in "$VAR"/log/*.log "$REPLICA_VAR"/log/*.log \
			"$VAR"/nginx/error.log; do
			[ -s "$f" ] || continue
			echo "==> $f <=="
			tail -n 30 "$f"
		done
	fi
	rm -rf "$out"
	echo
	printf '%s\n' "${results[@]}"
	[ $rc -eq 0 ] || [ $fail -gt 0 ] || fail=1
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ] || exit 1
	exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting a cluster at $BASE_URL (VAR=$VAR)"
rm -rf "$VAR"
start()
{
	scripts/db-init.sh &&
		DB_SERVER_ID=1 scripts/db-start.sh &&
		scripts/migrate.sh &&
		scripts/replica-start.sh &&
		WORKER_NAME=worker-a WORKER_LISTEN=127.0.0.1:$PORT_A \
			scripts/worker-start.sh &&
		WORKER_NAME=worker-b WORKER_LISTEN=127.0.0.1:$PORT_B \
			scripts/worker-start.sh &&
		UPSTREAM="127.0.0.1:$PORT_A 127.0.0.1:$PORT_B" \
			scripts/nginx-start.sh
}
if ! start; then
	note "start the cluster" 0 1
	exit 1
fi

run_node()
{ # run_node FILE: node's test runner; counts the TAP summary lines
	local suite rc=0 p f c
	suite="cluster $(basename "$1")"
	echo "== $suite"
	timeout -k 10 900 node --test \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$out/tap" \
		"$1" || rc=$?
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	f=$((${f:-0} + ${c:-0}))
	[ $rc -eq 0 ] || [ $f -gt 0 ] || f=1
	note "$suite" "${p:-0}" "$f"
	rm -f "$out/tap"
}
mapfile -t files < <(find tests/cluster -name '*.test.mjs' | LC_ALL=C sort)
for t in "${files[@]}"; do
	run_node "$t"
done
