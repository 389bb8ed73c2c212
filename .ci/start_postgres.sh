#!/usr/bin/env bash
# Start a private PostgreSQL cluster for the run store tests: initdb into a new temp folder, listen on a
# free port of 127.0.0.1 only (socket in that folder), password auth. Runs the server as the `postgres`
# user when called as root (initdb refuses root). Prints shell lines to eval:
#   eval "$(.ci/start_postgres.sh)"      # exports TRADEOFF_LAB_TEST_PG_URL and TRADEOFF_LAB_TEST_PG_DIR
#   .ci/stop_postgres.sh                 # stops it and removes the folder
# Needs Debian's `postgresql` package (apt-get install postgresql). Exits 1 with one line when it cannot.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
DIR=$(mktemp -d /tmp/tradeoff-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
AS=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$DIR"
  AS=(runuser -u postgres --)
fi
if ! "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A scram-sha-256 --pwfile="$DIR/pwfile" --no-sync \
    >"$DIR/initdb.log" 2>&1; then
  echo "initdb failed: $(tail -n 1 "$DIR/initdb.log")" >&2
  exit 1
fi
rm -f "$DIR/pwfile"
if ! "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
  echo "pg_ctl start failed: $(tail -n 1 "$DIR/server.log")" >&2
  exit 1
fi
echo "export TRADEOFF_LAB_TEST_PG_URL=postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
echo "export TRADEOFF_LAB_TEST_PG_DIR=$DIR"
