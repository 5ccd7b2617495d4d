#!/usr/bin/env bash
# make run: start everything, wait, and stop everything on Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/env.sh"

stopping()
{
	trap '' INT TERM # a second Ctrl-C must not cut the shutdown short
	[ -z "${sleeper:-}" ] || kill "$sleeper" 2>/dev/null || true
	echo
	"$ROOT/scripts/stop.sh"
}
trap stopping EXIT
trap 'exit 130' INT TERM

"$ROOT/scripts/start.sh"
echo "Open http://127.0.0.1:$PORT/ - Ctrl-C stops everything."
# The services run in their own sessions; this shell only waits for Ctrl-C.
while :; do
	sleep 3600 &
	sleeper=$!
	wait "$sleeper" || true
done
