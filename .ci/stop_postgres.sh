#!/usr/bin/env bash
# Stop the cluster .ci/start_postgres.sh started (its folder: $1 or $TRADEOFF_LAB_TEST_PG_DIR) and remove it.
set -euo pipefail
DIR=${1:-${TRADEOFF_LAB_TEST_PG_DIR:-}}
case "$DIR" in /tmp/tradeoff-pg.*) ;; *) echo "not a cluster folder made by start_postgres.sh: '$DIR'" >&2; exit 1 ;; esac
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$DIR"
