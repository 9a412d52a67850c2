#!/usr/bin/env bash
# Starts PostgreSQL and MariaDB on loopback if they are not answering, waits until they
# accept connections, and creates the MariaDB user the tests log in as (sqlx cannot log in
# with an empty password: sqlx issue 3484). Idempotent.
set -euo pipefail

wait_for() { # name, command...
    local name=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then echo "$name is up"; return 0; fi
        sleep 1
    done
    echo "$name did not come up within 60 s" >&2
    return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL psql -h 127.0.0.1 -U root -d test -c "SELECT 1"

if ! mariadb -h 127.0.0.1 -u root -e "SELECT 1" >/dev/null 2>&1; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for MariaDB mariadb -h 127.0.0.1 -u root -e "SELECT 1"
mariadb -h 127.0.0.1 -u root <<'SQL'
CREATE USER IF NOT EXISTS 'ambidex'@'127.0.0.1' IDENTIFIED BY 'ambidex';
CREATE USER IF NOT EXISTS 'ambidex'@'localhost' IDENTIFIED BY 'ambidex';
GRANT ALL PRIVILEGES ON *.* TO 'ambidex'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'ambidex'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
echo "MariaDB user ambidex ready"
