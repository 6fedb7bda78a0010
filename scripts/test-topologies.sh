#!/usr/bin/env bash
# The two extra topologies the test suite runs on (issue 12), on loopback only:
#   - a 3-master Redis Cluster on ports 7201-7203 (no replicas, no persistence), and
#   - PgBouncer in transaction mode on port 6432 in front of the Postgres on 127.0.0.1:5432.
# `start` is idempotent: what already answers is left alone. `stop` ends only the processes this
# script started (by the pid files in its own directory). The shared Postgres (5432) and Redis
# (6379) are never touched.
set -euo pipefail

TOPOLOGY_DIR="${DNC_TOPOLOGY_DIR:-/tmp/dnc-topologies}"
CLUSTER_PORTS=(7201 7202 7203)
PGBOUNCER_PORT=6432
POSTGRES_HOST=127.0.0.1
POSTGRES_PORT=5432
PGBOUNCER_BIN="${PGBOUNCER_BIN:-/usr/sbin/pgbouncer}"
# PgBouncer refuses to run as root; it drops to this user when started by root.
PGBOUNCER_USER="${PGBOUNCER_USER:-postgres}"

log() { echo "test-topologies: $*" >&2; }

wait_for() {
  local what="$1"
  shift
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "$what did not come up"
  return 1
}

cluster_node_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
cluster_state_ok() { redis-cli -h 127.0.0.1 -p "${CLUSTER_PORTS[0]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }
slots_assigned() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | sed -n 's/^cluster_slots_assigned:\([0-9]*\).*/\1/p'; }

start_redis_cluster() {
  for port in "${CLUSTER_PORTS[@]}"; do
    if cluster_node_answers "$port"; then continue; fi
    local dir="$TOPOLOGY_DIR/redis-$port"
    mkdir -p "$dir"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
      --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid"
    wait_for "Redis on $port" cluster_node_answers "$port"
  done
  if cluster_state_ok; then return 0; fi
  if [ "$(slots_assigned "${CLUSTER_PORTS[0]}")" = "0" ]; then
    local nodes=()
    for port in "${CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$TOPOLOGY_DIR/cluster-create.log" 2>&1 || {
      cat "$TOPOLOGY_DIR/cluster-create.log" >&2
      return 1
    }
  fi
  # Nodes that restarted from their nodes.conf need a moment to agree again.
  wait_for "Redis Cluster (cluster_state:ok on ${CLUSTER_PORTS[0]})" cluster_state_ok
}

pgbouncer_answers() { pg_isready -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d postgres -q; }

# The configuration, on stdout.
pgbouncer_config() {
  local dir="$1"
  # Every database name maps to the same name on the local Postgres: the tests create a database
  # per file. trust: loopback only, as the Postgres behind it. A database's pool is as large as one
  # process's own pool (10), so PgBouncer is never narrower than a direct connection for a test
  # (one that holds a row lock while batches block behind it needs a server connection each);
  # max_user_connections bounds the total, as the shared Postgres allows 100 for everyone.
  cat <<EOF
[databases]
* = host=$POSTGRES_HOST port=$POSTGRES_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 10
max_user_connections = 40
server_lifetime = 600
server_idle_timeout = 30
autodb_idle_timeout = 60
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
}

ours_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_pgbouncer() {
  local dir="$TOPOLOGY_DIR/pgbouncer"
  if ours_running "$dir/pgbouncer.pid"; then
    # Already ours: take a changed configuration without dropping its clients (SIGHUP reloads).
    if ! pgbouncer_config "$dir" | cmp -s - "$dir/pgbouncer.ini"; then
      pgbouncer_config "$dir" >"$dir/pgbouncer.ini"
      kill -HUP "$(cat "$dir/pgbouncer.pid")"
    fi
    wait_for "PgBouncer on $PGBOUNCER_PORT" pgbouncer_answers
    return 0
  fi
  if pgbouncer_answers; then
    # Debian's pgbouncer package starts its own service on 6432, with its own config.
    log "port $PGBOUNCER_PORT is taken by a PgBouncer this script did not start (the distribution's service? systemctl disable --now pgbouncer)"
    return 1
  fi
  if [ ! -x "$PGBOUNCER_BIN" ]; then
    log "$PGBOUNCER_BIN is missing: apt-get install -y pgbouncer"
    return 1
  fi
  mkdir -p "$dir"
  pgbouncer_config "$dir" >"$dir/pgbouncer.ini"
  echo '"postgres" ""' >"$dir/userlist.txt"
  if [ "$(id -u)" = "0" ]; then
    chown -R "$PGBOUNCER_USER" "$dir"
    "$PGBOUNCER_BIN" -d -u "$PGBOUNCER_USER" "$dir/pgbouncer.ini"
  else
    "$PGBOUNCER_BIN" -d "$dir/pgbouncer.ini"
  fi
  wait_for "PgBouncer on $PGBOUNCER_PORT" pgbouncer_answers
}

stop_pid_file() {
  local file="$1"
  [ -f "$file" ] || return 0
  local pid
  pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}

case "${1:-}" in
  start)
    # `start redis-cluster` or `start pgbouncer` starts one of them (the boot error of a process
    # whose REDIS_CLUSTER_NODES answers nothing names the first).
    mkdir -p "$TOPOLOGY_DIR"
    if [ "${2:-redis-cluster}" = redis-cluster ] || [ "${2:-}" = "" ]; then
      start_redis_cluster
      log "Redis Cluster on 127.0.0.1:${CLUSTER_PORTS[*]} (REDIS_CLUSTER_NODES=127.0.0.1:${CLUSTER_PORTS[0]},127.0.0.1:${CLUSTER_PORTS[1]},127.0.0.1:${CLUSTER_PORTS[2]})"
    fi
    if [ "${2:-pgbouncer}" = pgbouncer ]; then
      start_pgbouncer
      log "PgBouncer (transaction mode) on 127.0.0.1:$PGBOUNCER_PORT in front of $POSTGRES_HOST:$POSTGRES_PORT"
    fi
    ;;
  stop)
    stop_pid_file "$TOPOLOGY_DIR/pgbouncer/pgbouncer.pid"
    for port in "${CLUSTER_PORTS[@]}"; do stop_pid_file "$TOPOLOGY_DIR/redis-$port/redis.pid"; done
    # A stopped cluster restarts from scratch: its data was never meant to outlive the run.
    rm -rf "$TOPOLOGY_DIR"
    ;;
  *)
    echo "usage: $0 start [redis-cluster|pgbouncer] | stop" >&2
    exit 2
    ;;
esac
