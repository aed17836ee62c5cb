#!/usr/bin/env bash
# Starts a scaled-out Utmost on this machine: PostgreSQL for operational data, ClickHouse (one server, or a
# two-shard cluster behind a Distributed table) for events, and several stateless utmost instances sharing them.
# Everything lives under one directory and stops with Ctrl+C.
#
#   bash deploy/local-scale.sh [--shards 1|2] [--instances N] [--dir DIR]
#
# Needs Debian's postgresql and clickhouse-server (installed here with apt when run as root).
set -euo pipefail
shards=1; instances=2; dir=${TMPDIR:-/tmp}/utmost-scale
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) shards=$2; shift 2 ;;
    --instances) instances=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$shards" = 1 ] || [ "$shards" = 2 ] || { echo "--shards is 1 or 2" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort | tail -1 || true)
if [ -z "$pg_bin" ] || [ ! -x /usr/sbin/clickhouse-server ]; then
  [ "$(id -u)" = 0 ] || { echo "install postgresql and clickhouse-server first (apt-get install postgresql clickhouse-server)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql clickhouse-server clickhouse-client >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

mkdir -p "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_postgres "$pg_bin/pg_ctl" -D "$dir/postgres" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# PostgreSQL on port 15432.
if [ ! -d "$dir/postgres" ]; then
  mkdir -p "$dir/postgres"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/postgres"
  as_postgres "$pg_bin/initdb" -D "$dir/postgres" -A trust -U postgres -E UTF8 >/dev/null
fi
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
as_postgres "$pg_bin/pg_ctl" -D "$dir/postgres" -w -l "$dir/postgres.log" -o "-p 15432 -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
as_postgres "$pg_bin/psql" -h 127.0.0.1 -p 15432 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'utmost'" | grep -q 1 \
  || as_postgres "$pg_bin/psql" -h 127.0.0.1 -p 15432 -U postgres -qc "CREATE DATABASE utmost"

# ClickHouse: shard i listens on HTTP 1812(2+i) and TCP 1900(1+i).
cluster_xml=""
if [ "$shards" = 2 ]; then
  cluster_xml="<remote_servers><utmost><shard><replica><host>127.0.0.1</host><port>19001</port></replica></shard><shard><replica><host>127.0.0.1</host><port>19002</port></replica></shard></utmost></remote_servers>"
fi
for i in $(seq 1 "$shards"); do
  ch="$dir/clickhouse-$i"; mkdir -p "$ch"; cp /etc/clickhouse-server/users.xml "$ch/"
  cat > "$ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch/server.log</log><errorlog>$ch/error.log</errorlog></logger>
  <http_port>$((18122 + i))</http_port><tcp_port>$((19000 + i))</tcp_port><interserver_http_port>$((19010 + i))</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$ch/data/</path><tmp_path>$ch/tmp/</tmp_path><user_files_path>$ch/user_files/</user_files_path>
  <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  $cluster_xml
</yandex>
XML
  /usr/sbin/clickhouse-server --config-file="$ch/config.xml" >/dev/null 2>&1 & pids+=($!)
  until curl -sf "http://127.0.0.1:$((18122 + i))/ping" >/dev/null; do sleep 0.2; done
done

events_args=(--Utmost:Events:Provider=clickhouse "--ConnectionStrings:ClickHouse=http://127.0.0.1:18123/?database=utmost")
if [ "$shards" = 2 ]; then
  events_args+=(--Utmost:Events:Cluster=utmost --Utmost:Events:ClusterNodes:0=http://127.0.0.1:18123/ --Utmost:Events:ClusterNodes:1=http://127.0.0.1:18124/)
fi

dotnet build "$repo/src/Utmost" -c Release -v q -nologo >/dev/null
admin_key=$(cat "$dir/admin-key" 2>/dev/null || { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40 | sed 's/^/utm_/' | tee "$dir/admin-key"; })
for i in $(seq 1 "$instances"); do
  # One at a time: the first creates the schema and the default tenant, the others find them.
  dotnet "$repo/src/Utmost/bin/Release/net10.0/utmost.dll" serve --urls "http://127.0.0.1:$((8000 + i))" \
    "--Utmost:DataDir=$dir/utmost-$i" "--Utmost:AdminKey=$admin_key" \
    --Utmost:Storage:Provider=postgres "--ConnectionStrings:Utmost=Host=127.0.0.1;Port=15432;Database=utmost;Username=postgres" \
    "${events_args[@]}" > "$dir/utmost-$i.log" 2>&1 & pids+=($!)
  until curl -sf "http://127.0.0.1:$((8000 + i))/health/ready" >/dev/null; do sleep 0.3; done
done

echo "Utmost: $instances instances at http://127.0.0.1:8001 .. :$((8000 + instances)), PostgreSQL :15432, ClickHouse shards: $shards"
echo "Admin key (in $dir/admin-key): $admin_key"
echo "Try: curl -X POST http://127.0.0.1:8001/marketing/event -H 'Content-Type: application/json' -d '{\"event_type\":\"page_view\"}'"
echo "     curl http://127.0.0.1:8002/marketing/metrics -H \"Authorization: Bearer $admin_key\""
echo "Ctrl+C stops everything."
wait
