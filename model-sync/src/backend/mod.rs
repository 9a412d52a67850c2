//! The diesel connection of each backend, as a [`DieselBackend`]: directly (a handle for
//! one backend calls its module with no dispatch), and behind [`AnyConnection`], an enum
//! that a handle opened from any URL dispatches through. Each backend's module only carries bytes: it opens the
//! connection and turns the driver's raw values into [`ambidex_core::Cell`]s. Running a
//! statement is the same for all three and is stamped out once by `diesel_io!`.

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use ambidex_core::{Dialect, Executed, Result, RowSink, Statement, Target};

/// A row decoded inside diesel's row-building hook (`FromSqlRow`), so rows are read by
/// position straight from the driver's buffers.
pub(crate) struct Decoded<S: RowSink>(pub(crate) S::Item);

/// Implements `fetch` and `execute` for one diesel connection type.
macro_rules! diesel_io {
    ($conn:ty, $dialect:expr) => {
        #[inline]
        pub(crate) fn fetch<S: ambidex_core::RowSink>(
            conn: &mut $conn,
            statement: &ambidex_core::Statement,
            mut sink: S,
        ) -> ambidex_core::Result<S> {
            use diesel::RunQueryDsl;
            let rows = crate::statement::DieselStatement(statement)
                .load_iter::<crate::backend::Decoded<S>, diesel::connection::DefaultLoadingMode>(
                    conn,
                )
                .map_err(|e| crate::error::from_diesel($dialect, e))?;
            for row in rows {
                let crate::backend::Decoded(item) =
                    row.map_err(|e| crate::error::from_diesel($dialect, e))?;
                sink.push(item)?;
            }
            Ok(sink)
        }

        #[inline]
        pub(crate) fn execute(
            conn: &mut $conn,
            statement: &ambidex_core::Statement,
        ) -> ambidex_core::Result<ambidex_core::Executed> {
            use diesel::RunQueryDsl;
            let n = crate::statement::DieselStatement(statement)
                .execute(conn)
                .map_err(|e| crate::error::from_diesel($dialect, e))?;
            Ok(ambidex_core::Executed {
                rows_affected: n as u64,
                last_insert_id: None,
            })
        }
    };
}
pub(crate) use diesel_io;

/// Implements diesel's `FromSqlRow` for [`Decoded`] with a backend's row reader.
macro_rules! decoded_rows {
    ($backend:ty, $reader:ident) => {
        impl<S: ambidex_core::RowSink>
            diesel::deserialize::FromSqlRow<diesel::sql_types::Untyped, $backend>
            for crate::backend::Decoded<S>
        {
            #[inline]
            fn build_from_row<'a>(
                row: &impl diesel::row::Row<'a, $backend>,
            ) -> diesel::deserialize::Result<Self> {
                S::decode(&$reader {
                    row,
                    _a: std::marker::PhantomData,
                })
                .map(crate::backend::Decoded)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
            }
        }
    };
}
pub(crate) use decoded_rows;

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
        /// Runs a query, feeding its rows to `sink`.
        fn fetch<S: RowSink>(&mut self, statement: &Statement, sink: S) -> Result<S>;
        /// Runs a statement that returns no rows.
        fn execute(&mut self, statement: &Statement) -> Result<Executed>;
    }
}

/// Implements [`DieselBackend`] for one backend's diesel connection with that backend's
/// module (`establish`, `fetch`, `execute`): a direct call, no dispatch.
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
            fn fetch<S: RowSink>(&mut self, statement: &Statement, sink: S) -> Result<S> {
                $module::fetch(self, statement, sink)
            }

            #[inline]
            fn execute(&mut self, statement: &Statement) -> Result<Executed> {
                $module::execute(self, statement)
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
    fn fetch<S: RowSink>(&mut self, statement: &Statement, sink: S) -> Result<S> {
        match &mut self.0 {
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(c) => sqlite::fetch(c, statement, sink),
            #[cfg(feature = "postgres")]
            Inner::Postgres(c) => postgres::fetch(c, statement, sink),
            #[cfg(feature = "mysql")]
            Inner::Mysql(c) => mysql::fetch(c, statement, sink),
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Inner::Unavailable(never) => {
                let _ = (statement, sink);
                match *never {}
            }
        }
    }

    #[inline]
    fn execute(&mut self, statement: &Statement) -> Result<Executed> {
        match &mut self.0 {
            #[cfg(feature = "sqlite")]
            Inner::Sqlite(c) => sqlite::execute(c, statement),
            #[cfg(feature = "postgres")]
            Inner::Postgres(c) => postgres::execute(c, statement),
            #[cfg(feature = "mysql")]
            Inner::Mysql(c) => mysql::execute(c, statement),
            #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
            Inner::Unavailable(never) => {
                let _ = statement;
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
