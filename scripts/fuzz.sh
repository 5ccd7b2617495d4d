#!/usr/bin/env bash
# make fuzz (after make fuzz-build): every libFuzzer target in build/fuzz/
# for FUZZ_SECONDS, one after the other (one core each), each starting from
# its committed seeds in tests/fuzz/corpus/NAME/ and from what earlier runs
# found (build/fuzz/corpus/NAME/, not committed).  A crash, leak or timeout
# leaves its input in build/fuzz/crashes/ and fails the run.
#
#   FUZZ_SECONDS   per target (default 60)
#   FUZZ_TARGETS   names to run (default: every build/fuzz/fuzz_*)
#
# Ends with one line per target: executions, executions per second, edges
# covered (cov), features (ft), corpus size, crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-60}
out=build/fuzz
mkdir -p "$out/crashes" "$out/logs"
if [ -n "${FUZZ_TARGETS:-}" ]; then
	read -r -a targets <<<"$FUZZ_TARGETS"
else
	targets=()
	for b in "$out"/fuzz_*; do
		[ -x "$b" ] && [ "${b%.d}" = "$b" ] && targets+=("$(basename "$b")")
	done
fi
[ ${#targets[@]} -gt 0 ] || {
	echo "fuzz: no targets in $out (make fuzz-build)" >&2
	exit 1
}

summary=()
failed=0
for t in "${targets[@]}"; do
	seeds=tests/fuzz/corpus/$t
	work=$out/corpus/$t
	log=$out/logs/$t.log
	mkdir -p "$work"
	args=(-max_total_time="$secs" -print_final_stats=1 -timeout=10
		-rss_limit_mb=2048 -artifact_prefix="$out/crashes/$t-")
	[ ! -f "tests/fuzz/$t.dict" ] || args+=(-dict="tests/fuzz/$t.dict")
	[ ! -f "tests/fuzz/$t.options" ] || read -r -a opts <"tests/fuzz/$t.options"
	echo "== $t: $secs s"
	rc=0
	# The work corpus first: libFuzzer adds what it finds to that one.
	"$out/$t" "${args[@]}" ${opts[@]+"${opts[@]}"} "$work" "$seeds" \
		>"$log" 2>&1 || rc=$?
	unset opts
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	crashes=0
	if [ $rc -ne 0 ]; then
		crashes=1
		failed=1
		echo "fuzz: $t failed (exit $rc); the end of $log:" >&2
		tail -n 40 "$log" >&2
	fi
	summary+=("$(printf '%-14s %5ss %11s runs %7s/s  cov %5s  ft %6s  corpus %5s  crashes %s' \
		"$t" "$secs" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" \
		"${corp:-?}" "$crashes")")
done
echo
printf '%s\n' "${summary[@]}"
exit $failed
