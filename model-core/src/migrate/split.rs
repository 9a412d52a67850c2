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

#[cfg(test)]
mod tests {
    use super::*;

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
