#!/usr/bin/env bash
# A PostgreSQL or MariaDB server of a test's own, in a directory of its own, on a port of its
# own, so that a test may stop, crash and restart it without touching the shared servers on
# 5432 and 3306 that other tests use at the same time. Used by tests/reliability_restart.rs.
#
#   throwaway-server.sh postgres|mariadb init    DIR PORT   create the data directory
#   throwaway-server.sh postgres|mariadb start   DIR PORT   start it and wait until it answers
#   throwaway-server.sh postgres|mariadb stop    DIR PORT   clean shutdown
#   throwaway-server.sh postgres|mariadb crash   DIR PORT   kill it without a shutdown
#   throwaway-server.sh postgres|mariadb destroy DIR PORT   crash it (if running), remove DIR
#
# PostgreSQL: superuser `root`, trust authentication, database `postgres`.
# MariaDB: user `ambidex`, password `ambidex`, database `test` (sqlx cannot log in with an
# empty password: sqlx issue 3484).
# Needs root (it runs the servers as the `postgres` and `mysql` users).
set -euo pipefail

kind=$1 action=$2 dir=$3 port=$4

pg_bin() { echo "/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n1)/bin/$1"; }
as_postgres() { runuser -u postgres -- "$@"; }

wait_for() { # what, command...
    local what=$1; shift
    for _ in $(seq 1 300); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "$what did not answer within 30 s" >&2
    return 1
}

mariadb_pid() { cat "$dir/mariadbd.pid" 2>/dev/null || true; }

case "$kind:$action" in
postgres:init)
    mkdir -p "$dir"
    chmod 755 "$dir"
    chown postgres: "$dir"
    as_postgres "$(pg_bin initdb)" -D "$dir/data" -U root -A trust --no-sync >/dev/null
    ;;
postgres:start)
    as_postgres "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir" start >/dev/null
    wait_for "PostgreSQL on $port" "$(pg_bin pg_isready)" -h 127.0.0.1 -p "$port"
    ;;
postgres:stop)
    as_postgres "$(pg_bin pg_ctl)" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
    ;;
postgres:crash)
    # An immediate shutdown: every process exits at once, without a checkpoint; the next
    # start replays the WAL, as after a crash.
    as_postgres "$(pg_bin pg_ctl)" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null
    ;;
postgres:destroy)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_postgres "$(pg_bin pg_ctl)" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
mariadb:init)
    mkdir -p "$dir"
    chmod 755 "$dir"
    chown mysql: "$dir"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user=mysql \
        --auth-root-authentication-method=socket --skip-test-db >/dev/null
    ;;
mariadb:start)
    # setsid: the server outlives this script and ignores the test's terminal signals.
    setsid mariadbd --no-defaults --user=mysql --datadir="$dir/data" --port="$port" \
        --bind-address=127.0.0.1 --socket="$dir/mariadb.sock" --pid-file="$dir/mariadbd.pid" \
        --log-error="$dir/log" --skip-name-resolve --innodb-buffer-pool-size=32M \
        --innodb-log-file-size=16M </dev/null >/dev/null 2>&1 &
    wait_for "MariaDB on $port" mariadb --no-defaults -S "$dir/mariadb.sock" -u root -e "SELECT 1"
    mariadb --no-defaults -S "$dir/mariadb.sock" -u root <<'SQL'
CREATE USER IF NOT EXISTS 'ambidex'@'127.0.0.1' IDENTIFIED BY 'ambidex';
GRANT ALL PRIVILEGES ON *.* TO 'ambidex'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS test;
SQL
    ;;
mariadb:stop)
    pid=$(mariadb_pid)
    mariadb-admin --no-defaults -S "$dir/mariadb.sock" -u root shutdown
    if [ -n "$pid" ]; then
        wait_for "MariaDB's exit" bash -c "! kill -0 $pid"
    fi
    ;;
mariadb:crash)
    pid=$(mariadb_pid)
    if [ -n "$pid" ]; then
        kill -9 "$pid"
        wait_for "MariaDB's exit" bash -c "! kill -0 $pid"
    fi
    ;;
mariadb:destroy)
    pid=$(mariadb_pid)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" || true
        wait_for "MariaDB's exit" bash -c "! kill -0 $pid" || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 postgres|mariadb init|start|stop|crash|destroy DIR PORT" >&2
    exit 2
    ;;
esac
