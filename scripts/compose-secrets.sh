#!/usr/bin/env bash
# The secrets of the docker-compose deployment, made once before the first
# `docker compose up` (docs/DEPLOY.md), in ./secrets/ (SECRETS_DIR names
# another folder; ./secrets/ is never committed):
#
#   db_root_password, db_password, db_replication_password
#                  32 random [A-Za-z0-9]: MariaDB's root, the workers'
#                  account swn_app, the replicas' account swn_repl
#   pii.keys       the personal-data key file (swn-worker keys init;
#                  docs/personal-data.md): back it up apart from the
#                  database backups
#   tls.crt, tls.key   the certificate chain and key nginx serves: copied
#                  from TLS_CERT_FILE and TLS_KEY_FILE when given, else a
#                  self-signed certificate for TLS_NAME (default localhost)
#                  valid 30 days, to be replaced by a real one
#
# A file that exists is never replaced: a new key file would not open the
# data, a new password would not match the database.  The folder is 0700;
# the files in it are 0644, because compose mounts each as it is into
# containers whose processes run as their own users (mysql, swn, nginx),
# and the folder is what keeps the host's other users out.
set -euo pipefail
. "$(dirname "$0")/env.sh"

dir=${SECRETS_DIR:-$ROOT/secrets}
mkdir -p "$dir"
chmod 0700 "$dir"
umask 077

made=()
for f in db_root_password db_password db_replication_password; do
	[ -s "$dir/$f" ] && continue
	rand_str 32 >"$dir/$f"
	made+=("$f")
done

if [ ! -s "$dir/pii.keys" ]; then
	if [ -x "$WORKER_BIN" ]; then
		"$WORKER_BIN" keys init "$dir/pii.keys" >/dev/null
	else
		# No local build: the worker image makes the file.
		img=$(docker build -q "$ROOT")
		docker run --rm --user "$(id -u)" -v "$dir:/out" "$img" \
			build/swn-worker keys init /out/pii.keys >/dev/null
	fi
	made+=(pii.keys)
fi

if [ ! -s "$dir/tls.crt" ] || [ ! -s "$dir/tls.key" ]; then
	if [ -n "${TLS_CERT_FILE:-}" ]; then
		cp "$TLS_CERT_FILE" "$dir/tls.crt"
		cp "${TLS_KEY_FILE:?TLS_KEY_FILE goes with TLS_CERT_FILE}" \
			"$dir/tls.key"
	else
		name=${TLS_NAME:-localhost}
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -days 30 -subj "/CN=$name" \
			-addext "subjectAltName=DNS:$name" \
			-keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
		echo "compose-secrets: tls.crt is self-signed for $name;" \
			"replace tls.crt and tls.key with a real certificate"
	fi
	made+=(tls.crt tls.key)
fi

chmod 0644 "$dir"/*
if [ ${#made[@]} -gt 0 ]; then
	echo "compose-secrets: made ${made[*]} in $dir"
else
	echo "compose-secrets: $dir holds every secret already"
fi
echo "compose-secrets: keep a copy of $dir/pii.keys apart from the" \
	"database backups"
