#!/usr/bin/env bash
# make check-stats: every figure of every unit and campaign computed twice,
# by GET /stats's queries and by a second path over the raw records, and
# compared (fcgi/check.c).  Exits 1 and prints each difference if any.
set -euo pipefail
. "$(dirname "$0")/env.sh"

SWN_DB_SOCKET=$DB_SOCK SWN_DB_PASSWORD_FILE=$SECRETS/db_password \
	SWN_PII_KEYS_FILE=$PII_KEYS "$WORKER_BIN" check-stats ${CAMPAIGN:-}
