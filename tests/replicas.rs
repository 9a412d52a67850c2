//! Read replicas and read/write routing (issue 9) against real clusters on loopback: a
//! PostgreSQL streaming replica of the shared primary, and a MariaDB GTID primary/replica
//! pair (both started by `.ci/replicas.sh`).
//!
//! Every check runs on each handle: `blocking::Db` (diesel), `blocking::SqlxDb` (blocking
//! over sqlx), `SqlxDb` (async sqlx), `DieselDb` (async over diesel) and `Db` (async, the
//! backend's default engine). Where an operation ran is asked of the server that answered
//! (`pg_is_in_recovery()`, MariaDB `@@server_id`), never inferred from timings.
//!
//! The suite pauses replication and stops the replica servers, so its tests take turns
//! (one lock per process); other test binaries do not use the replicas. Each test writes
//! rows under a `run` value of its own, so nothing it reads belongs to anyone else.
//!
//! Servers come from `AMBIDEX_PG_PRIMARY_URL`/`AMBIDEX_PG_REPLICA_URL` and
//! `AMBIDEX_MYSQL_PRIMARY_URL`/`AMBIDEX_MYSQL_REPLICA_URL`; unset, the tests skip, except
//! under `CI=true`, where they fail.
#![cfg(all(feature = "blocking", feature = "async"))]
#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ambidex::prelude::*;
use ambidex::routing::{Policy, ReplicaStatus, Replication, Route, RouteRequest, Router};
use ambidex::{DieselDb, SqlxDb, raw};

mod support;
use support::{runtime, server_url, unique_name};

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "ax_replica_notes")]
struct Note {
    #[ambidex(primary_key, auto)]
    id: i64,
    run: String,
    n: i64,
}

/// The backends with replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Postgres,
    Mariadb,
}

impl Backend {
    fn urls(self) -> Option<(String, String)> {
        let (p, r) = match self {
            Backend::Postgres => ("AMBIDEX_PG_PRIMARY_URL", "AMBIDEX_PG_REPLICA_URL"),
            Backend::Mariadb => ("AMBIDEX_MYSQL_PRIMARY_URL", "AMBIDEX_MYSQL_REPLICA_URL"),
        };
        Some((server_url(p)?, server_url(r)?))
    }

    /// Which server answers: "primary" or "replica".
    fn whoami(self) -> &'static str {
        match self {
            Backend::Postgres => {
                "SELECT CASE WHEN pg_is_in_recovery() THEN 'replica' ELSE 'primary' END"
            }
            Backend::Mariadb => {
                "SELECT CASE WHEN @@server_id = 11 THEN 'replica' ELSE 'primary' END"
            }
        }
    }

    fn create_notes(self) -> &'static str {
        match self {
            Backend::Postgres => {
                "CREATE TABLE IF NOT EXISTS ax_replica_notes \
                 (id BIGSERIAL PRIMARY KEY, run TEXT NOT NULL, n BIGINT NOT NULL)"
            }
            Backend::Mariadb => {
                "CREATE TABLE IF NOT EXISTS ax_replica_notes \
                 (id BIGINT AUTO_INCREMENT PRIMARY KEY, run VARCHAR(100) NOT NULL, n BIGINT NOT NULL)"
            }
        }
    }

    /// Stops applying changes on the replica (they still arrive): artificial lag.
    fn pause_replay(self) {
        match self {
            Backend::Postgres => psql_replica("SELECT pg_wal_replay_pause()"),
            Backend::Mariadb => mariadb_replica("STOP SLAVE SQL_THREAD"),
        }
    }

    fn resume_replay(self) {
        match self {
            Backend::Postgres => psql_replica("SELECT pg_wal_replay_resume()"),
            Backend::Mariadb => mariadb_replica("START SLAVE SQL_THREAD"),
        }
    }

    /// Stops the replica server.
    fn stop_replica(self) {
        match self {
            Backend::Postgres => {
                let version = std::fs::read_dir("/etc/postgresql")
                    .expect("PostgreSQL config directory")
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .max()
                    .expect("a PostgreSQL version");
                command(
                    "pg_ctlcluster",
                    &[
                        "--skip-systemctl-redirect",
                        &version,
                        "replica",
                        "stop",
                        "-m",
                        "fast",
                    ],
                );
            }
            Backend::Mariadb => mariadb_replica("SHUTDOWN"),
        }
    }

    /// Starts whatever of the replicas is down (the CI script is idempotent).
    fn start_replicas(self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/replicas.sh");
        command("bash", &[script]);
    }
}

fn command(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn psql_replica(sql: &str) {
    let url = server_url("AMBIDEX_PG_REPLICA_URL").expect("replica URL");
    command("psql", &[&url, "-Atc", sql]);
}

fn mariadb_replica(sql: &str) {
    command(
        "mariadb",
        &[
            "--no-defaults",
            "-h127.0.0.1",
            "-P3311",
            "-uambidex",
            "-pambidex",
            "-e",
            sql,
        ],
    );
}

/// The tests take turns: they pause replication and stop servers.
fn turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

/// One handle, driven from blocking test code whatever its world.
trait Handle: Send + Sync {
    fn label(&self) -> &'static str;
    /// A handle on the same pools with a fresh read-your-writes scope.
    fn session(&self) -> Box<dyn Handle>;
    fn whoami(&self, backend: Backend) -> Result<String>;
    fn whoami_in_transaction(&self, backend: Backend) -> Result<String>;
    fn insert(&self, run: &str, n: i64) -> Result<()>;
    fn count(&self, run: &str, on_primary: bool) -> Result<u64>;
    fn execute(&self, sql: &str) -> Result<u64>;
    fn status(&self) -> Vec<ReplicaStatus>;
}

struct Wrapped<D> {
    db: D,
    rt: Arc<tokio::runtime::Runtime>,
}

macro_rules! now {
    ($s:ident, $e:expr) => {
        $e
    };
}

macro_rules! wait {
    ($s:ident, $e:expr) => {
        $s.rt.block_on(async { $e.await })
    };
}

macro_rules! handle {
    ($ty:ty, $label:literal, $w:ident) => {
        impl Handle for Wrapped<$ty> {
            fn label(&self) -> &'static str {
                $label
            }
            fn session(&self) -> Box<dyn Handle> {
                Box::new(Wrapped {
                    db: self.db.session(),
                    rt: Arc::clone(&self.rt),
                })
            }
            fn whoami(&self, backend: Backend) -> Result<String> {
                let rows = $w!(
                    self,
                    raw(backend.whoami())
                        .read_only()
                        .fetch_rows::<String, _>(&self.db)
                )?;
                Ok(rows.concat())
            }
            fn whoami_in_transaction(&self, backend: Backend) -> Result<String> {
                let mut tx = $w!(self, self.db.begin())?;
                let rows = $w!(
                    self,
                    raw(backend.whoami())
                        .read_only()
                        .fetch_rows::<String, _>(&mut tx)
                )?;
                $w!(self, tx.commit())?;
                Ok(rows.concat())
            }
            fn insert(&self, run: &str, n: i64) -> Result<()> {
                let note = Note {
                    id: 0,
                    run: run.to_string(),
                    n,
                };
                $w!(self, note.insert(&self.db)).map(|_| ())
            }
            fn count(&self, run: &str, on_primary: bool) -> Result<u64> {
                let q = Note::query().filter(Note::RUN.eq(run.to_string()));
                let q = if on_primary { q.on_primary() } else { q };
                $w!(self, q.count(&self.db))
            }
            fn execute(&self, sql: &str) -> Result<u64> {
                $w!(self, raw(sql.to_string()).execute(&self.db))
            }
            fn status(&self) -> Vec<ReplicaStatus> {
                self.db.replica_status()
            }
        }
    };
}

handle!(ambidex::blocking::Db, "blocking::Db (diesel)", now);
handle!(ambidex::blocking::SqlxDb, "blocking::SqlxDb (sqlx)", now);
handle!(SqlxDb, "SqlxDb (async sqlx)", wait);
handle!(DieselDb, "DieselDb (async over diesel)", wait);
handle!(ambidex::Db, "Db (async, default engine)", wait);

/// Every handle on `primary` with `replica`, configured by `settings`.
fn open_all(primary: &str, replica: &str, settings: &Replication) -> Vec<Box<dyn Handle>> {
    let rt = Arc::new(runtime());
    let s = || settings.clone();
    let blocking = ambidex::blocking::Db::builder(primary)
        .max_connections(2)
        .replica(replica)
        .replication(s())
        .open()
        .expect("blocking::Db");
    let blocking_sqlx = ambidex::blocking::SqlxDb::builder(primary)
        .max_connections(2)
        .replica(replica)
        .replication(s())
        .open()
        .expect("blocking::SqlxDb");
    let sqlx = rt
        .block_on(
            SqlxDb::builder(primary)
                .max_connections(2)
                .replica(replica)
                .replication(s())
                .connect(),
        )
        .expect("SqlxDb");
    let diesel = rt
        .block_on(
            DieselDb::builder(primary)
                .max_connections(2)
                .replica(replica)
                .replication(s())
                .connect(),
        )
        .expect("DieselDb");
    let any = rt
        .block_on(
            ambidex::Db::builder(primary)
                .max_connections(2)
                .replica(replica)
                .replication(s())
                .connect(),
        )
        .expect("Db");
    vec![
        Box::new(Wrapped {
            db: blocking,
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped {
            db: blocking_sqlx,
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped {
            db: sqlx,
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped {
            db: diesel,
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped { db: any, rt }),
    ]
}

/// The cluster of `backend`, with the notes table on it (and replicated), or `None` to
/// skip.
fn cluster(backend: Backend) -> Option<(String, String)> {
    let (primary, replica) = backend.urls()?;
    let db = ambidex::blocking::Db::builder(&primary)
        .max_connections(1)
        .open()
        .expect("open the primary");
    raw(backend.create_notes())
        .execute(&db)
        .expect("create the notes table");
    Some((primary, replica))
}

/// Polls `check` until it holds, for at most `limit` (a bound for a broken build, not a
/// timing claim); panics with `what` if it never does.
fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Settings for tests that lag on purpose: lag never takes the replica out.
fn lenient() -> Replication {
    Replication::new()
        .ignore_lag()
        .health_interval(Duration::from_millis(50))
}

// ---------------------------------------------------------------------------------------

/// Every handle's fresh scope reads from the replica.
fn reads_start_on_the_replica(handles: &[Box<dyn Handle>], backend: Backend) {
    for db in handles {
        let who = db.label();
        assert_eq!(db.session().whoami(backend).unwrap(), "replica", "{who}");
    }
}

/// Runs `check` with the replica's replay paused, resuming it even if `check` panics.
fn while_paused(backend: Backend, check: impl FnOnce()) {
    backend.pause_replay();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
    backend.resume_replay();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

fn reads_replica_writes_and_transactions_primary(backend: Backend) {
    let Some((primary, replica)) = cluster(backend) else {
        return;
    };
    let _turn = turn();
    backend.resume_replay();
    for db in open_all(&primary, &replica, &lenient()) {
        let who = db.label();
        let run = unique_name("route");
        // a fresh scope has no writes: its reads go to the replica
        let reader = db.session();
        assert_eq!(
            reader.whoami(backend).unwrap(),
            "replica",
            "{who}: a plain read"
        );
        // writes reach the primary (a PostgreSQL replica would refuse them; a MariaDB one
        // would take them, so the row is looked for on the primary itself)
        db.insert(&run, 1)
            .unwrap_or_else(|e| panic!("{who}: insert: {e}"));
        assert_eq!(
            db.count(&run, true).unwrap(),
            1,
            "{who}: the row is on the primary"
        );
        // everything in a transaction runs on the primary, reads included
        assert_eq!(
            reader.whoami_in_transaction(backend).unwrap(),
            "primary",
            "{who}: a read in a transaction"
        );
        // the replica catches up, and the scope's reads go back to it
        eventually(Duration::from_secs(30), who, || {
            db.count(&run, false).unwrap() == 1 && db.whoami(backend).unwrap() == "replica"
        });
        let status = db.status();
        assert_eq!(status.len(), 1, "{who}");
        assert!(status[0].in_rotation, "{who}: {status:?}");
        assert!(
            !status[0].url.contains("ambidex:ambidex"),
            "{who}: password shown"
        );
    }
}

fn read_your_writes_under_lag(backend: Backend) {
    let Some((primary, replica)) = cluster(backend) else {
        return;
    };
    let _turn = turn();
    let handles = open_all(&primary, &replica, &lenient());
    while_paused(backend, || {
        for db in &handles {
            let who = db.label();
            let run = unique_name("ryw");
            let writer = db.session();
            let stranger = db.session();
            for n in 1..=5u64 {
                writer
                    .insert(&run, n as i64)
                    .unwrap_or_else(|e| panic!("{who}: insert {n}: {e}"));
                // the writer's scope reads its own writes (on the primary, as the replica
                // is not applying them)...
                assert_eq!(
                    writer.count(&run, false).unwrap(),
                    n,
                    "{who}: own write {n}"
                );
                // ...while a scope that wrote nothing reads the stalled replica
                assert_eq!(
                    stranger.count(&run, false).unwrap(),
                    0,
                    "{who}: stranger {n}"
                );
                assert_eq!(stranger.whoami(backend).unwrap(), "replica", "{who}");
                // unless it asks for the primary
                assert_eq!(stranger.count(&run, true).unwrap(), n, "{who}: on_primary");
            }
            assert_eq!(
                writer.whoami(backend).unwrap(),
                "primary",
                "{who}: writer held"
            );
        }
    });
    // once the replica has applied the writes, the writers' reads return to it
    for db in &handles {
        let who = db.label();
        let writer = db.session();
        writer.insert(&unique_name("ryw_after"), 1).unwrap();
        eventually(Duration::from_secs(30), who, || {
            writer.whoami(backend).unwrap() == "replica"
        });
    }
}

fn lagging_replica_leaves_rotation(backend: Backend) {
    let Some((primary, replica)) = cluster(backend) else {
        return;
    };
    let _turn = turn();
    let strict = Replication::new()
        .max_lag(Duration::from_millis(500))
        .health_interval(Duration::from_millis(50));
    let handles = open_all(&primary, &replica, &strict);
    reads_start_on_the_replica(&handles, backend);
    while_paused(backend, || {
        // keep writing on the primary so the replica falls measurably behind
        let writer = &handles[0];
        for db in &handles {
            let who = db.label();
            let reader = db.session();
            eventually(Duration::from_secs(30), who, || {
                writer.insert(&unique_name("lag"), 0).unwrap();
                reader.whoami(backend).unwrap() == "primary"
            });
            let status = db.status();
            assert!(!status[0].in_rotation, "{who}: {status:?}");
        }
    });
    for db in &handles {
        let reader = db.session();
        eventually(Duration::from_secs(30), db.label(), || {
            reader.whoami(backend).unwrap() == "replica"
        });
    }
}

fn stopped_replica_is_routed_around_and_rejoins(backend: Backend) {
    let Some((primary, replica)) = cluster(backend) else {
        return;
    };
    let _turn = turn();
    let handles = open_all(&primary, &replica, &lenient());
    reads_start_on_the_replica(&handles, backend);
    backend.stop_replica();
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for db in &handles {
            let who = db.label();
            let reader = db.session();
            // a read on a connection the stop broke may fail (typed); the replica then
            // leaves rotation and reads succeed on the primary
            let mut failures = 0;
            eventually(Duration::from_secs(30), who, || {
                match reader.whoami(backend) {
                    Ok(server) => server == "primary",
                    Err(e) => {
                        assert!(matches!(e, Error::Connection { .. }), "{who}: {e:?}");
                        failures += 1;
                        false
                    }
                }
            });
            assert!(
                failures <= 2,
                "{who}: {failures} failed reads before rerouting"
            );
            eprintln!("{who}: replica stopped; {failures} failed read(s) before rerouting");
            for _ in 0..5 {
                assert_eq!(reader.whoami(backend).unwrap(), "primary", "{who}");
            }
            assert!(!db.status()[0].in_rotation, "{who}");
        }
    }));
    backend.start_replicas();
    if let Err(panic) = stopped {
        std::panic::resume_unwind(panic);
    }
    for db in &handles {
        let reader = db.session();
        eventually(Duration::from_secs(60), db.label(), || {
            matches!(reader.whoami(backend).as_deref(), Ok("replica"))
        });
    }
}

/// Reads of table `audit` and of tenant "primary-only" stay on the primary; writes of
/// table `ax_replica_notes` are (wrongly) sent to replica 0.
struct Rules;

impl Router for Rules {
    fn route(&self, request: &RouteRequest<'_>) -> Route {
        if request.tenant == Some("primary-only") {
            return Route::Primary;
        }
        if request.access.writes() && request.access.table() == Some("ax_replica_notes") {
            return Route::Replica(0);
        }
        Route::Default
    }
}

fn custom_router(backend: Backend) {
    let Some((primary, replica)) = cluster(backend) else {
        return;
    };
    let _turn = turn();
    backend.resume_replay();
    let settings = lenient().router(Rules).policy(Policy::LeastBusy);
    let rt = Arc::new(runtime());
    let blocking = ambidex::blocking::Db::builder(&primary)
        .max_connections(2)
        .replica(&replica)
        .replication(settings.clone())
        .open()
        .unwrap();
    let sqlx = rt
        .block_on(
            SqlxDb::builder(&primary)
                .max_connections(2)
                .replica(&replica)
                .replication(settings)
                .connect(),
        )
        .unwrap();
    let handles: Vec<Box<dyn Handle>> = vec![
        Box::new(Wrapped {
            db: blocking.session_for("primary-only"),
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped {
            db: sqlx.session_for("primary-only"),
            rt: Arc::clone(&rt),
        }),
    ];
    for db in &handles {
        assert_eq!(
            db.whoami(backend).unwrap(),
            "primary",
            "{}: tenant",
            db.label()
        );
    }
    let handles: Vec<Box<dyn Handle>> = vec![
        Box::new(Wrapped {
            db: blocking,
            rt: Arc::clone(&rt),
        }),
        Box::new(Wrapped { db: sqlx, rt }),
    ];
    for db in &handles {
        let who = db.label();
        let run = unique_name("router");
        let err = db.insert(&run, 1).unwrap_err();
        assert!(
            matches!(err, Error::WriteOnReplica { .. }),
            "{who}: {err:?}"
        );
        assert!(err.to_string().contains("ax_replica_notes"), "{who}: {err}");
        assert_eq!(
            db.count(&run, true).unwrap(),
            0,
            "{who}: nothing was written"
        );
        // other writes are untouched by the rule
        let sql = format!("UPDATE ax_replica_notes SET n = n WHERE run = '{run}'");
        assert_eq!(db.execute(&sql).unwrap(), 0, "{who}");
    }
}

macro_rules! backend_tests {
    ($module:ident, $feature:literal, $backend:expr) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;

            #[test]
            fn reads_go_to_the_replica_writes_and_transactions_to_the_primary() {
                reads_replica_writes_and_transactions_primary($backend);
            }

            #[test]
            fn read_your_writes_holds_while_the_replica_lags() {
                read_your_writes_under_lag($backend);
            }

            #[test]
            fn a_lagging_replica_leaves_rotation_and_returns() {
                lagging_replica_leaves_rotation($backend);
            }

            #[test]
            fn a_stopped_replica_is_routed_around_and_rejoins() {
                stopped_replica_is_routed_around_and_rejoins($backend);
            }

            #[test]
            fn a_custom_router_routes_by_tenant_and_cannot_write_to_a_replica() {
                custom_router($backend);
            }
        }
    };
}

backend_tests!(postgres, "postgres", Backend::Postgres);
backend_tests!(mariadb, "mysql", Backend::Mariadb);

// ---------------------------------------------------------------------------------------

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_refuses_replicas_on_every_handle() {
    fn check(result: Result<impl Sized>) {
        let err = result
            .err()
            .expect("a SQLite handle with a replica must not open");
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(
            err.to_string().contains("SQLite has no replication"),
            "{err}"
        );
    }
    let rt = runtime();
    check(
        ambidex::blocking::Db::builder("sqlite::memory:")
            .replica("sqlite::memory:")
            .open(),
    );
    check(
        ambidex::blocking::SqlxDb::builder("sqlite::memory:")
            .replica("sqlite::memory:")
            .open(),
    );
    check(
        rt.block_on(
            SqlxDb::builder("sqlite::memory:")
                .replica("sqlite::memory:")
                .connect(),
        ),
    );
    check(
        rt.block_on(
            DieselDb::builder("sqlite::memory:")
                .replica("sqlite::memory:")
                .connect(),
        ),
    );
    check(
        rt.block_on(
            ambidex::Db::builder("sqlite::memory:")
                .replica("sqlite::memory:")
                .connect(),
        ),
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn without_replicas_sessions_and_routing_calls_change_nothing() {
    let db = ambidex::blocking::Db::open("sqlite::memory:").unwrap();
    raw("CREATE TABLE ax_replica_notes (id INTEGER PRIMARY KEY, run TEXT NOT NULL, n INTEGER NOT NULL)")
        .execute(&db)
        .unwrap();
    let session = db.session();
    Note {
        id: 0,
        run: "a".into(),
        n: 1,
    }
    .insert(&session)
    .unwrap();
    let q = Note::query().filter(Note::RUN.eq("a".to_string()));
    assert_eq!(q.clone().on_primary().count(&db).unwrap(), 1);
    assert_eq!(q.count(&session).unwrap(), 1);
    assert!(db.replica_status().is_empty());
}
