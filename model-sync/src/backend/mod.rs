//! The diesel connection of each backend, as a [`DieselBackend`]: directly (a handle for
//! one backend calls its module with no dispatch), and behind [`AnyConnection`], an enum
//! that a handle opened from any URL dispatches through. Each backend's module only carries bytes: it opens the
//! connection and turns the driver's raw values into [`ambidex_core::Cell`]s. Running a
//! statement (`io`) and decoding a row around those cells (`rows`) are the same for all
//! three and are written once, generic over diesel's connection and backend.

mod io;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;

pub(crate) use rows::Decoded;

use ambidex_core::{Dialect, Executed, Result, RowSink, Statement, Target};

/// A diesel connection a blocking handle can run on: [`AnyConnection`] (the backend is
/// chosen by the URL, each statement dispatched to it) or one backend's own diesel
/// connection (`diesel::SqliteConnection`, `diesel::PgConnection`,
/// `diesel::MysqlConnection`, each behind its feature), with no dispatch at all.
///
/// Sealed: the engine needs exactly what it implements for these types.
pub trait DieselBackend: sealed::Sealed {}

pub(crate) mod sealed {
    use ambidex_core::{Dialect, Executed, Result, RowSink, Statement, Target};

    /// What the engine needs of a diesel connection; unnameable outside this crate.
    pub trait Sealed: Send + Sized + 'static {
        /// The handle's name, for `Debug` and messages (`blocking::SqliteDb`).
        const HANDLE: &'static str;
        /// Refuses a target this connection type cannot open, before any pool is built.
        fn accepts(target: &Target) -> Result<()>;
        /// Opens a connection to `target` and runs the dialect's connection setup.
        fn establish(target: &Target) -> Result<Self>;
        /// The connection's dialect.
        fn dialect(&self) -> Dialect;
        /// Runs a query, feeding its rows to `sink`. `retry_stale`: whether the statement
        /// may be sent again once if the server finds its prepared plan stale (outside a
        /// transaction; see [`ambidex_core::Error::StalePlan`]).
        fn fetch<S: RowSink>(
            &mut self,
            statement: &Statement,
            sink: S,
            retry_stale: bool,
        ) -> Result<S>;
        /// Runs a statement that returns no rows; `retry_stale` as for `fetch`.
        fn execute(&mut self, statement: &Statement, retry_stale: bool) -> Result<Executed>;
    }
}

/// Implements [`DieselBackend`] for one backend's diesel connection with that backend's
/// module (`establish`) and the generic `io`: a direct call, no dispatch.
macro_rules! direct_backend {
    ($conn:ty, $module:ident, $variant:ident { $field:ident }, $dialect:expr, $handle:literal) => {
        impl DieselBackend for $conn {}

        impl sealed::Sealed for $conn {
            const HANDLE: &'static str = $handle;

            fn accepts(target: &Target) -> Result<()> {
                target.require($dialect, $handle)
            }

            fn establish(target: &Target) -> Result<Self> {
                match target {
                    Target::$variant { $field } => $module::establish($field),
                    other => Err(wrong_target(other, $dialect, $handle)),
                }
            }

            #[inline]
            fn dialect(&self) -> Dialect {
                $dialect
            }

            #[inline]
            fn fetch<S: RowSink>(
                &mut self,
                statement: &Statement,
                sink: S,
                retry_stale: bool,
            ) -> Result<S> {
                io::fetch(self, $dialect, statement, sink, retry_stale)
            }

            #[inline]
            fn execute(&mut self, statement: &Statement, retry_stale: bool) -> Result<Executed> {
                io::execute(self, $dialect, statement, retry_stale)
            }
        }
    };
}

/// The error for a target of another backend than `dialect`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
fn wrong_target(target: &Target, dialect: Dialect, handle: &str) -> ambidex_core::Error {
    match target.require(dialect, handle) {
        Err(e) => e,
        Ok(()) => ambidex_core::Error::Internal("a target was refused for its own backend".into()),
    }
}

#[cfg(feature = "sqlite")]
direct_backend!(
    diesel::sqlite::SqliteConnection,
    sqlite,
    Sqlite { path },
    Dialect::Sqlite,
    "blocking::SqliteDb"
);
#[cfg(feature = "postgres")]
direct_backend!(
    diesel::pg::PgConnection,
    postgres,
    Postgres { url },
    Dialect::Postgres,
    "blocking::PgDb"
);
#[cfg(feature = "mysql")]
direct_backend!(
    diesel::mysql::MysqlConnection,
    mysql,
    Mysql { url },
    Dialect::Mysql,
    "blocking::MysqlDb"
);

/// A diesel connection to whichever compiled-in backend the URL names: the connection of
/// [`crate::Db`], which dispatches each statement to it (one `match`, predicted perfectly in
/// practice). Handles for one backend use that backend's diesel connection instead.
pub struct AnyConnection(Inner);

enum Inner {
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::sqlite::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(diesel::pg::PgConnection),
    #[cfg(feature = "mysql")]
    Mysql(diesel::mysql::MysqlConnection),
    /// Stands in when no backend is compiled; never constructed.
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    Unavailable(std::convert::Infallible),
}

impl DieselBackend for AnyConnection {}

impl sealed::Sealed for AnyConnection {
    const HANDLE: &'static str = "blocking::Db";

    fn accepts(target: &Target) -> Result<()> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { .. } => Ok(()),
            #[cfg(feature = "postgres")]
            Target::Postgres { .. } => Ok(()),
            #[cfg(feature = "mysql")]
            Target::Mysql { .. } => Ok(()),
            #[allow(unreachable_patterns)]
            other => Err(other.feature_disabled("blocking (diesel)")),
        }
    }

    fn establish(target: &Target) -> Result<AnyConnection> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { path } => sqlite::establish(path).map(Inner::Sqlite),
            #[cfg(feature = "postgres")]
            Target::Postgres { url } => postgres::establish(url).map(Inner::Postgres),
            #[cfg(feature = "mysql")]
            Target::Mysql { url } => mysql::establish(url).map(Inner::Mysql),
            #[allow(unreachable_patterns)]
            other => Err(other.feature_disabled("blocking (diesel)")),
        }
        .map(AnyConnection)
    }

    fn dialect(&self) -> Dialect {
        match &self.0 {
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Inner::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Inner::Mysql(_) => Dialect::Mysql,
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Inner::Unavailable(never) => match *never {},
        }
    }

    #[inline]
    fn fetch<S: RowSink>(
        &mut self,
        statement: &Statement,
        sink: S,
        retry_stale: bool,
    ) -> Result<S> {
        match &mut self.0 {
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(c) => io::fetch(c, Dialect::Sqlite, statement, sink, retry_stale),
            #[cfg(feature = "postgres")]
            Inner::Postgres(c) => io::fetch(c, Dialect::Postgres, statement, sink, retry_stale),
            #[cfg(feature = "mysql")]
            Inner::Mysql(c) => io::fetch(c, Dialect::Mysql, statement, sink, retry_stale),
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Inner::Unavailable(never) => {
                let _ = (statement, sink, retry_stale);
                match *never {}
            }
        }
    }

    #[inline]
    fn execute(&mut self, statement: &Statement, retry_stale: bool) -> Result<Executed> {
        match &mut self.0 {
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(c) => io::execute(c, Dialect::Sqlite, statement, retry_stale),
            #[cfg(feature = "postgres")]
            Inner::Postgres(c) => io::execute(c, Dialect::Postgres, statement, retry_stale),
            #[cfg(feature = "mysql")]
            Inner::Mysql(c) => io::execute(c, Dialect::Mysql, statement, retry_stale),
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Inner::Unavailable(never) => {
                let _ = (statement, retry_stale);
                match *never {}
            }
        }
    }
}

/// Opens a diesel connection to `url` and runs the dialect's setup; a refused login is
/// [`ambidex_core::Error::Authentication`], anything else a connection error, both with the
/// password hidden.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn establish_server<C>(url: &str, dialect: Dialect) -> Result<C>
where
    C: diesel::Connection + diesel::connection::SimpleConnection,
{
    let mut conn = C::establish(url).map_err(|e| {
        let message = e.to_string();
        if dialect.rules().is_refused_login(&message) {
            ambidex_core::Error::Authentication {
                url: ambidex_core::redact_url(url),
                message,
            }
        } else {
            ambidex_core::Error::connection(url, message)
        }
    })?;
    run_setup(&mut conn, dialect)?;
    Ok(conn)
}

/// Runs the dialect's connection setup statements on a fresh diesel connection.
pub(crate) fn run_setup<C: diesel::connection::SimpleConnection>(
    conn: &mut C,
    dialect: Dialect,
) -> Result<()> {
    for sql in dialect.rules().connection_setup() {
        conn.batch_execute(sql)
            .map_err(|e| crate::error::from_diesel(dialect, e))?;
    }
    Ok(())
}
