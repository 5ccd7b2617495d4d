#!/usr/bin/env bash
# A read replica of this instance's database, in $VAR/replica, following
# the primary by GTID (docs/DEPLOY.md).  Used by make test-cluster; the
# same steps add a replica to a running deployment.
#
# The primary must run with a binary log and on TCP (scripts/db-start.sh
# with DB_SERVER_ID and DB_PORT).  The first call seeds the replica from
# a backup of the primary (scripts/backup.sh, which records the GTID
# position of its snapshot), points it at the primary and starts
# replication; later calls only start it.  Its own binary log is kept
# (log-slave-updates), so it can be promoted.
#
#   REPLICA_SERVER_ID  its server id (default 2)
#   REPLICA_PORT       also listen on 127.0.0.1:REPLICA_PORT (default: the
#                      socket only; the workers use SWN_DB_REPLICA_SOCKET)
set -euo pipefail
. "$(dirname "$0")/env.sh"

rvar=$VAR/replica
# Paths of the replica: scripts/env.sh for its VAR.
rsock=$(VAR=$rvar && . "$ROOT/scripts/env.sh" && echo "$DB_SOCK")
rsql()
{
	# sql_log_bin=0: what the seeding writes must not enter the
	# replica's own binary log as its transactions.
	SQL_SOCK=$rsock sql --init-command='SET SESSION sql_log_bin = 0' "$@"
}

# Start it: the same db-init/db-start as any instance, as a replica.
VAR=$rvar DB_SERVER_ID=${REPLICA_SERVER_ID:-2} DB_READ_ONLY=1 \
	DB_PORT=${REPLICA_PORT:-} "$ROOT/scripts/db-init.sh"
VAR=$rvar DB_SERVER_ID=${REPLICA_SERVER_ID:-2} DB_READ_ONLY=1 \
	DB_PORT=${REPLICA_PORT:-} "$ROOT/scripts/db-start.sh"
if [ -f "$rvar/seeded" ]; then
	exit 0
fi

read -r log_bin port <<<"$(sql -e 'SELECT @@log_bin, @@port * (1 - @@skip_networking)')"
if [ "$log_bin" != 1 ] || [ "$port" = 0 ]; then
	echo "replica-start: the primary of $VAR needs a binary log and TCP" \
		"(start it with DB_SERVER_ID and DB_PORT)" >&2
	exit 1
fi

# The replication account on the primary, with its own password.
mkdir -p "$SECRETS"
pwfile=$SECRETS/repl_password
[ -s "$pwfile" ] || (umask 077 && rand_str 32 >"$pwfile")
pw=$(cat "$pwfile")
app_pw=$(cat "$SECRETS/db_password")
[[ $pw =~ ^[A-Za-z0-9]+$ && $app_pw =~ ^[A-Za-z0-9]+$ ]] || {
	echo "replica-start: passwords must be [A-Za-z0-9]" >&2
	exit 1
}
sql <<SQL
CREATE USER IF NOT EXISTS 'swn_repl'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'swn_repl'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT REPLICATION SLAVE ON *.* TO 'swn_repl'@'127.0.0.1';
SQL

# Seed from a consistent backup and its GTID position.
seed=$rvar/seed.sql.gz
OUT=$seed "$ROOT/scripts/backup.sh" >/dev/null
pos=$(gzip -dc "$seed" |
	sed -n "s/^-- SET GLOBAL gtid_slave_pos='\([0-9,-]*\)';$/\1/p")
if [ -z "$pos" ]; then
	echo "replica-start: the backup records no GTID position" >&2
	exit 1
fi
gzip -dc "$seed" | rsql --binary-mode
rm -f "$seed"
# The workers' account, reading only; SLAVE MONITOR lets them see the lag.
rsql <<SQL
CREATE USER IF NOT EXISTS 'swn_app'@'localhost' IDENTIFIED BY '$app_pw';
GRANT SELECT ON swn.* TO 'swn_app'@'localhost';
GRANT SLAVE MONITOR ON *.* TO 'swn_app'@'localhost';
STOP SLAVE;
SET GLOBAL gtid_slave_pos = '$pos';
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $port,
	MASTER_USER = 'swn_repl', MASTER_PASSWORD = '$pw',
	MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
START SLAVE;
SQL

status()
{
	mariadb --no-defaults --socket="$rsock" -u "$DB_ADMIN" \
		-e 'SHOW SLAVE STATUS\G'
}
running()
{
	[ "$(status | grep -cE '^ *Slave_(IO|SQL)_Running: Yes$')" = 2 ]
}
if ! wait_until 60 running; then
	echo "replica-start: replication did not start:" >&2
	status | grep -E 'Running|Error' >&2
	exit 1
fi
touch "$rvar/seeded"
echo "replica-start: $rvar follows the primary from GTID $pos"
