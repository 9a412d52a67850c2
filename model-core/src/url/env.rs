//! A handle's configuration from the environment, as twelve-factor apps and the `ambidex`
//! CLI take it: `DATABASE_URL` names the database, and three optional variables tune the
//! pool, so one binary runs on SQLite in development and on PostgreSQL in production
//! without a code change.
//!
//! | variable | meaning | example |
//! |---|---|---|
//! | `DATABASE_URL` | the database (required) | `sqlite://app.db`, `postgres://app@db/app` |
//! | `DATABASE_MAX_CONNECTIONS` | the most connections the pool holds | `16` |
//! | `DATABASE_ACQUIRE_TIMEOUT` | how long a caller waits for a free connection | `5s`, `500ms` |
//! | `DATABASE_STATEMENT_TIMEOUT` | the longest one statement may run | `30s`, `2m` |
//!
//! Every handle has `from_env()` (open with these settings) and `builder_from_env()` (a
//! builder with them, to add more). A variable that is set but empty counts as unset; a
//! value that does not parse is [`Error::Config`] naming the variable and the forms it
//! takes, never a silent default. Durations are humantime's (`250ms`, `30s`, `1m 30s`).

use std::time::Duration;

use crate::error::{Error, Result};

/// The variable that names the database.
pub const DATABASE_URL: &str = "DATABASE_URL";
/// The variable with the pool's maximum size.
pub const DATABASE_MAX_CONNECTIONS: &str = "DATABASE_MAX_CONNECTIONS";
/// The variable with the acquire timeout.
pub const DATABASE_ACQUIRE_TIMEOUT: &str = "DATABASE_ACQUIRE_TIMEOUT";
/// The variable with the statement timeout.
pub const DATABASE_STATEMENT_TIMEOUT: &str = "DATABASE_STATEMENT_TIMEOUT";

/// What the environment says about the database and its pool; see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvConfig {
    /// `DATABASE_URL`.
    pub url: String,
    /// `DATABASE_MAX_CONNECTIONS`, if set.
    pub max_connections: Option<u32>,
    /// `DATABASE_ACQUIRE_TIMEOUT`, if set.
    pub acquire_timeout: Option<Duration>,
    /// `DATABASE_STATEMENT_TIMEOUT`, if set.
    pub statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for EnvConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvConfig")
            .field("url", &crate::error::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl EnvConfig {
    /// Reads the process environment.
    pub fn read() -> Result<EnvConfig> {
        EnvConfig::read_with(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `get` (a variable's value, or `None` when unset): the
    /// process environment for [`EnvConfig::read`], a map in tests.
    pub fn read_with(get: impl Fn(&str) -> Option<String>) -> Result<EnvConfig> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let url = get(DATABASE_URL).ok_or_else(|| {
            Error::Config(
                "DATABASE_URL is not set: set it to the database to open (sqlite://app.db, \
                 sqlite::memory:, postgres://user@host/db, mysql://user:password@host/db)"
                    .into(),
            )
        })?;
        let max_connections = get(DATABASE_MAX_CONNECTIONS)
            .map(|v| match v.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(Error::Config(
                    format!(
                        "{DATABASE_MAX_CONNECTIONS}={v:?} is not a pool size: give a whole \
                         number of connections, at least 1"
                    )
                    .into(),
                )),
            })
            .transpose()?;
        Ok(EnvConfig {
            url: url.trim().to_string(),
            max_connections,
            acquire_timeout: duration(&get, DATABASE_ACQUIRE_TIMEOUT)?,
            statement_timeout: duration(&get, DATABASE_STATEMENT_TIMEOUT)?,
        })
    }
}

/// The duration in variable `name`, if set.
fn duration(get: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<Duration>> {
    let Some(text) = get(name) else {
        return Ok(None);
    };
    match humantime::parse_duration(text.trim()) {
        Ok(d) if !d.is_zero() => Ok(Some(d)),
        Ok(_) => Err(Error::Config(
            format!("{name}={text:?}: a timeout must be longer than zero").into(),
        )),
        Err(e) => Err(Error::Config(
            format!(
                "{name}={text:?} is not a duration ({e}): write it with a unit, as 30s, 500ms or 2m"
            )
            .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<EnvConfig> {
        EnvConfig::read_with(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn reads_the_url_and_the_pool_settings() {
        let config = read(&[
            ("DATABASE_URL", " postgres://app:s3cret@db/app "),
            ("DATABASE_MAX_CONNECTIONS", "16"),
            ("DATABASE_ACQUIRE_TIMEOUT", "500ms"),
            ("DATABASE_STATEMENT_TIMEOUT", "1m 30s"),
        ])
        .unwrap();
        assert_eq!(config.url, "postgres://app:s3cret@db/app");
        assert_eq!(config.max_connections, Some(16));
        assert_eq!(config.acquire_timeout, Some(Duration::from_millis(500)));
        assert_eq!(config.statement_timeout, Some(Duration::from_secs(90)));
        assert!(!format!("{config:?}").contains("s3cret"), "{config:?}");
    }

    #[test]
    fn unset_and_empty_settings_are_left_to_the_builder() {
        let config = read(&[
            ("DATABASE_URL", "sqlite::memory:"),
            ("DATABASE_MAX_CONNECTIONS", ""),
        ])
        .unwrap();
        assert_eq!(
            (
                config.max_connections,
                config.acquire_timeout,
                config.statement_timeout
            ),
            (None, None, None)
        );
    }

    #[test]
    fn bad_values_are_errors_that_name_the_variable() {
        let missing = read(&[]).unwrap_err().to_string();
        assert!(missing.contains("DATABASE_URL is not set"), "{missing}");
        for (name, value, says) in [
            ("DATABASE_MAX_CONNECTIONS", "0", "at least 1"),
            ("DATABASE_MAX_CONNECTIONS", "eight", "not a pool size"),
            ("DATABASE_MAX_CONNECTIONS", "4294967296", "not a pool size"),
            ("DATABASE_ACQUIRE_TIMEOUT", "30", "with a unit"),
            ("DATABASE_ACQUIRE_TIMEOUT", "0s", "longer than zero"),
            ("DATABASE_STATEMENT_TIMEOUT", "soon", "not a duration"),
        ] {
            let e = read(&[("DATABASE_URL", "sqlite::memory:"), (name, value)]).unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{e:?}");
            let text = e.to_string();
            assert!(
                text.contains(name) && text.contains(says),
                "{name}={value}: {text}"
            );
        }
    }
}
