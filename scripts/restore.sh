#!/usr/bin/env bash
# make restore VAR=... FROM=FILE [KEYS=KEYFILE]: a backup of scripts/backup.sh
# into a fresh instance, which is left stopped (`make start VAR=...` serves
# it).
#
# A backup holds the personal data sealed, and only its key file opens
# them (docs/personal-data.md): the restore needs both.  KEYS names the
# copy kept apart from the backups; it becomes $PII_KEYS.  Without KEYS,
# a key file already at $PII_KEYS is used.  Without either, nothing is
# done.  After loading, `swn-worker check-keys` must find that the key file
# opens the data, or the restore fails and says which key is missing.
#
# Migrations newer than the backup are applied, as on every start; the
# workers' database account gets a new password.
set -euo pipefail
. "$(dirname "$0")/env.sh"

from=${FROM:-}
keys=${KEYS:-}
if [ -z "$from" ] || [ ! -r "$from" ]; then
	echo "restore: say which backup: make restore VAR=... FROM=file" \
		"KEYS=keyfile ('$from' is not readable)" >&2
	exit 2
fi
# Only into a fresh instance: an instance's data are never overwritten.
if [ -d "$DB_DIR/swn" ]; then
	echo "restore: $VAR already holds a database; restore goes into a" \
		"fresh instance (another VAR, or stop this one and move" \
		"$VAR away first)" >&2
	exit 1
fi
if [ -n "$keys" ]; then
	if [ ! -r "$keys" ]; then
		echo "restore: cannot read the key file KEYS=$keys" >&2
		exit 2
	fi
	if [ -e "$PII_KEYS" ] && ! cmp -s "$keys" "$PII_KEYS"; then
		echo "restore: $PII_KEYS exists and differs from $keys;" \
			"not replaced" >&2
		exit 1
	fi
elif [ ! -s "$PII_KEYS" ]; then
	echo "restore: the backup's personal data open only with its key" \
		"file, and there is none at $PII_KEYS: give it with" \
		"KEYS=path (the copy kept apart from the backups)" >&2
	exit 2
fi
if ! gzip -dc -f "$from" | tail -n 1 | grep -q '^-- Dump completed'; then
	echo "restore: $from is not a complete backup of scripts/backup.sh" >&2
	exit 1
fi

mkdir -p "$SECRETS"
chmod 0700 "$SECRETS"
if [ -n "$keys" ] && [ ! -e "$PII_KEYS" ]; then
	(umask 077 && cp "$keys" "$PII_KEYS.new")
	mv "$PII_KEYS.new" "$PII_KEYS"
fi

started=
if ! pid_alive mariadb mariadbd; then
	"$ROOT/scripts/db-init.sh"
	"$ROOT/scripts/db-start.sh"
	started=1
fi
stop_db()
{
	[ -z "$started" ] || stop_pid mariadb mariadbd TERM 120 >/dev/null
}
trap stop_db EXIT

echo "restore: loading $from"
gzip -dc -f "$from" | sql --binary-mode
"$ROOT/scripts/migrate.sh"
if ! SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
	SWN_PII_KEYS_FILE=$PII_KEYS "$WORKER_BIN" check-keys; then
	echo "restore: the data are loaded into $VAR, but $PII_KEYS does not" \
		"open them (see above): the workers would refuse to start." \
		"Restore the right key file there." >&2
	exit 1
fi
echo "restore: done; make start VAR=$VAR serves it"
