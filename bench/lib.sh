# shellcheck shell=bash
# Sourced by the benches (bench/*.sh) after scripts/env.sh or on its own:
# what they share.  Defines functions only.

# median NUMBER...: the median; of an even count, the mean of the middle two.
median()
{
	printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1}
		END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# wrk_rate WHAT ARGS...: one wrk run with ARGS; prints its Requests/sec.
# Non-2xx answers would make a fast failure look like throughput: they
# print "WHAT: errors:" and wrk's report to stderr, and fail.
wrk_rate()
{
	local what=$1 o
	shift
	o=$(wrk "$@")
	if grep -q 'Non-2xx' <<<"$o"; then
		echo "$what: errors:" >&2
		echo "$o" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ {print $2}' <<<"$o"
}
