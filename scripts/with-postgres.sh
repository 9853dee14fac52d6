#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: initdb in a temporary folder, pg_ctl start
# on a free loopback port, NMGUARD_DATABASE_URL exported for the command, then stop and remove.
set -euo pipefail
PGBIN=$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")")
tmp=$(mktemp -d /tmp/nmguard-pg.XXXXXX)
chmod 755 "$tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$tmp"
  as_owner=(runuser -u postgres --)
fi
stop() {
  "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop EXIT
"${as_owner[@]}" "$PGBIN/initdb" -D "$tmp/data" -U nmguard -A trust -E UTF8 --no-sync >/dev/null
"${as_owner[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"${as_owner[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U nmguard nmguard
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export NMGUARD_DATABASE_URL="postgres://nmguard@127.0.0.1:$port/nmguard"
"$@"
