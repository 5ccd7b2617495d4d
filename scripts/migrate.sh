#!/usr/bin/env bash
# Bring database swn up to date: apply each sql/NNN_*.sql not yet recorded in
# schema_migrations, make sure the application user swn_app exists with DML
# rights only, and create the first admin.  Safe to run again at any time.
#
# Runs as the DB superuser: over $DB_SOCK with socket authentication
# (make start), or over TCP when SWN_DB_HOST is set (docker-compose), with
# the root password read from DB_ROOT_PASSWORD_FILE.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ -n "${SWN_DB_HOST:-}" ]; then
	conn=(--host="$SWN_DB_HOST" --port="${SWN_DB_PORT:-3306}" -u root)
	MYSQL_PWD=$(cat "${DB_ROOT_PASSWORD_FILE:?root password file}")
	export MYSQL_PWD
	app_host=%
else
	conn=(--socket="$DB_SOCK" -u "$DB_ADMIN")
	app_host=localhost
fi

# --no-defaults: no ~/.my.cnf may change where this connects.  utf8mb4 on
# the client too, or Chinese text in migrations would be mangled.
sql()
{
	mariadb --no-defaults "${conn[@]}" --default-character-set=utf8mb4 \
		--batch --skip-column-names "$@"
}

sql <<'EOF'
CREATE DATABASE IF NOT EXISTS swn
	CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE TABLE IF NOT EXISTS swn.schema_migrations (
	version VARCHAR(64) PRIMARY KEY,
	applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
EOF

# The workers' account: created once with a random password kept in
# $VAR/secrets (or the file SWN_DB_PASSWORD_FILE names: a compose secret);
# DML on swn.* only, so a worker bug cannot alter the schema.
mkdir -p "$SECRETS"
chmod 0700 "$SECRETS"
pwfile=${SWN_DB_PASSWORD_FILE:-$SECRETS/db_password}
new_pw=
if [ ! -s "$pwfile" ]; then
	(umask 077 && rand_str 32 >"$pwfile")
	new_pw=1
fi
pw=$(cat "$pwfile")
[[ $pw =~ ^[A-Za-z0-9]+$ ]] || {
	echo "migrate: $pwfile must hold [A-Za-z0-9] only" >&2
	exit 1
}
sql <<EOF
CREATE USER IF NOT EXISTS 'swn_app'@'$app_host' IDENTIFIED BY '$pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON swn.* TO 'swn_app'@'$app_host';
EOF
# On a read replica, the workers read how far behind it is (SHOW SLAVE
# STATUS) before trusting it with a read; granted here, the right reaches
# every replica through replication (docs/DEPLOY.md).
sql -e "GRANT SLAVE MONITOR ON *.* TO 'swn_app'@'$app_host'"
# A new password file for an existing account (secrets/ was deleted):
# the account must follow the file the workers will read.
if [ -n "$new_pw" ]; then
	sql -e "ALTER USER 'swn_app'@'$app_host' IDENTIFIED BY '$pw'"
fi

# The personal-data keys, created on the first start (docs/personal-data.md).
# A lost key file is not replaced silently: a new one would not open the
# data, and the first data step or the worker says so.
if [ ! -e "$PII_KEYS" ]; then
	echo "migrate: creating personal-data keys in $PII_KEYS"
	mkdir -p "$(dirname "$PII_KEYS")"
	"$WORKER_BIN" keys init "$PII_KEYS"
fi

# worker_cmd ARGS...: a data step of a migration, run by the worker binary
# as swn_app with the keys, over the same connection the workers use.
worker_cmd()
{
	if [ -n "${SWN_DB_HOST:-}" ]; then
		env -u MYSQL_PWD SWN_DB_PASSWORD_FILE="$pwfile" \
			SWN_PII_KEYS_FILE="$PII_KEYS" "$WORKER_BIN" "$@"
	else
		SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$pwfile \
			SWN_PII_KEYS_FILE=$PII_KEYS "$WORKER_BIN" "$@"
	fi
}

applied=$(sql swn -e 'SELECT version FROM schema_migrations')
shopt -s nullglob
export LC_ALL=C # glob order = numeric order of the NNN prefix
for f in "$ROOT"/sql/[0-9][0-9][0-9]_*.sql; do
	v=$(basename "$f" .sql)
	# The version goes into SQL text below; allow only harmless characters.
	if ! [[ $v =~ ^[0-9]{3}_[A-Za-z0-9_.-]+$ ]] || [ ${#v} -gt 64 ]; then
		echo "migrate: bad migration file name: $f" >&2
		exit 1
	fi
	grep -qxF "$v" <<<"$applied" && continue
	echo "migrate: applying $v"
	# The client stops at the first error, so a failed migration is not
	# recorded and is retried (after fixing) next time.
	sql swn <"$f"
	# A "-- then: STEP" line names a data step of swn-worker that must
	# run after this file and before the next (see sql/004); it too must
	# succeed before the file counts as applied.
	step=$(sed -n 's/^-- then: \([a-z-]*\)$/\1/p' "$f")
	if [ -n "$step" ]; then
		echo "migrate: $v: swn-worker $step"
		worker_cmd "$step"
	fi
	sql swn -e "INSERT INTO schema_migrations (version) VALUES ('$v')"
done

# The first admin, only while there is none.
has_users=$(sql -e "SELECT COUNT(*) FROM information_schema.tables
	WHERE table_schema = 'swn' AND table_name = 'users'")
if [ "$has_users" = 0 ]; then
	echo "migrate: no users table yet; first admin not created" >&2
	exit 0
fi
[ "$(sql swn -e "SELECT COUNT(*) FROM users WHERE username = 'admin'")" = 0 ] ||
	exit 0

generated=
admin_pw=${ADMIN_PASSWORD:-}
if [ -z "$admin_pw" ]; then
	admin_pw=$(rand_str 16)
	generated=1
fi
if ! hash=$(printf '%s' "$admin_pw" | "$WORKER_BIN" hash-password); then
	echo "migrate: $WORKER_BIN hash-password failed" >&2
	exit 1
fi
# The hash is spliced into SQL, so it must be exactly the argon2id encoding.
if ! [[ $hash =~ ^\$argon2id\$[A-Za-z0-9\$=,+/.-]+$ ]]; then
	echo "migrate: hash-password printed no argon2id hash" >&2
	exit 1
fi
sql swn <<EOF
INSERT INTO users (username, password_hash, display_name, role, unit_id)
VALUES ('admin', '$hash', '系统管理员', 'admin',
	(SELECT id FROM units WHERE kind = 'district' LIMIT 1));
EOF
if [ -n "$generated" ]; then
	echo
	echo "  admin password (shown once): $admin_pw"
	echo
fi
