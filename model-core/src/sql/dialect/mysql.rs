//! MySQL and MariaDB: backtick quoting, `?` placeholders, RETURNING on inserts only where
//! the server is MariaDB (else LAST_INSERT_ID), binary collation so text compares
//! case-sensitively, error numbers.

use super::{
    Server, SqlDialect, classify_by_hint, constraint_or_unknown, count_value, standard_function,
};
use crate::engine::tx_options::TxOptions;
use crate::error::{DbFailure, Error, Result};
use crate::query::ast::{DatePart, Func, RowLock};
use crate::sql::writer::SqlWriter;
use crate::value::{DefaultValue, ValueKind};

/// The MySQL / MariaDB dialect (MySQL 8, MariaDB 10.5 or later).
#[derive(Debug, Clone, Copy, Default)]
pub struct Mysql;

/// The text between `prefix` and the next `'`.
fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let (_, rest) = message.split_once(prefix)?;
    rest.split_once('\'').map(|(name, _)| name.to_string())
}

/// The name in "... CONSTRAINT `name` ..." (foreign-key and check failures).
fn backquoted_after(message: &str, prefix: &str) -> Option<String> {
    let (_, rest) = message.split_once(prefix)?;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

/// The key name in "Duplicate entry 'x' for key 'name'".
fn key_from_message(message: &str) -> Option<String> {
    let (_, rest) = message.rsplit_once("for key '")?;
    Some(rest.trim_end_matches('\'').to_string())
}

impl SqlDialect for Mysql {
    fn name(&self) -> &'static str {
        "MySQL/MariaDB"
    }

    fn write_ident(&self, out: &mut String, ident: &str) {
        out.push('`');
        for c in ident.chars() {
            if c == '`' {
                out.push('`');
            }
            out.push(c);
        }
        out.push('`');
    }

    fn write_placeholder(&self, out: &mut String, _n: usize) {
        out.push('?');
    }

    fn max_bind_params(&self) -> usize {
        65_535
    }

    fn cast_type(&self, kind: ValueKind) -> &'static str {
        // MySQL's CAST takes its own names: SIGNED for BIGINT, no SMALLINT at all.
        match kind {
            ValueKind::Bool | ValueKind::I16 | ValueKind::I32 | ValueKind::I64 => "SIGNED",
            ValueKind::F32 | ValueKind::F64 => "DOUBLE",
            ValueKind::Text => "CHAR CHARACTER SET utf8mb4",
            ValueKind::Blob => "BINARY",
            // Aggregates only cast sums and averages; other kinds keep their column type.
            other => self.column_type(other, false),
        }
    }

    fn cast_collation(&self, kind: ValueKind) -> Option<&'static str> {
        // As ambidex's text columns: compared by bytes (code points).
        (kind == ValueKind::Text).then_some("utf8mb4_bin")
    }

    fn column_type(&self, kind: ValueKind, keyed: bool) -> &'static str {
        // Binary collation: `=`, LIKE and unique keys compare text exactly, as on the other
        // backends (MariaDB's default collation ignores case and trailing spaces).
        match (kind, keyed) {
            (ValueKind::Bool, _) => "BOOLEAN",
            (ValueKind::I16, _) => "SMALLINT",
            (ValueKind::I32, _) => "INT",
            (ValueKind::I64, _) => "BIGINT",
            (ValueKind::F32, _) => "FLOAT",
            (ValueKind::F64, _) => "DOUBLE",
            (ValueKind::Text, false) => "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            (ValueKind::Text, true) => "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            (ValueKind::Blob, false) => "LONGBLOB",
            (ValueKind::Blob, true) => "VARBINARY(255)",
            (ValueKind::Date, _) => "DATE",
            (ValueKind::DateTime | ValueKind::Timestamp, _) => "DATETIME(6)",
            (ValueKind::Time, _) => "TIME(6)",
            (ValueKind::Uuid, _) => "CHAR(36) CHARACTER SET ascii COLLATE ascii_bin",
            (ValueKind::Decimal, _) => "DECIMAL(65,28)",
            (ValueKind::Json, _) => "JSON",
        }
    }

    fn write_auto_key(&self, w: &mut SqlWriter, name: &str, kind: ValueKind) {
        w.ident(name)
            .push(" ")
            .push(self.column_type(kind, true))
            .push(" NOT NULL AUTO_INCREMENT PRIMARY KEY");
    }

    fn write_default(&self, out: &mut String, value: DefaultValue) {
        match value {
            DefaultValue::Text(s) => {
                out.push('\'');
                out.push_str(&s.replace('\\', "\\\\").replace('\'', "''"));
                out.push('\'');
            }
            other => {
                // Standard literals for the rest.
                super::Sqlite.write_default(out, other)
            }
        }
    }

    /// A backslash escapes in MySQL's string literals: doubled, it is itself.
    fn default_literal(&self, standard: &str) -> String {
        if standard.starts_with('\'') {
            standard.replace('\\', "\\\\")
        } else {
            standard.to_string()
        }
    }

    fn transactional_ddl(&self) -> bool {
        // Every CREATE, ALTER and DROP commits the open transaction first and itself at once.
        false
    }

    fn session_lock(&self, timeout_secs: u32) -> Option<(String, String)> {
        // Lock names are server-wide (and at most 64 characters): one per database.
        let name = "CONCAT('ambidex_migrations.', LEFT(DATABASE(), 40))";
        Some((
            format!("SELECT GET_LOCK({name}, {timeout_secs})"),
            format!("SELECT RELEASE_LOCK({name})"),
        ))
    }

    fn alter_form(&self) -> crate::sql::ddl::AlterForm {
        crate::sql::ddl::AlterForm::Modify
    }

    fn drop_index(&self, table: &str, name: &str, _unique: bool) -> Vec<String> {
        let (mut t, mut n) = (String::new(), String::new());
        self.write_ident(&mut t, table);
        self.write_ident(&mut n, name);
        vec![format!("DROP INDEX {n} ON {t}")]
    }

    fn drop_foreign_key_clause(&self) -> &'static str {
        "DROP FOREIGN KEY"
    }

    fn introspection(&self) -> super::Introspection {
        super::Introspection {
            tables: "SELECT TABLE_NAME FROM information_schema.TABLES \
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' \
                     ORDER BY TABLE_NAME",
            // MariaDB's JSON is LONGTEXT with the CHECK (json_valid(`c`)) it adds: read
            // back as JSON, what the column was created as (MySQL's JSON is its own type).
            columns: "SELECT c.COLUMN_NAME, CASE WHEN c.DATA_TYPE = 'longtext' AND EXISTS \
                      (SELECT 1 FROM information_schema.TABLE_CONSTRAINTS tc \
                      JOIN information_schema.CHECK_CONSTRAINTS cc \
                      ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA \
                      AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
                      WHERE tc.TABLE_SCHEMA = c.TABLE_SCHEMA AND tc.TABLE_NAME = c.TABLE_NAME \
                      AND tc.CONSTRAINT_TYPE = 'CHECK' \
                      AND cc.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)')) \
                      THEN 'json' ELSE c.COLUMN_TYPE END, \
                      CASE WHEN c.IS_NULLABLE = 'YES' THEN 1 ELSE 0 END, c.COLUMN_DEFAULT, \
                      CASE WHEN c.COLUMN_KEY = 'PRI' THEN 1 ELSE 0 END, \
                      CASE WHEN c.EXTRA LIKE '%auto_increment%' THEN 1 ELSE 0 END \
                      FROM information_schema.COLUMNS c \
                      WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? \
                      ORDER BY c.ORDINAL_POSITION",
            columns_binds: 1,
            indexes: "SELECT INDEX_NAME, COLUMN_NAME, CASE WHEN NON_UNIQUE = 0 THEN 1 ELSE 0 END, \
                      CAST(SEQ_IN_INDEX AS SIGNED) FROM information_schema.STATISTICS \
                      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
                      AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            foreign_keys: "SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
                           k.REFERENCED_COLUMN_NAME, r.DELETE_RULE \
                           FROM information_schema.KEY_COLUMN_USAGE k \
                           JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
                           AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
                           WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? \
                           AND k.REFERENCED_TABLE_NAME IS NOT NULL \
                           ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            table_binds: 1,
        }
    }

    fn kind_of_type(&self, db_type: &str) -> Option<(ValueKind, bool)> {
        let t = db_type.to_ascii_lowercase();
        let base = t.split(['(', ' ']).next().unwrap_or_default();
        let kind = match base {
            "tinyint" if t.starts_with("tinyint(1)") => ValueKind::Bool,
            "boolean" | "bool" => ValueKind::Bool,
            "smallint" => ValueKind::I16,
            "int" | "integer" | "mediumint" => ValueKind::I32,
            "bigint" => ValueKind::I64,
            "float" => ValueKind::F32,
            "double" => ValueKind::F64,
            "varchar" => return Some((ValueKind::Text, true)),
            "char" if t.starts_with("char(36)") => ValueKind::Uuid,
            "char" | "text" | "tinytext" | "mediumtext" | "longtext" => ValueKind::Text,
            "varbinary" => return Some((ValueKind::Blob, true)),
            "binary" | "blob" | "tinyblob" | "mediumblob" | "longblob" => ValueKind::Blob,
            "date" => ValueKind::Date,
            "datetime" | "timestamp" => ValueKind::DateTime,
            "time" => ValueKind::Time,
            "decimal" => ValueKind::Decimal,
            "json" => ValueKind::Json,
            _ => return None,
        };
        Some((kind, false))
    }

    fn table_exists_query(&self) -> &'static str {
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = ?"
    }

    fn supports_returning(&self) -> bool {
        // MySQL has no RETURNING at all, and MariaDB none on UPDATE.
        false
    }

    fn insert_returning(&self, server: Server) -> bool {
        // MariaDB 10.5 added `INSERT ... RETURNING`; MySQL never did.
        server == Server::Mariadb
    }

    fn delete_returning(&self, server: Server) -> bool {
        // MariaDB 10.5 added `DELETE ... RETURNING` too; MySQL never did.
        server == Server::Mariadb
    }

    fn server_version_query(&self) -> Option<&'static str> {
        Some("SELECT VERSION()")
    }

    /// MariaDB says so in its version (`10.11.6-MariaDB-0+deb12u1`; behind some proxies
    /// with the `5.5.5-` prefix its handshake carries); MySQL's is a bare number
    /// (`8.0.36`). MariaDB before 10.5 counts as MySQL: it has no `INSERT ... RETURNING`.
    fn server_of(&self, version: &str) -> Server {
        if !version.to_ascii_lowercase().contains("mariadb") {
            return Server::Standard;
        }
        let number = version.strip_prefix("5.5.5-").unwrap_or(version);
        let mut parts = number.split(|c: char| !c.is_ascii_digit());
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if (major, minor) >= (10, 5) {
            Server::Mariadb
        } else {
            Server::Standard
        }
    }

    /// MariaDB spells a shared lock `LOCK IN SHARE MODE` (it has no `FOR SHARE`) and
    /// takes `SKIP LOCKED` from 10.6 and `NOWAIT` from 10.3 on either form.
    fn lock_clause(&self, lock: RowLock) -> Option<&'static str> {
        use crate::query::ast::{LockStrength as S, LockWait as W};
        Some(match (lock.strength, lock.wait) {
            (S::Update, W::Wait) => " FOR UPDATE",
            (S::Update, W::SkipLocked) => " FOR UPDATE SKIP LOCKED",
            (S::Update, W::NoWait) => " FOR UPDATE NOWAIT",
            (S::Share, W::Wait) => " LOCK IN SHARE MODE",
            (S::Share, W::SkipLocked) => " LOCK IN SHARE MODE SKIP LOCKED",
            (S::Share, W::NoWait) => " LOCK IN SHARE MODE NOWAIT",
        })
    }

    fn last_insert_id_query(&self) -> Option<&'static str> {
        Some("SELECT LAST_INSERT_ID()")
    }

    fn integer_division(&self) -> &'static str {
        "DIV"
    }

    /// `||` is OR in MySQL's default SQL mode, so text is joined with `CONCAT` (NULL if
    /// any argument is, as `||` elsewhere).
    fn function(&self, func: Func) -> Option<&'static str> {
        match func {
            Func::Concat => Some("CONCAT"),
            other => standard_function(other),
        }
    }

    fn set_reads_updated_columns(&self) -> bool {
        true
    }

    fn types_results_at_prepare(&self) -> bool {
        true
    }

    /// Dates and times are stored in UTC (`DATETIME(6)`), so no conversion is needed.
    fn date_part(&self, part: DatePart, _kind: ValueKind) -> (&'static str, &'static str) {
        match part {
            DatePart::Year => ("YEAR(", ")"),
            DatePart::Month => ("MONTH(", ")"),
            DatePart::Day => ("DAYOFMONTH(", ")"),
            DatePart::Date => ("DATE(", ")"),
        }
    }

    fn insert_defaults_clause(&self) -> &'static str {
        " () VALUES ()"
    }

    fn write_like(&self, w: &mut SqlWriter, column: &str, pattern: &str, case_insensitive: bool) {
        // Backslash is MySQL's default LIKE escape, as in ambidex's pattern syntax.
        if case_insensitive {
            w.push("LOWER(")
                .push(column)
                .push(") LIKE LOWER(")
                .bind(crate::value::Value::Text(pattern.to_string()))
                .push(")");
        } else {
            w.push(column)
                .push(" LIKE ")
                .bind(crate::value::Value::Text(pattern.to_string()));
        }
    }

    fn write_limit_offset(&self, w: &mut SqlWriter, limit: Option<u64>, offset: Option<u64>) {
        w.push(" LIMIT ");
        match limit {
            Some(n) => w.bind(count_value(n)),
            None => w.push("18446744073709551615"),
        };
        if let Some(n) = offset {
            w.push(" OFFSET ").bind(count_value(n));
        }
    }

    fn begin(&self) -> &'static str {
        "START TRANSACTION"
    }

    fn begin_with(&self, options: &TxOptions) -> Result<(Option<String>, String)> {
        // `SET TRANSACTION` (without SESSION) applies to the next transaction only.
        let before = options
            .isolation_level()
            .map(|level| format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql()));
        let begin = if options.is_read_only() {
            "START TRANSACTION READ ONLY"
        } else {
            "START TRANSACTION"
        };
        Ok((before, begin.to_string()))
    }

    fn check_float(&self, value: f64) -> Result<(), &'static str> {
        if value.is_finite() {
            Ok(())
        } else {
            Err("MySQL and MariaDB store neither infinities nor NaN")
        }
    }

    fn typed_placeholder(&self, kind: ValueKind) -> (&'static str, &'static str) {
        // Text compared with a DECIMAL is compared as a double, and with a date as text in
        // some contexts: convert the parameter to the column's type first.
        match kind {
            ValueKind::Date => ("CAST(", " AS DATE)"),
            ValueKind::DateTime | ValueKind::Timestamp => ("CAST(", " AS DATETIME(6))"),
            ValueKind::Time => ("CAST(", " AS TIME(6))"),
            ValueKind::Decimal => ("CAST(", " AS DECIMAL(65,28))"),
            _ => ("", ""),
        }
    }

    fn connection_setup(&self) -> &'static [&'static str] {
        // A known SQL mode whatever the server's default: strict, so an out-of-range or NULL
        // value is an error rather than silently clipped or zeroed, and without
        // NO_BACKSLASH_ESCAPES or ANSI_QUOTES, which would change what the rendered SQL
        // means. UTC for the session, so times mean the same on every connection.
        &[
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,\
              NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE'",
            "SET SESSION time_zone = '+00:00'",
        ]
    }

    fn indexes_inline(&self) -> bool {
        true
    }

    fn table_options(&self) -> &'static str {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    }

    fn is_refused_login(&self, message: &str) -> bool {
        message.contains("Access denied")
    }

    fn tls_cipher_query(&self) -> Option<&'static str> {
        Some(
            "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS \
             WHERE VARIABLE_NAME = 'SSL_CIPHER'",
        )
    }

    fn statement_timeout_setup(&self, timeout: std::time::Duration) -> String {
        // MariaDB's limit, in seconds with a fraction; an interrupted statement fails with
        // error 1969, classified as `Error::Timeout`. (MySQL has no such variable and
        // refuses the setting when the pool opens.)
        let millis = super::timeout_millis(timeout);
        format!(
            "SET SESSION max_statement_time = {}.{:03}",
            millis / 1000,
            millis % 1000
        )
    }

    fn classify(&self, f: DbFailure) -> Error {
        let from_message =
            key_from_message(&f.message).or_else(|| backquoted_after(&f.message, "CONSTRAINT `"));
        let constraint = from_message.unwrap_or_else(|| constraint_or_unknown(&f));
        match f.code.as_deref() {
            Some("1054") | None if f.message.starts_with("Unknown column '") => {
                let column = quoted_after(&f.message, "Unknown column '").unwrap_or_default();
                Error::schema_drift(&column, f.message)
            }
            Some("1062" | "1586") => Error::UniqueViolation {
                constraint,
                message: f.message,
            },
            Some("1451" | "1452" | "1216" | "1217") => Error::ForeignKeyViolation {
                constraint,
                message: f.message,
            },
            Some("1048" | "1364") => Error::NotNullViolation {
                column: not_null_column(&f.message).unwrap_or(constraint),
                message: f.message,
            },
            Some("1264" | "1690") => Error::ValueOutOfRange { message: f.message },
            Some("4025" | "3819") => Error::CheckViolation {
                constraint,
                message: f.message,
            },
            // 1213 deadlock, 1205 lock wait timeout (MariaDB's NOWAIT too), 3572 MySQL 8's NOWAIT.
            Some("1213" | "1205" | "3572") => Error::Conflict { message: f.message },
            Some("3024" | "1969") => Error::Timeout { message: f.message },
            // The connection was killed or lost, or the server is shutting down: the
            // connection is dead, and the pool must not hand it out again. 1927 killed,
            // 1053 shutdown, 1158-1161 network read/write errors, 2006 gone away, 2013 and
            // 2055 lost during a query, 4031 disconnected for inactivity (MySQL 8).
            Some(
                "1927" | "1053" | "1158" | "1159" | "1160" | "1161" | "2006" | "2013" | "2055"
                | "4031",
            ) => Error::Connection {
                url: "(current connection)".into(),
                message: f.message,
            },
            _ if is_lost_connection(&f.message) => Error::Connection {
                url: "(current connection)".into(),
                message: f.message,
            },
            // The engine that knows the URL adds advice (sqlx and empty passwords).
            Some("1045") => Error::Authentication {
                url: "(current connection)".into(),
                message: f.message,
            },
            _ if (f.message.starts_with("Column '") && f.message.ends_with("cannot be null"))
                || (f.message.starts_with("Field '")
                    && f.message.ends_with("doesn't have a default value")) =>
            {
                Error::NotNullViolation {
                    column: not_null_column(&f.message).unwrap_or(constraint),
                    message: f.message,
                }
            }
            _ if f.message.contains("foreign key constraint fails") => Error::ForeignKeyViolation {
                constraint,
                message: f.message,
            },
            _ if f.message.starts_with("CONSTRAINT `") && f.message.contains("` failed") => {
                Error::CheckViolation {
                    constraint,
                    message: f.message,
                }
            }
            _ if f.message.starts_with("Out of range value") => {
                Error::ValueOutOfRange { message: f.message }
            }
            _ if f.message.starts_with("Duplicate entry") => Error::UniqueViolation {
                constraint,
                message: f.message,
            },
            _ if f.message.contains("Deadlock found")
                || f.message.contains("Lock wait timeout") =>
            {
                Error::Conflict { message: f.message }
            }
            _ if f.message.contains("max_statement_time")
                || f.message.contains("maximum statement execution time") =>
            {
                Error::Timeout { message: f.message }
            }
            _ => classify_by_hint(DbFailure {
                constraint: Some(constraint),
                ..f
            }),
        }
    }
}

/// The column a NOT NULL failure names: 1048 says "Column 'x' cannot be null", 1364
/// (an omitted column without a default) says "Field 'x' doesn't have a default value".
fn not_null_column(message: &str) -> Option<String> {
    quoted_after(message, "Column '").or_else(|| quoted_after(message, "Field '"))
}

/// Whether a message without a code (diesel reports none) says the connection is gone.
/// Compared without case: client libraries and server versions capitalize these
/// differently ("MySQL server has gone away", "Server has gone away").
fn is_lost_connection(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "lost connection to",
        "server has gone away",
        "connection was killed",
        "server shutdown in progress",
        "disconnected by the server because of inactivity",
        "got an error reading communication packets",
        "got an error writing communication packets",
        "got timeout reading communication packets",
    ]
    .iter()
    .any(|gone| message.contains(gone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_told_by_its_version() {
        let m = Mysql;
        assert_eq!(m.server_of("10.11.19-MariaDB-0+deb12u1"), Server::Mariadb);
        assert_eq!(m.server_of("11.4.2-MariaDB"), Server::Mariadb);
        assert_eq!(m.server_of("5.5.5-10.6.12-MariaDB-log"), Server::Mariadb);
        // Before 10.5 MariaDB has no INSERT ... RETURNING: it counts as MySQL.
        assert_eq!(m.server_of("10.4.32-MariaDB"), Server::Standard);
        assert_eq!(m.server_of("8.0.36"), Server::Standard);
        assert_eq!(m.server_of("8.4.0-commercial"), Server::Standard);
        assert!(m.insert_returning(Server::Mariadb));
        assert!(!m.insert_returning(Server::Standard));
        assert!(
            !m.supports_returning(),
            "no UPDATE ... RETURNING on MariaDB"
        );
        assert_eq!(m.server_version_query(), Some("SELECT VERSION()"));
    }
}
