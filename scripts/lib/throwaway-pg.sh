# Sourced by the benchmark scripts: a throwaway PostgreSQL cluster in a
# temporary directory, stopped and removed on exit.
#   start_throwaway_pg [EXTRA SERVER OPTIONS]  → sets PG_URL, or returns 1
#                                                 when PostgreSQL is missing
pgdir=""
run_pg() {
  local prog=$1; shift
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$pgbin/$prog" "$@"; else "$pgbin/$prog" "$@"; fi
}
stop_throwaway_pg() {
  if [[ -n $pgdir && -d $pgdir/data ]]; then
    run_pg pg_ctl -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  [[ -n $pgdir ]] && rm -rf "$pgdir"
  return 0
}
start_throwaway_pg() {
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $pgbin ]]; then
    echo "PostgreSQL is not installed (apt-get install -y postgresql); skipped the PostgreSQL half" >&2
    return 1
  fi
  pgdir=$(mktemp -d)
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$pgdir"
  local port=$((20000 + RANDOM % 20000))
  run_pg initdb -D "$pgdir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  run_pg pg_ctl -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir $*" start >/dev/null
  echo "== PostgreSQL ($(basename "$(dirname "$pgbin")")) ==" >&2
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}
