#!/usr/bin/env bash
# make seed N=1000000: fill a running instance (VAR) with N realistic
# records in bulk (scripts/seed.sql), for measuring at scale.  Not for a
# real instance: the records are made up.  N is at most 2,000,000.
set -euo pipefail
. "$(dirname "$0")/env.sh"

N=${N:?set N, the number of records}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 100 ] && [ "$N" -le 2000000 ] || {
	echo "seed: N must be a number from 100 to 2000000" >&2
	exit 1
}
start=$(date +%s)
sql swn <<'EOF2'
DROP TABLE IF EXISTS seed_pool;
CREATE TABLE seed_pool (
	col VARCHAR(64) NOT NULL,
	n INT NOT NULL,
	enc VARBINARY(96) NOT NULL,
	idx BINARY(16) NOT NULL,
	PRIMARY KEY (col, n)
) ENGINE = InnoDB;
EOF2
# Sealing takes the keys: the worker fills the pool as swn_app.
SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
	SWN_PII_KEYS_FILE=$PII_KEYS "$WORKER_BIN" seed-pool
echo "seed: inserting $N records"
{
	echo "SET @n = $N;"
	cat "$ROOT/scripts/seed.sql"
} | sql swn >/dev/null
sql swn -e 'DROP TABLE seed_pool'
sql swn -e "SELECT 'visits', COUNT(*) FROM visits UNION ALL
	SELECT 'safe_returns', COUNT(*) FROM safe_returns UNION ALL
	SELECT 'wage_case_workers', COUNT(*) FROM wage_case_workers UNION ALL
	SELECT 'wage_recoveries', COUNT(*) FROM wage_recoveries UNION ALL
	SELECT 'fair_registrations', COUNT(*) FROM fair_registrations UNION ALL
	SELECT 'fair_placements', COUNT(*) FROM fair_placements" |
	awk '{printf "seed: %-20s %9d rows\n", $1, $2}'
echo "seed: done in $(($(date +%s) - start)) s"
