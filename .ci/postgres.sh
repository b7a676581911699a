# Sourced by .ci/run: a throwaway PostgreSQL cluster for the tests that need a
# real database. Installs Debian's `postgresql` when missing, runs the server as
# the `postgres` user (it refuses root) in a temporary folder on a free loopback
# port, exports DATABASE_URL, and stops the server and removes the folder at exit.
pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! pg_bin >/dev/null; then
  echo "== installing postgresql (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin)" || { echo "!! FAILED: no PostgreSQL server binaries"; exit 1; }
PG_DIR="$(mktemp -d /tmp/easy-oauth-pg.XXXXXX)"
chown postgres "$PG_DIR"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
  deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close()')"
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
  { cat "$PG_DIR/initdb.log"; echo "!! FAILED: initdb"; exit 1; }
PG_OPTS="-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200"
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 -o "$PG_OPTS" start >/dev/null ||
  { cat "$PG_DIR/server.log"; echo "!! FAILED: the PostgreSQL server did not start"; exit 1; }
stop_postgres() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# The test that stops the database mid-way starts a cluster of its own with these.
export EASY_OAUTH_PG_BIN="$PG_BIN"
echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (DATABASE_URL exported)"
