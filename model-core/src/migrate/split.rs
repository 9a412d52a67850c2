//! Splitting a migration file into statements.
//!
//! Drivers run one statement per call (sqlx's prepared statements, diesel's `execute` on
//! PostgreSQL and MySQL), so a file is cut at each `;` that ends a statement: not one
//! inside a string (`'...'`, `"..."`, `` `...` ``), a comment (`-- ...`, `# ...` on
//! MySQL, `/* ... */`), a PostgreSQL dollar-quoted body (`$$ ... $$`, `$tag$ ... $tag$`),
//! or a `BEGIN ... END` block of a trigger or routine (`CREATE TRIGGER`, `CREATE
//! PROCEDURE`, `CREATE FUNCTION` on SQLite and MySQL). Comments stay in the statement they
//! belong to; statements that hold nothing but comments and whitespace are dropped.

use crate::sql::dialect::Dialect;

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
    let bytes = sql.as_bytes();
    let mut start = 0;
    let mut i = 0;
    // Depth of BEGIN/CASE ... END inside a trigger or routine body.
    let mut block_depth = 0usize;
    let mut words = Words::default();
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' => i = skip_quoted(bytes, i, c, dialect == Dialect::Mysql),
            b'`' if dialect == Dialect::Mysql => i = skip_quoted(bytes, i, c, false),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_line(bytes, i),
            b'#' if dialect == Dialect::Mysql => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'$' if dialect == Dialect::Postgres => i = skip_dollar(sql, i),
            b';' if block_depth == 0 => {
                push_statement(&mut out, &sql[start..i]);
                i += 1;
                start = i;
                words = Words::default();
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
                    .map_or(bytes.len(), |n| i + n);
                let word = sql[i..end].to_ascii_uppercase();
                if dialect != Dialect::Postgres && words.in_routine() {
                    match word.as_str() {
                        "BEGIN" | "CASE" => block_depth += 1,
                        "END" => block_depth = block_depth.saturating_sub(1),
                        _ => {}
                    }
                }
                words.see(&word);
                i = end;
            }
            _ => i += 1,
        }
    }
    push_statement(&mut out, &sql[start..]);
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

fn push_statement(out: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !only_comments(text) {
        out.push(text.to_string());
    }
}

/// Whether `text` holds nothing but comments and whitespace.
fn only_comments(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_line(bytes, i),
            b'#' => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            c if c.is_ascii_whitespace() => i += 1,
            _ => return false,
        }
    }
    true
}

/// The index after the string opened at `i` by `quote` (a doubled quote is an escaped
/// one; with `backslash`, so is `\` followed by any byte).
fn skip_quoted(bytes: &[u8], i: usize, quote: u8, backslash: bool) -> usize {
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if backslash => j += 2,
            c if c == quote => {
                if bytes.get(j + 1) == Some(&quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            }
            _ => j += 1,
        }
    }
    bytes.len()
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |n| i + n + 1)
}

fn skip_block_comment(bytes: &[u8], i: usize) -> usize {
    bytes[i + 2..]
        .windows(2)
        .position(|w| w == b"*/")
        .map_or(bytes.len(), |n| i + 2 + n + 2)
}

/// The index after a dollar-quoted body opened at `i` (`$$` or `$tag$`), or `i + 1` when
/// the `$` opens none (a parameter like `$1`).
fn skip_dollar(sql: &str, i: usize) -> usize {
    let rest = &sql[i + 1..];
    let tag_len = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(rest.len());
    if rest.as_bytes().get(tag_len) != Some(&b'$')
        || rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
    {
        return i + 1;
    }
    let delimiter = &sql[i..i + tag_len + 2];
    let body = i + delimiter.len();
    sql[body..]
        .find(delimiter)
        .map_or(sql.len(), |n| body + n + delimiter.len())
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
