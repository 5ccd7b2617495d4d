#!/usr/bin/env bash
# make chaos (after deps and build): the crash test of
# tests/api/chaos.serial.test.mjs at length, on a private stack on a free
# port: writers under MariaDB killed -9 CHAOS_DB_KILLS times (default 5)
# and the worker killed -9 CHAOS_WORKER_KILLS times (default 3; the last
# one while MariaDB is down), CHAOS_WRITERS writers (default 6).  Ends with
# the test's line "acknowledged N, lost 0, duplicated 0 (...)"; exits 1
# when anything was lost, duplicated or half-written.  The stack's VAR
# (var/chaos-PORT) is removed when the test passed, kept otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/env.sh
unset MAKEFLAGS MFLAGS MAKELEVEL

PORT=$(node -e 'const s = require("net").createServer();
	s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
VAR=$ROOT/var/chaos-$PORT
ADMIN_PASSWORD=$(rand_str 20)
export PORT VAR ADMIN_PASSWORD
. scripts/env.sh # paths for the new VAR
export BASE_URL=http://127.0.0.1:$PORT SWN_VAR=$VAR SWN_PORT=$PORT SWN_ROOT=$ROOT
export CHAOS_DB_KILLS=${CHAOS_DB_KILLS:-5} CHAOS_WORKER_KILLS=${CHAOS_WORKER_KILLS:-3}
export CHAOS_OVERLAP=${CHAOS_OVERLAP:-1} CHAOS_WRITERS=${CHAOS_WRITERS:-6}
summary=$(mktemp)
export CHAOS_SUMMARY=$summary

rc=0
cleanup()
{
	trap - EXIT INT TERM
	scripts/stop.sh >/dev/null || true
	if [ $rc -eq 0 ]; then
		rm -rf "$VAR"
	else
		echo "chaos: kept $VAR"
	fi
	echo
	if [ -s "$summary" ]; then
		cat "$summary"
	else
		echo "chaos: no summary (the test did not get to its checks)"
	fi
	rm -f "$summary"
	exit $rc
}
trap cleanup EXIT
trap 'rc=130; exit 130' INT TERM

echo "== starting a stack at $BASE_URL (VAR=$VAR)"
rm -rf "$VAR"
scripts/start.sh || {
	rc=1
	exit 1
}
timeout -k 10 3600 node --test --test-reporter=spec \
	tests/api/chaos.serial.test.mjs || rc=1
