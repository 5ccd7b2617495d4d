#!/usr/bin/env bash
# make rotate-keys: a new personal-data key, while the service runs
# (docs/personal-data.md).
#
#  1. `swn-worker keys add` writes a new key into the key file; being the
#     newest, it is the one that seals from now on.
#  2. The running worker reloads the file (SIGHUP) and says so in its log;
#     until then it would keep sealing under the old key.
#  3. `swn-worker rotate-keys` re-seals every stored value under the new
#     key in short batches, checks that no value is left under an old key,
#     retires the old keys in the database and drops them from the key
#     file (the previous file stays beside it, for old backups).
#  4. The worker reloads again and forgets the retired keys.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -s "$PII_KEYS" ] || {
	echo "rotate-keys: no key file at $PII_KEYS" >&2
	exit 1
}
run_worker_cmd()
{
	SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
		SWN_PII_KEYS_FILE=$PII_KEYS "$WORKER_BIN" "$@"
}

# reload N: HUP the worker and wait for its log to confirm key N seals.
reload()
{
	local from
	pid_alive worker swn-worker || return 0
	from=$(($(wc -c <"$LOGS/worker.log") + 1))
	kill -HUP "$(pid_of worker)"
	confirmed()
	{
		tail -c +"$from" "$LOGS/worker.log" |
			grep -q "keys reloaded; key $1 seals"
	}
	if ! wait_until 30 confirmed "$1"; then
		echo "rotate-keys: the worker did not confirm key $1; see" \
			"$LOGS/worker.log" >&2
		exit 1
	fi
}

"$WORKER_BIN" keys add "$PII_KEYS"
new=$(sed -n 's/^key \([0-9]*\) .*/\1/p' "$PII_KEYS" | sort -n | tail -n 1)
echo "rotate-keys: key $new added"
reload "$new"
run_worker_cmd rotate-keys
reload "$new"
