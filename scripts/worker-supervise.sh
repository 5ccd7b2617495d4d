#!/usr/bin/env bash
# The worker's supervisor: worker-start.sh starts it (in a session of its
# own) instead of the worker, and it runs $WORKER_BIN as its child with the
# environment it was given.
#
#   usage: worker-supervise.sh NAME
#
# The child's pid goes to $PIDS/NAME.pid (what stop.sh, rotate-keys.sh and
# the tests signal), the supervisor's own to $PIDS/NAME-supervisor.pid.
#
# When the worker dies -- killed by a signal: kill -9, a crash, the kernel's
# out-of-memory killer -- it is started again at once, without anyone
# running a command.  Meanwhile nginx answers 503 with a problem document
# (its 502 for a refused connection is mapped to 503).  A worker that exits
# by itself with status 0 drained after a SIGTERM (make stop, or anyone
# stopping it on purpose) and is not started again.  Any other status is a
# refusal to start (a missing key, a bad setting, no database within a
# minute): from the first worker it is final, and worker-start.sh shows
# why; from a worker started again after a death, whose setup served
# before, it is taken for a passing cause (the database still away) and
# the worker is started again.  A worker that keeps ending within two
# seconds of its start is started again at once twice, then after a growing
# pause (1 s more each time, at most 10 s), so a crash at start does not
# spin.
#
# SIGTERM or SIGINT to the supervisor stops supervising: the signal passes
# to the worker, which drains, and the supervisor exits after it.
set -uo pipefail
. "$(dirname "$0")/env.sh"

name=${1:?usage: worker-supervise.sh NAME}
pidfile=$PIDS/$name.pid
child=
stopping=
restarted=

say()
{
	echo "worker-supervise: $*"
}
on_stop()
{
	stopping=1
	[ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true
}
trap on_stop TERM INT

# All of it in a function, which bash reads whole before running it: a
# checkout that rewrites this file under a running supervisor cannot
# change what it does.
supervise()
{
	echo $$ >"$PIDS/$name-supervisor.pid"
	quick=0
	while :; do
		started=$SECONDS
		"$WORKER_BIN" </dev/null &
		child=$!
		# A signal that came before $! was set reached no child.
		[ -z "$stopping" ] || kill -TERM "$child" 2>/dev/null
		# Written whole, then renamed: a reader never sees half a number.
		echo "$child" >"$pidfile.new"
		mv -f "$pidfile.new" "$pidfile"
		# `wait` also returns when a trapped signal arrives: then the child
		# still runs (or is not yet reaped), and is waited for again.
		while :; do
			wait "$child" 2>/dev/null # no "Killed" line of bash's own
			rc=$?
			kill -0 "$child" 2>/dev/null || break
		done
		[ -z "$stopping" ] || break
		if [ "$rc" -eq 0 ] ||
			{ [ "$rc" -le 128 ] && [ -z "$restarted" ]; }; then
			say "worker $child exited with status $rc; not starting it again"
			break
		fi
		restarted=1
		if [ $((SECONDS - started)) -lt 2 ]; then
			quick=$((quick + 1))
		else
			quick=0
		fi
		if [ "$rc" -gt 128 ]; then
			why="died of signal $((rc - 128))"
		else
			why="exited with status $rc"
		fi
		pause=$((quick <= 2 ? 0 : (quick - 2 > 10 ? 10 : quick - 2)))
		if [ "$pause" -eq 0 ]; then
			say "worker $child $why; starting it again"
		else
			say "worker $child $why within 2 s of its start," \
				"$quick times in a row; starting it again in $pause s"
			sleep "$pause" &
			wait $! # returns early on SIGTERM
			kill $! 2>/dev/null
			[ -z "$stopping" ] || break
		fi
	done
	rm -f "$PIDS/$name-supervisor.pid"
}
supervise
exit 0
