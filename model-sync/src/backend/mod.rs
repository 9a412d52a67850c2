//! The diesel connection of each backend, behind one enum so that a handle opened from a
//! URL dispatches to the right one. Each backend's module only carries bytes: it opens the
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

/// A diesel connection to one of the compiled-in backends.
pub(crate) enum AnyConnection {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::sqlite::SqliteConnection),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(diesel::pg::PgConnection),
    /// MySQL / MariaDB.
    #[cfg(feature = "mysql")]
    Mysql(diesel::mysql::MysqlConnection),
}

impl AnyConnection {
    /// Opens a connection to `target` and runs the dialect's connection setup.
    pub(crate) fn establish(target: &Target) -> Result<AnyConnection> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite { path } => sqlite::establish(path).map(AnyConnection::Sqlite),
            #[cfg(feature = "postgres")]
            Target::Postgres { url } => postgres::establish(url).map(AnyConnection::Postgres),
            #[cfg(feature = "mysql")]
            Target::Mysql { url } => mysql::establish(url).map(AnyConnection::Mysql),
            #[allow(unreachable_patterns)]
            other => Err(other.feature_disabled("blocking (diesel)")),
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(_) => Dialect::Mysql,
        }
    }

    #[inline]
    pub(crate) fn fetch<S: RowSink>(&mut self, statement: &Statement, sink: S) -> Result<S> {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => sqlite::fetch(c, statement, sink),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => postgres::fetch(c, statement, sink),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => mysql::fetch(c, statement, sink),
        }
    }

    #[inline]
    pub(crate) fn execute(&mut self, statement: &Statement) -> Result<Executed> {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => sqlite::execute(c, statement),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => postgres::execute(c, statement),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => mysql::execute(c, statement),
        }
    }
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
