#!/usr/bin/env bash
# Starts the replication clusters the routing suite (tests/replicas_*.rs) runs against, on
# loopback, beside the servers of .ci/servers.sh. Idempotent and quick when already up.
#
# PostgreSQL: a streaming replica of the shared primary (127.0.0.1:5432) on port 5433, a
#   second cluster made with `pg_createcluster` and filled with `pg_basebackup -R`. The only
#   change to the primary is one pg_hba.conf line admitting replication connections from
#   loopback, applied with a reload (no restart).
# MariaDB: a dedicated primary (3310, binary log with GTIDs) and replica (3311), each its
#   own `mariadbd` with its own data directory under $AMBIDEX_REPLICA_DIR. The shared
#   server on 3306 runs without a binary log, and turning one on needs a restart that would
#   break whatever else is using it, so the MariaDB routing tests use their own pair.
#
# Prints the URLs as `export` lines at the end (.ci/run sets the same values).
set -euo pipefail

PG_VERSION=$(ls /etc/postgresql | sort -n | tail -n1)
PG_PRIMARY_HBA=/etc/postgresql/$PG_VERSION/main/pg_hba.conf
PG_REPLICA_PORT=5433
MY_DIR=${AMBIDEX_REPLICA_DIR:-/var/lib/ambidex-replicas}
MY_PRIMARY_PORT=3310
MY_REPLICA_PORT=3311

wait_for() { # name, seconds, command...
    local name=$1 secs=$2; shift 2
    for _ in $(seq 1 "$((secs * 5))"); do
        if "$@" >/dev/null 2>&1; then echo "$name is up"; return 0; fi
        sleep 0.2
    done
    echo "$name did not come up within $secs s" >&2
    return 1
}

# ---------------------------------------------------------------- PostgreSQL --
pg_q() { # port, sql
    psql -h 127.0.0.1 -p "$1" -U root -d test -Atc "$2"
}

if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$PG_PRIMARY_HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$PG_PRIMARY_HBA"
    pg_q 5432 "SELECT pg_reload_conf()" >/dev/null
    echo "PostgreSQL primary: replication from loopback allowed (reloaded)"
fi

pg_replica_streaming() { # port
    [ "$(pg_q "$1" "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)" = t ]
}

make_pg_replica() { # cluster name, port
    local name=$1 port=$2
    pg_dropcluster --stop "$PG_VERSION" "$name" >/dev/null 2>&1 || true
    pg_createcluster "$PG_VERSION" "$name" -p "$port" >/dev/null
    local data=/var/lib/postgresql/$PG_VERSION/$name
    rm -rf "$data"
    install -d -o postgres -g postgres -m 700 "$data"
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL it needs.
    su postgres -c "pg_basebackup -h 127.0.0.1 -p 5432 -U root -D '$data' -R -X stream -c fast"
    # Trust loopback like the primary does (pg_createcluster's default asks for passwords).
    cp "$PG_PRIMARY_HBA" "/etc/postgresql/$PG_VERSION/$name/pg_hba.conf"
    printf '%s\n' "listen_addresses = '127.0.0.1'" "hot_standby = on" "hot_standby_feedback = on" \
        >>"/etc/postgresql/$PG_VERSION/$name/postgresql.conf"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$name" start
}

pg_replica() { # cluster name, port: started, streaming, replaying
    local name=$1 port=$2
    if ! pg_replica_streaming "$port"; then
        if [ -d "/etc/postgresql/$PG_VERSION/$name" ]; then
            pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$name" start >/dev/null 2>&1 || true
        fi
        if ! { [ -d "/etc/postgresql/$PG_VERSION/$name" ] &&
            wait_for "PostgreSQL $name (existing, $port)" 10 pg_replica_streaming "$port"; }; then
            echo "PostgreSQL $name: (re)creating from a base backup"
            make_pg_replica "$name" "$port"
            wait_for "PostgreSQL $name ($port)" 40 pg_replica_streaming "$port"
        fi
    else
        echo "PostgreSQL $name ($port) is up"
    fi
    # resume a replay an interrupted test left paused
    pg_q "$port" "SELECT pg_wal_replay_resume()" >/dev/null 2>&1 || true
}

pg_replica replica $PG_REPLICA_PORT
# A second replica only for the measurements in docs/guide/performance.md (not used by the tests).
if [ "${AMBIDEX_SECOND_PG_REPLICA:-0}" = 1 ]; then
    pg_replica replica2 5434
fi

# ------------------------------------------------------------------- MariaDB --
my_sock() { echo "$MY_DIR/$1/mysqld.sock"; }
my_root() { # node, sql...
    local node=$1; shift
    mariadb --no-defaults --socket="$(my_sock "$node")" -u root -N -B -e "$*"
}

start_mariadbd() { # node, port, server id
    local node=$1 port=$2 id=$3 data=$MY_DIR/$1
    if my_root "$node" "SELECT 1" >/dev/null 2>&1; then return 0; fi
    if [ ! -d "$data/mysql" ]; then
        mkdir -p "$data"
        chown mysql:mysql "$MY_DIR" "$data"
        mariadb-install-db --no-defaults --user=mysql --datadir="$data" \
            --auth-root-authentication-method=socket --skip-test-db >/dev/null
    fi
    start-stop-daemon --start --background --chuid mysql \
        --pidfile "$data/mysqld.pid" --exec /usr/sbin/mariadbd -- \
        --no-defaults --datadir="$data" --port="$port" --bind-address=127.0.0.1 \
        --socket="$(my_sock "$node")" --pid-file="$data/mysqld.pid" \
        --log-error="$data/error.log" --server-id="$id" --log-bin=binlog \
        --binlog-format=ROW --innodb-buffer-pool-size=32M --skip-name-resolve
    wait_for "MariaDB $node ($port)" 30 my_root "$node" "SELECT 1"
}

start_mariadbd primary $MY_PRIMARY_PORT 10
start_mariadbd replica $MY_REPLICA_PORT 11

# Users and the database exist on both nodes, created outside the binary log so that the
# replica's copy never conflicts with replicated events.
for node in primary replica; do
    my_root "$node" "SET sql_log_bin = 0;
        CREATE USER IF NOT EXISTS 'ambidex'@'%' IDENTIFIED BY 'ambidex';
        GRANT ALL PRIVILEGES ON *.* TO 'ambidex'@'%';
        CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl';
        GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
        CREATE DATABASE IF NOT EXISTS test;"
done

my_slave_status() {
    mariadb --no-defaults --socket="$(my_sock replica)" -u root -e "SHOW SLAVE STATUS\G" 2>/dev/null || true
}
my_replica_running() {
    local status
    status=$(my_slave_status)
    [[ $status == *"Slave_SQL_Running: Yes"* && $status == *"Slave_IO_Running: Yes"* ]]
}

if ! my_replica_running; then
    if [[ $(my_slave_status) != *"Master_Port: $MY_PRIMARY_PORT"* ]]; then
        my_root replica "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$MY_PRIMARY_PORT,
            MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos,
            MASTER_CONNECT_RETRY=1"
    fi
    my_root replica "START SLAVE" || true
    wait_for "MariaDB replication" 20 my_replica_running
else
    echo "MariaDB replication is running"
fi

echo "export AMBIDEX_PG_PRIMARY_URL=postgres://root@127.0.0.1:5432/test"
echo "export AMBIDEX_PG_REPLICA_URL=postgres://root@127.0.0.1:$PG_REPLICA_PORT/test"
if [ "${AMBIDEX_SECOND_PG_REPLICA:-0}" = 1 ]; then
    echo "export AMBIDEX_PG_REPLICA2_URL=postgres://root@127.0.0.1:5434/test"
fi
echo "export AMBIDEX_MYSQL_PRIMARY_URL=mysql://ambidex:ambidex@127.0.0.1:$MY_PRIMARY_PORT/test"
echo "export AMBIDEX_MYSQL_REPLICA_URL=mysql://ambidex:ambidex@127.0.0.1:$MY_REPLICA_PORT/test"
