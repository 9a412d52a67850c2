//! Connection URLs, parsed once for every engine so that `sqlite://app.db` means the same
//! file to diesel and to sqlx, and an unknown scheme is the same error in both worlds;
//! and the URL and pool settings read from the environment ([`env`](mod@env)).

pub mod env;

use crate::error::{Error, Result, authority_is_unambiguous, redact_url};
use crate::sql::dialect::Dialect;

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
                            "SQLite URL options are not supported (in `{}`); \
                             use sqlite://path or sqlite::memory:",
                            redact_url(url)
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
            "postgres" | "postgresql" | "mysql" | "mariadb"
                if rest.contains('@') && !authority_is_unambiguous(url) =>
            {
                Err(Error::Config(
                    format!(
                        "the user or password of the database URL `{}` holds a character that \
                         must be percent-encoded (the drivers would read it differently, and \
                         part of the password could be printed): write `@` as %40, `/` as \
                         %2F, `?` as %3F, `#` as %23, a space as %20",
                        redact_url(url)
                    )
                    .into(),
                ))
            }
            "postgres" | "postgresql" => Ok(Target::Postgres {
                url: tls_options(Dialect::Postgres, url)?,
            }),
            "mysql" | "mariadb" => Ok(Target::Mysql {
                url: tls_options(Dialect::Mysql, &format!("mysql:{rest}"))?,
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

    /// Whether the URL requires an encrypted connection: a TLS mode of `require`,
    /// `verify-ca` or `verify-full` (in either backend's spelling, see
    /// [`Target::parse`]).
    ///
    /// ```
    /// use ambidex_core::Target;
    /// assert!(Target::parse("mysql://u@h/d?ssl-mode=REQUIRED").unwrap().requires_tls());
    /// assert!(!Target::parse("postgres://h/d?sslmode=prefer").unwrap().requires_tls());
    /// ```
    pub fn requires_tls(&self) -> bool {
        let url = match self {
            Target::Sqlite { .. } => return false,
            Target::Postgres { url } | Target::Mysql { url } => url,
        };
        let query = url.split_once('?').map_or("", |(_, q)| q);
        query.split('&').any(|pair| {
            matches!(
                pair.split_once('='),
                Some(("sslmode" | "ssl_mode", mode)) if !matches!(
                    mode,
                    "disable" | "disabled" | "allow" | "prefer" | "preferred"
                )
            )
        })
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

/// The TLS modes, in the PostgreSQL and the MySQL spelling of each.
const TLS_MODES: [(&str, &str); 5] = [
    ("disable", "disabled"),
    ("prefer", "preferred"),
    ("require", "required"),
    ("verify-ca", "verify_ca"),
    ("verify-full", "verify_identity"),
];

/// Rewrites the TLS options of a server URL into the spelling both engines read, so that
/// one URL means the same to diesel (libpq, libmysqlclient) and to sqlx.
///
/// The mode is `sslmode` (also spelled `ssl-mode` or `ssl_mode`), in either backend's
/// vocabulary: `disable`/`disabled`, `prefer`/`preferred`, `require`/`required`,
/// `verify-ca`/`verify_ca`, `verify-full`/`verify_identity`. The certificate authority is
/// `sslrootcert` (also `ssl-ca`, `ssl_ca`, `sslca`); a client certificate and key are
/// `sslcert` and `sslkey` (also `ssl-cert`/`ssl_cert`, `ssl-key`/`ssl_key`). Other options
/// are left as they are. An unknown mode is an [`Error::Config`].
fn tls_options(dialect: Dialect, url: &str) -> Result<String> {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let Some((head, query)) = base.split_once('?') else {
        return Ok(url.to_string());
    };
    let mut out: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let canonical = match key.to_ascii_lowercase().replace('_', "-").as_str() {
            "sslmode" | "ssl-mode" => "mode",
            "sslrootcert" | "ssl-root-cert" | "ssl-ca" | "sslca" => "ca",
            "sslcert" | "ssl-cert" => "cert",
            "sslkey" | "ssl-key" => "key",
            _ => {
                out.push(pair.to_string());
                continue;
            }
        };
        let value = if canonical == "mode" {
            let lower = value.to_ascii_lowercase();
            let Some(&(pg, my)) = TLS_MODES
                .iter()
                .find(|(pg, my)| lower == *pg || lower == *my || lower.replace('_', "-") == *pg)
            else {
                return Err(Error::Config(
                    format!(
                        "unknown TLS mode `{value}` in the {} URL; use one of disable, \
                         prefer, require, verify-ca, verify-full",
                        dialect.name()
                    )
                    .into(),
                ));
            };
            if dialect == Dialect::Postgres { pg } else { my }.to_string()
        } else {
            value.to_string()
        };
        match dialect {
            // libpq's names, which sqlx reads too (libpq refuses unknown options).
            Dialect::Postgres => {
                let name = match canonical {
                    "mode" => "sslmode",
                    "ca" => "sslrootcert",
                    "cert" => "sslcert",
                    _ => "sslkey",
                };
                out.push(format!("{name}={value}"));
            }
            // diesel reads `ssl_mode`, sqlx `ssl-mode`; each ignores the other's.
            _ => {
                out.push(format!("ssl_{canonical}={value}"));
                out.push(format!("ssl-{canonical}={value}"));
            }
        }
    }
    let mut rebuilt = head.to_string();
    if !out.is_empty() {
        rebuilt.push('?');
        rebuilt.push_str(&out.join("&"));
    }
    if let Some(f) = fragment {
        rebuilt.push('#');
        rebuilt.push_str(f);
    }
    Ok(rebuilt)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn url_of(url: &str) -> String {
        match Target::parse(url).expect("parses") {
            Target::Postgres { url } | Target::Mysql { url } => url,
            Target::Sqlite { path } => path,
        }
    }

    #[test]
    fn tls_options_reach_both_engines_in_their_spelling() {
        assert_eq!(
            url_of("postgres://u:p@h/d?ssl-mode=REQUIRED&application_name=x&ssl_ca=/ca.pem"),
            "postgres://u:p@h/d?sslmode=require&application_name=x&sslrootcert=/ca.pem"
        );
        assert_eq!(
            url_of("mariadb://u:p@h/d?sslmode=verify-full"),
            "mysql://u:p@h/d?ssl_mode=verify_identity&ssl-mode=verify_identity"
        );
        assert_eq!(
            url_of("mysql://u@h/d?ssl-mode=disabled&ssl-ca=/ca.pem"),
            "mysql://u@h/d?ssl_mode=disabled&ssl-mode=disabled&ssl_ca=/ca.pem&ssl-ca=/ca.pem"
        );
        assert_eq!(url_of("postgres://h/d"), "postgres://h/d");
    }

    #[test]
    fn a_password_with_unencoded_delimiters_is_refused_without_showing_it() {
        for url in [
            "postgres://app:12/hunter@h/d",
            "mysql://app:hun@ter@h/d",
            "mariadb://app:12#hunter@h/d",
            "postgresql://app:12?hunter@h/d",
        ] {
            let Err(Error::Config(message)) = Target::parse(url) else {
                panic!("{url} is accepted");
            };
            assert!(!message.contains("hunter"), "{message}");
            assert!(message.contains("%40"), "{message}");
        }
        assert!(Target::parse("postgres://app:hun%40ter@h/d").is_ok());
        let Err(Error::Config(message)) = Target::parse("sqlite://x.db?key=1&password=hunter")
        else {
            panic!("SQLite options are refused");
        };
        assert!(!message.contains("hunter"), "{message}");
        assert!(Target::parse("postgres://h/d?application_name=x").is_ok());
    }

    #[test]
    fn an_unknown_tls_mode_is_a_config_error_without_the_password() {
        let Err(Error::Config(message)) = Target::parse("postgres://u:hunter2@h/d?sslmode=maybe")
        else {
            panic!("expected Error::Config");
        };
        assert!(
            message.contains("maybe") && message.contains("require"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}
