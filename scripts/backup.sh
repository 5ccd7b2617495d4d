#!/usr/bin/env bash
# make backup VAR=... OUT=FILE: a consistent copy of database swn while the
# service runs (mariadb-dump --single-transaction: one InnoDB snapshot, no
# table locked), compressed, mode 0600, written through FILE.partial so a
# failed backup never leaves a file that looks whole.
#
# The personal-data key file is NOT in the backup, on purpose: sealed ID
# numbers and phones stay sealed in it, and a stolen backup reveals nobody.
# Keep a copy of $PII_KEYS apart from the backups; `make restore` needs both
# (docs/personal-data.md, docs/DEPLOY.md).
#
# When the server keeps a binary log, the dump also records its GTID
# position (a commented SET GLOBAL gtid_slave_pos line), so the same file
# can seed a new replica (scripts/replica-start.sh).
set -euo pipefail
. "$(dirname "$0")/env.sh"

out=${OUT:-}
if [ -z "$out" ]; then
	echo "backup: say where: make backup VAR=... OUT=file.sql.gz" >&2
	exit 2
fi
if ! pid_alive mariadb mariadbd; then
	echo "backup: the database of $VAR is not running (make start VAR=$VAR)" >&2
	exit 1
fi

gtid=()
if [ "$(sql -e 'SELECT @@log_bin')" = 1 ]; then
	gtid=(--gtid --master-data=2)
fi
keys=$(sql swn -e 'SELECT GROUP_CONCAT(id ORDER BY id) FROM pii_keys
	WHERE id <> 0 AND retired_at IS NULL' 2>/dev/null || true)

umask 077
tmp=$out.partial
rm -f "$tmp"
# --hex-blob: sealed values are bytes, written as hex so that no client
# character set can alter them on the way back in.
mariadb-dump --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" \
	--default-character-set=utf8mb4 --single-transaction --quick \
	--hex-blob --routines --triggers "${gtid[@]}" --databases swn |
	gzip -6 >"$tmp"
# The dump's last line says it completed; a dump cut short lacks it.
if ! gzip -dc "$tmp" | tail -n 1 | grep -q '^-- Dump completed'; then
	echo "backup: the dump is incomplete; nothing written to $out" >&2
	rm -f "$tmp"
	exit 1
fi
sync "$tmp"
mv "$tmp" "$out"
echo "backup: $out ($(wc -c <"$out") bytes)"
echo "backup: its personal data open only with the key file holding" \
	"key(s) ${keys:-?} and the index key, now $PII_KEYS: keep a copy of" \
	"that file apart from this backup"
