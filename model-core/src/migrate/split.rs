//! Splitting a migration file into statements.
//!
//! Drivers run one statement per call (sqlx's prepared statements, diesel's `execute` on
//! PostgreSQL and MySQL), so a file is cut at each `;` that ends a statement: not one
//! inside a string, quoted identifier or comment as the dialect reads them (see
//! [`crate::lexer`]: `'...'`, `"..."`, `` `...` ``, `-- ...`, `# ...` on MySQL,
//! `/* ... */`, PostgreSQL's `E'...'` and dollar-quoted bodies, `$$ ... $$` and
//! `$tag$ ... $tag$`), nor one in a `BEGIN ... END` block of a trigger or routine
//! (`CREATE TRIGGER`, `CREATE PROCEDURE`, `CREATE FUNCTION` on SQLite and MySQL). Comments stay in the statement they
//! belong to; statements that hold nothing but comments and whitespace are dropped.

use crate::sql::dialect::Dialect;
use crate::sql::lexer::{TokenKind, tokens};

/// The statements of `sql`, in order, each without its terminating `;`.
///
/// ```
/// use ambidex_core::Dialect;
/// use ambidex_core::migrate::split_statements;
/// let sql = "CREATE TABLE t (a TEXT DEFAULT 'x;y'); -- one\nINSERT INTO t VALUES ('z');";
/// assert_eq!(
///     split_statements(Dialect::Sqlite, sql),
///     ["CREATE TABLE t (a TEXT DEFAULT 'x;y')", "-- one\nINSERT INTO t VALUES ('z')"]
/// );
/// ```
pub fn split_statements(dialect: Dialect, sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    // Depth of BEGIN/CASE ... END inside a trigger or routine body.
    let mut block_depth = 0usize;
    let mut words = Words::default();
    for token in tokens(dialect, sql) {
        match token.kind {
            TokenKind::Code if token.text == ";" && block_depth == 0 => {
                push_statement(dialect, &mut out, &sql[start..token.start]);
                start = token.end();
                words = Words::default();
            }
            TokenKind::Word => {
                let word = token.text.to_ascii_uppercase();
                if dialect != Dialect::Postgres && words.in_routine() {
                    match word.as_str() {
                        "BEGIN" | "CASE" => block_depth += 1,
                        "END" => block_depth = block_depth.saturating_sub(1),
                        _ => {}
                    }
                }
                words.see(&word);
            }
            _ => {}
        }
    }
    push_statement(dialect, &mut out, &sql[start..]);
    out
}

/// The first words of the current statement, to tell whether it creates a trigger or a
/// routine (whose body holds `;`).
#[derive(Default)]
struct Words {
    seen: usize,
    create: bool,
    routine: bool,
}

impl Words {
    fn see(&mut self, word: &str) {
        if self.seen == 0 {
            self.create = word == "CREATE";
        } else if self.create && self.seen < 8 && !self.routine {
            self.routine = matches!(word, "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT");
        }
        self.seen += 1;
    }

    fn in_routine(&self) -> bool {
        self.routine
    }
}

fn push_statement(dialect: Dialect, out: &mut Vec<String>, text: &str) {
    let text = text.trim();
    let only_comments = tokens(dialect, text).all(|t| {
        t.kind == TokenKind::Comment
            || (t.kind == TokenKind::Code && t.text.chars().all(char::is_whitespace))
    });
    if !only_comments {
        out.push(text.to_string());
    }
}

/// The header line that makes a migration script run outside a transaction.
pub const NO_TRANSACTION: &str = "-- ambidex: no-transaction";

/// Whether a migration script runs inside a transaction (the default) or outside one: a
/// line `-- ambidex: no-transaction` among the comment lines before its first statement
/// ([`NO_TRANSACTION`]) says outside. Any other `-- ambidex: ...` directive there is
/// refused, so that a misspelt one is never silently ignored. A directive in a comment
/// after the first statement is just a comment.
///
/// ```
/// use ambidex_core::migrate::runs_in_transaction;
/// assert!(runs_in_transaction("CREATE INDEX ix ON t (a);").unwrap());
/// let concurrently = "-- ambidex: no-transaction\nCREATE INDEX CONCURRENTLY ix ON t (a);";
/// assert!(!runs_in_transaction(concurrently).unwrap());
/// assert!(runs_in_transaction("-- ambidex: no-transactions\nSELECT 1;").is_err());
/// ```
pub fn runs_in_transaction(sql: &str) -> Result<bool, String> {
    let mut inside = true;
    for line in sql.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            break;
        };
        let comment = comment.trim();
        let Some(directive) = comment
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("ambidex:"))
            .map(|_| comment[8..].trim())
        else {
            continue;
        };
        if directive.eq_ignore_ascii_case("no-transaction") {
            inside = false;
        } else {
            return Err(format!(
                "unknown directive `-- ambidex: {directive}`; the only one is \
                 `{NO_TRANSACTION}` (run the file outside a transaction)"
            ));
        }
    }
    Ok(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_no_transaction_header_is_read_before_the_first_statement_only() {
        let header = "-- Written by hand.\n\n--   AMBIDEX:  no-transaction \nVACUUM;";
        assert_eq!(runs_in_transaction(header), Ok(false));
        assert_eq!(
            runs_in_transaction("SELECT 1;\n-- ambidex: no-transaction"),
            Ok(true)
        );
        assert_eq!(
            runs_in_transaction("-- ambidex makemigrations\nSELECT 1;"),
            Ok(true)
        );
        let typo = runs_in_transaction("-- ambidex: notransaction\n").unwrap_err();
        assert!(typo.contains("`-- ambidex: no-transaction`"), "{typo}");
    }

    #[test]
    fn semicolons_in_strings_and_comments_do_not_split() {
        let sql = "INSERT INTO t VALUES ('a;b', \"c;d\"); /* x; y */ SELECT 1; -- z;\n";
        assert_eq!(
            split_statements(Dialect::Sqlite, sql),
            [
                "INSERT INTO t VALUES ('a;b', \"c;d\")",
                "/* x; y */ SELECT 1"
            ]
        );
    }

    #[test]
    fn doubled_and_backslashed_quotes() {
        let sql = "SELECT 'it''s;'; SELECT 'a\\';b';";
        assert_eq!(
            split_statements(Dialect::Postgres, sql),
            ["SELECT 'it''s;'", "SELECT 'a\\'", "b';"]
        );
        assert_eq!(
            split_statements(Dialect::Mysql, sql),
            ["SELECT 'it''s;'", "SELECT 'a\\';b'"]
        );
    }

    #[test]
    fn dollar_quoted_bodies_are_one_statement() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ \
                   LANGUAGE plpgsql; SELECT $1; DO $$ BEGIN PERFORM 1; END $$;";
        let parts = split_statements(Dialect::Postgres, sql);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[0].ends_with("LANGUAGE plpgsql"));
        assert_eq!(parts[1], "SELECT $1");
        assert!(parts[2].starts_with("DO $$"));
    }

    #[test]
    fn trigger_bodies_are_one_statement() {
        let sql = "CREATE TABLE a (x INT);\nCREATE TRIGGER tr AFTER INSERT ON a BEGIN \
                   UPDATE a SET x = CASE WHEN x > 1 THEN 1 ELSE 2 END; DELETE FROM a; END;\n\
                   CREATE INDEX i ON a (x);";
        let parts = split_statements(Dialect::Sqlite, sql);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[1].ends_with("DELETE FROM a; END"));
    }

    #[test]
    fn comment_only_pieces_are_dropped() {
        assert!(split_statements(Dialect::Mysql, "-- nothing\n# here\n;\n/* */").is_empty());
        assert_eq!(split_statements(Dialect::Mysql, "SELECT 1"), ["SELECT 1"]);
    }
}
