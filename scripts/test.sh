#!/usr/bin/env bash
# make test (after deps and build): format check, C unit tests, then a
# private stack on a free port for the API tests, the browser tests and the
# serial API tests (kill -9 of the database, rate-limit floods).  Ends with
# the line "N passed, N failed" over every suite.
#
# make test-asan runs it with WORKER_BIN naming the sanitized worker,
# UNIT_DIR=build/asan (the sanitized unit tests) and SWN_SANITIZED=1: the
# stack is then stopped before the end, so the worker exits and reports
# leaks, and any AddressSanitizer, LeakSanitizer or UBSan report in its
# logs fails the suite "sanitizers".
#
# The node tests get BASE_URL, ADMIN_PASSWORD, SWN_VAR, SWN_PORT, SWN_ROOT
# and SWN_CHROMIUM; VAR and PORT are exported too, so a test that kills a
# part of the stack brings it back with `make -C "$SWN_ROOT" start` or
# "$SWN_ROOT/scripts/start.sh".  The stack is stopped at the end; its VAR is
# removed when everything passed and kept (logs printed) otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/env.sh

# Command-line variables of the calling make travel in MAKEFLAGS and would
# override the test instance's VAR and PORT in any make a test runs.
unset MAKEFLAGS MFLAGS MAKELEVEL

pass=0 fail=0 skip=0
results=()
note()
{ # note SUITE PASSED FAILED [SKIPPED]
	pass=$((pass + $2))
	fail=$((fail + $3))
	skip=$((skip + ${4:-0}))
	results+=("$(printf '%-34s %4d passed %4d failed' "$1" "$2" "$3")")
}

out=$(mktemp -d)
stack_up=
cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$stack_up" ]; then
		scripts/stop.sh >/dev/null || true
	fi
	if [ $fail -eq 0 ] && [ $rc -eq 0 ]; then
		[ -z "$stack_up" ] || rm -rf "$VAR"
	elif [ -n "$stack_up" ]; then
		echo
		echo "test: kept $VAR; the end of its logs:"
		for f in "$VAR"/log/{mariadb,worker}.log "$VAR"/nginx/error.log; do
			[ -s "$f" ] || continue
			echo "==> $f <=="
			tail -n 40 "$f"
		done
	fi
	rm -rf "$out"
	echo
	printf '%s\n' "${results[@]}"
	[ $rc -eq 0 ] || [ $fail -gt 0 ] || fail=1
	if [ $skip -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ $fail -eq 0 ] || exit 1
	exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- format -------------------------------------------------------------
echo "== fmt-check"
if make --no-print-directory fmt-check; then
	note fmt-check 1 0
else
	note fmt-check 0 1
fi

# --- C unit tests (cmocka) ---------------------------------------------
# cmocka ends each group with "[  PASSED  ] N test(s)." and, when some
# failed, "[  FAILED  ] N test(s), listed below:".
for t in "${UNIT_DIR:-build}"/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	rc=0
	CMOCKA_MESSAGE_OUTPUT=STDOUT timeout -k 5 300 "$t" 2>&1 |
		tee "$out/unit" || rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out/unit" |
		awk '{s += $1} END {print s + 0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out/unit" |
		awk '{s += $1} END {print s + 0}')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$out/unit" |
		awk '{s += $1} END {print s + 0}')
	# A crash prints no summary: count the binary as one failure.
	[ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1
	# UBSan reports and goes on: under make test-asan a report fails.
	if [ -n "${SWN_SANITIZED:-}" ] && [ "$f" -eq 0 ] &&
		grep -q -E 'runtime error:|ERROR: (Address|Leak)Sanitizer' "$out/unit"; then
		f=1
	fi
	note "$t" "$p" "$f" "$s"
done

# --- node suites --------------------------------------------------------
# run_node SUITE FILE...: node's test runner, readable output on the
# terminal and TAP in a file whose closing "# pass N" / "# fail N" lines are
# counted.  A run that hangs is stopped after 25 minutes.
run_node()
{
	local suite=$1 rc=0 p f c s
	shift
	echo "== $suite: $*"
	timeout -k 10 1500 node --test \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$out/tap" \
		"$@" || rc=$?
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$out/tap" | tail -n 1)
	f=$((${f:-0} + ${c:-0}))
	[ $rc -eq 0 ] || [ $f -gt 0 ] || f=1
	note "$suite" "${p:-0}" "$f" "${s:-0}"
	rm -f "$out/tap"
}

# The file lists are explicit: *.serial.test.mjs must stay out of the
# parallel run (and node >= 21 reads directory arguments differently).
list()
{
	[ -d "$1" ] || return 0
	find "$1" -type f \( -name '*.test.mjs' -o -name '*.test.js' \) \
		"${@:2}" | LC_ALL=C sort
}
mapfile -t api < <(list tests/api ! -name '*.serial.test.*')
mapfile -t browser < <(list tests/browser)
mapfile -t serial < <(list tests/api -name '*.serial.test.*')

# --- a private stack on a free port -----------------------------------
PORT=$(node -e 'const s = require("net").createServer();
	s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
VAR=$ROOT/var/test-$PORT
ADMIN_PASSWORD=$(rand_str 20)
export PORT VAR ADMIN_PASSWORD
. scripts/env.sh # paths for the new VAR
export BASE_URL=http://127.0.0.1:$PORT SWN_VAR=$VAR SWN_PORT=$PORT \
	SWN_ROOT=$ROOT SWN_CHROMIUM=${SWN_CHROMIUM:-$(command -v chromium || true)}

echo "== starting a stack at $BASE_URL (VAR=$VAR)"
rm -rf "$VAR"
stack_up=1
if ! scripts/start.sh; then
	note "start the test stack" 0 1
	exit 1
fi

if [ ${#api[@]} -gt 0 ]; then
	run_node "api" "${api[@]}"
fi
if [ ${#browser[@]} -gt 0 ]; then
	run_node "browser" "${browser[@]}"
fi
# One file at a time, each in its own run: these tests kill and restart
# parts of the stack or flood it, which would break anything beside them.
for t in "${serial[@]}"; do
	run_node "serial $(basename "$t")" "$t"
done

# --- sanitizer reports (make test-asan) --------------------------------
# Every worker of the run logs to $LOGS (the serial tests restart it);
# stopping the stack lets the last one exit and LeakSanitizer report.
if [ -n "${SWN_SANITIZED:-}" ]; then
	echo "== sanitizer reports in $LOGS"
	scripts/stop.sh >/dev/null || true
	# A run against an uninstrumented worker would find nothing.
	if ! grep -q __asan_init "$WORKER_BIN"; then
		echo "test: $WORKER_BIN is not built with AddressSanitizer" >&2
		note sanitizers 0 1
	elif grep -n -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: AddressSanitizer' \
		"$LOGS"/*.log; then
		note sanitizers 0 1
	else
		note sanitizers 1 0
	fi
fi
