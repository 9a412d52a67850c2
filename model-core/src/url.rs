//! Connection URLs, parsed once for every engine so that `sqlite://app.db` means the same
//! file to diesel and to sqlx, and an unknown scheme is the same error in both worlds.

use crate::dialect::Dialect;
use crate::error::{Error, Result, redact_url};

/// Where a connection URL points.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite database file, or `:memory:`.
    Sqlite {
        /// The file path, or `:memory:`.
        path: String,
    },
    /// A PostgreSQL server (`postgres://` or `postgresql://`).
    Postgres {
        /// The URL as given.
        url: String,
    },
    /// A MySQL or MariaDB server (`mysql://` or `mariadb://`, normalized to `mysql://`).
    Mysql {
        /// The URL, with the scheme normalized to `mysql://`.
        url: String,
    },
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            Target::Postgres { url } => f
                .debug_struct("Postgres")
                .field("url", &redact_url(url))
                .finish(),
            Target::Mysql { url } => f
                .debug_struct("Mysql")
                .field("url", &redact_url(url))
                .finish(),
        }
    }
}

impl Target {
    /// Parses a connection URL.
    ///
    /// ```
    /// use ambidex_core::Target;
    /// assert_eq!(Target::parse("sqlite://app.db").unwrap(), Target::Sqlite { path: "app.db".into() });
    /// assert_eq!(Target::parse("sqlite::memory:").unwrap(), Target::Sqlite { path: ":memory:".into() });
    /// assert!(Target::parse("oracle://x").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Target> {
        let url = url.trim();
        let (scheme, rest) = url.split_once(':').ok_or_else(|| unknown_scheme(url))?;
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                // Query options (`?mode=...`) are not supported yet: refuse them rather than
                // silently ignore them.
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.contains('?') {
                    return Err(Error::Config(
                        format!(
                            "SQLite URL options are not supported (in `{url}`); \
                             use sqlite://path or sqlite::memory:"
                        )
                        .into(),
                    ));
                }
                if path.is_empty() {
                    return Err(Error::Config(
                        "a sqlite URL needs a file path (sqlite://app.db) or sqlite::memory:"
                            .into(),
                    ));
                }
                Ok(Target::Sqlite {
                    path: path.to_string(),
                })
            }
            "postgres" | "postgresql" => Ok(Target::Postgres {
                url: url.to_string(),
            }),
            "mysql" | "mariadb" => Ok(Target::Mysql {
                url: format!("mysql:{rest}"),
            }),
            _ => Err(unknown_scheme(url)),
        }
    }

    /// The dialect of the target's backend.
    pub fn dialect(&self) -> Dialect {
        match self {
            Target::Sqlite { .. } => Dialect::Sqlite,
            Target::Postgres { .. } => Dialect::Postgres,
            Target::Mysql { .. } => Dialect::Mysql,
        }
    }

    /// Whether the target is an in-memory SQLite database (one per connection: pools of
    /// such a target must hold a single connection).
    pub fn is_memory(&self) -> bool {
        matches!(self, Target::Sqlite { path } if path == ":memory:")
    }

    /// The cargo feature of the `ambidex` crate that enables this backend.
    pub fn feature(&self) -> &'static str {
        match self {
            Target::Sqlite { .. } => "sqlite",
            Target::Postgres { .. } => "postgres",
            Target::Mysql { .. } => "mysql",
        }
    }

    /// Checks that the target is a `dialect` database, for a handle (`handle`, e.g.
    /// `ambidex::blocking::PgDb`) that serves one backend only: another backend's URL is an
    /// [`Error::Config`] naming the scheme the handle expects.
    ///
    /// ```
    /// use ambidex_core::{Dialect, Error, Target};
    /// let target = Target::parse("sqlite::memory:").unwrap();
    /// assert!(target.require(Dialect::Sqlite, "SqliteDb").is_ok());
    /// let Err(Error::Config(message)) = target.require(Dialect::Postgres, "PgDb") else { panic!() };
    /// assert!(message.contains("postgres://"), "{message}");
    /// ```
    pub fn require(&self, dialect: Dialect, handle: &str) -> Result<()> {
        if self.dialect() == dialect {
            return Ok(());
        }
        let expected = match dialect {
            Dialect::Sqlite => "a sqlite:// URL (sqlite://path or sqlite::memory:)",
            Dialect::Postgres => "a postgres:// (or postgresql://) URL",
            Dialect::Mysql => "a mysql:// (or mariadb://) URL",
        };
        Err(Error::Config(
            format!(
                "`{handle}` connects to {} only and needs {expected}, but was given a {} URL; \
                 use the handle that picks the backend from the URL (`Db`) for that",
                dialect.name(),
                self.dialect().name(),
            )
            .into(),
        ))
    }

    /// The error for a backend this build does not include.
    pub fn feature_disabled(&self, engine: &str) -> Error {
        Error::Config(
            format!(
                "{} support is not compiled into ambidex's {engine} engine; enable the `{}` \
                 feature of the `ambidex` crate",
                self.dialect().name(),
                self.feature()
            )
            .into(),
        )
    }
}

fn unknown_scheme(url: &str) -> Error {
    Error::Config(
        format!(
            "unknown database URL `{}`: expected sqlite://path, sqlite::memory:, \
             postgres://... or mysql://... (mariadb://...)",
            redact_url(url)
        )
        .into(),
    )
}
