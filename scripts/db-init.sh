#!/usr/bin/env bash
# Create the private MariaDB data directory $VAR/db, once.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -d "$DB_DIR/mysql" ] && exit 0

mkdir -p "$LOGS"
echo "db-init: creating $DB_DIR"
# As root, mariadbd must run as root too: the checkout may sit in a 0700
# directory (a clone under /root) that the mysql user cannot enter.  The
# second socket-authenticated superuser is whoever runs these scripts.
# Install under a temporary name so an interrupted run is redone next time.
rm -rf "$DB_DIR.new"
if ! mariadb-install-db --no-defaults --datadir="$DB_DIR.new" \
	--skip-test-db --auth-root-authentication-method=socket \
	--auth-root-socket-user="$DB_ADMIN" --user="$DB_ADMIN" \
	>"$LOGS/db-init.log" 2>&1; then
	cat "$LOGS/db-init.log" >&2
	exit 1
fi
mv "$DB_DIR.new" "$DB_DIR"
