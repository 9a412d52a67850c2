//! SQL text as each dialect reads it: which parts are code, and which are literals,
//! quoted identifiers or comments, where a `?` or a `;` means nothing.
//!
//! Raw SQL's placeholders ([`crate::render::raw`]) and the statements of a migration
//! file (`crate::migrate::split_statements`) are both found by walking the [`tokens`] of the
//! text and looking only at code. The rules, per dialect:
//!
//! | | SQLite | PostgreSQL | MySQL/MariaDB |
//! |---|---|---|---|
//! | `'...'` (`''` escapes a quote) | string | string | string, `\` escapes too |
//! | `E'...'` | - | string, `\` escapes | - |
//! | `"..."` (`""` escapes) | identifier | identifier | string, `\` escapes too |
//! | `` `...` `` (` `` ` escapes) | identifier | - | identifier |
//! | `[...]` | identifier | - | - |
//! | `$tag$...$tag$`, `$$...$$` | - | string | - |
//! | `-- ...` to the end of the line | comment | comment | comment when a space follows |
//! | `# ...` to the end of the line | - | - | comment |
//! | `/* ... */` | comment | comment, nested | comment |

use crate::engine::backend::Dialect;

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or unquoted identifier (letters, digits, `_`, `$`).
    Word,
    /// A string literal: `'...'`, PostgreSQL's `E'...'` and `$tag$...$tag$`, MySQL's
    /// `"..."`.
    Literal,
    /// A quoted identifier: `"..."` (SQLite, PostgreSQL), `` `...` `` (MySQL, SQLite),
    /// `[...]` (SQLite).
    QuotedIdentifier,
    /// A comment: `-- ...`, `/* ... */`, MySQL's `# ...`.
    Comment,
    /// Any other character of code (punctuation, whitespace, digits, `?`, `;`).
    Code,
}

/// One piece of SQL text: what it is and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What the piece is.
    pub kind: TokenKind,
    /// Its byte offset in the text.
    pub start: usize,
    /// The piece itself (an unterminated literal or comment runs to the end of the text).
    pub text: &'a str,
}

impl Token<'_> {
    /// The byte offset after the token.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The tokens of `sql` as `dialect` reads it, in order; together they cover the text.
///
/// ```
/// use ambidex_core::Dialect;
/// use ambidex_core::lexer::{TokenKind, tokens};
/// let code: String = tokens(Dialect::Postgres, "SELECT ? /* ? */, E'\\'?', $q$?$q$")
///     .filter(|t| t.kind == TokenKind::Code)
///     .map(|t| t.text)
///     .collect();
/// assert_eq!(code, " ? , , ");
/// ```
pub fn tokens(dialect: Dialect, sql: &str) -> Tokens<'_> {
    Tokens {
        dialect,
        sql,
        pos: 0,
    }
}

/// The iterator [`tokens`] returns.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    dialect: Dialect,
    sql: &'a str,
    pos: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.pos;
        let bytes = self.sql.as_bytes();
        let &c = bytes.get(start)?;
        let next = bytes.get(start + 1).copied();
        let mysql = self.dialect == Dialect::Mysql;
        let (kind, end) = match c {
            b'\'' => (TokenKind::Literal, skip_quoted(bytes, start, b'\'', mysql)),
            b'"' if mysql => (TokenKind::Literal, skip_quoted(bytes, start, b'"', true)),
            b'"' => (
                TokenKind::QuotedIdentifier,
                skip_quoted(bytes, start, b'"', false),
            ),
            b'`' if self.dialect != Dialect::Postgres => (
                TokenKind::QuotedIdentifier,
                skip_quoted(bytes, start, b'`', false),
            ),
            b'[' if self.dialect == Dialect::Sqlite => (
                TokenKind::QuotedIdentifier,
                bytes[start..]
                    .iter()
                    .position(|b| *b == b']')
                    .map_or(bytes.len(), |n| start + n + 1),
            ),
            b'-' if next == Some(b'-')
                && (!mysql
                    || bytes
                        .get(start + 2)
                        .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control())) =>
            {
                (TokenKind::Comment, skip_line(bytes, start))
            }
            b'#' if mysql => (TokenKind::Comment, skip_line(bytes, start)),
            b'/' if next == Some(b'*') => (
                TokenKind::Comment,
                skip_block_comment(bytes, start, self.dialect == Dialect::Postgres),
            ),
            b'$' if self.dialect == Dialect::Postgres => match skip_dollar(self.sql, start) {
                Some(end) => (TokenKind::Literal, end),
                None => (TokenKind::Code, start + 1),
            },
            b'e' | b'E' if self.dialect == Dialect::Postgres && next == Some(b'\'') => (
                TokenKind::Literal,
                skip_quoted(bytes, start + 1, b'\'', true),
            ),
            c if c.is_ascii_alphabetic() || c == b'_' => (
                TokenKind::Word,
                bytes[start..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
                    .map_or(bytes.len(), |n| start + n),
            ),
            _ => {
                let width = self.sql[start..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Code, start + width)
            }
        };
        // Every end is after an ASCII byte or at the end of the text: a char boundary.
        self.pos = end;
        Some(Token {
            kind,
            start,
            text: &self.sql[start..end],
        })
    }
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

/// The index after the line comment starting at `i` (after its newline).
fn skip_line(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |n| i + n + 1)
}

/// The index after the block comment opened at `i`; with `nested` (PostgreSQL), each `/*`
/// inside opens one more level that needs its own `*/`.
fn skip_block_comment(bytes: &[u8], i: usize, nested: bool) -> usize {
    let mut depth = 1usize;
    let mut j = i + 2;
    while j < bytes.len() {
        match (bytes[j], bytes.get(j + 1)) {
            (b'*', Some(b'/')) => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return j;
                }
            }
            (b'/', Some(b'*')) if nested => {
                depth += 1;
                j += 2;
            }
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The index after a dollar-quoted body opened at `i` (`$$` or `$tag$`), or `None` when the
/// `$` opens none (a parameter like `$1`).
fn skip_dollar(sql: &str, i: usize) -> Option<usize> {
    let rest = &sql[i + 1..];
    let tag_len = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(rest.len());
    if rest.as_bytes().get(tag_len) != Some(&b'$')
        || rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    let delimiter = &sql[i..i + tag_len + 2];
    let body = i + delimiter.len();
    Some(
        sql[body..]
            .find(delimiter)
            .map_or(sql.len(), |n| body + n + delimiter.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code of `sql` (what is neither literal, identifier nor comment), with each other
    /// token shown as its kind's initial.
    fn shape(dialect: Dialect, sql: &str) -> String {
        tokens(dialect, sql)
            .map(|t| match t.kind {
                TokenKind::Code | TokenKind::Word => t.text,
                TokenKind::Literal => "L",
                TokenKind::QuotedIdentifier => "I",
                TokenKind::Comment => "C",
            })
            .collect()
    }

    #[test]
    fn tokens_cover_the_text() {
        let sql = "SELECT 'é?', \"ü\" -- ?\n/* ? */ ?";
        for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let joined: String = tokens(dialect, sql).map(|t| t.text).collect();
            assert_eq!(joined, sql);
        }
    }

    #[test]
    fn sqlite_literals_identifiers_and_comments() {
        let d = Dialect::Sqlite;
        assert_eq!(shape(d, "SELECT 'a''?', ?"), "SELECT L, ?");
        // No backslash escapes: the string ends at the second quote.
        assert_eq!(shape(d, r"SELECT 'a\', ?"), "SELECT L, ?");
        assert_eq!(
            shape(d, "SELECT \"a?\", `b?`, [c?] FROM t"),
            "SELECT I, I, I FROM t"
        );
        assert_eq!(shape(d, "? -- ?\n? /* ? */ ?"), "? C? C ?");
        // `#` and `$` mean nothing special.
        assert_eq!(shape(d, "#? $a$?$a$"), "#? $a$?$a$");
    }

    #[test]
    fn postgres_literals_identifiers_and_comments() {
        let d = Dialect::Postgres;
        assert_eq!(shape(d, "SELECT 'a''?', ?"), "SELECT L, ?");
        assert_eq!(shape(d, r"SELECT 'a\', ?"), "SELECT L, ?");
        assert_eq!(shape(d, r"SELECT E'a\'?', e'\\', ?"), "SELECT L, L, ?");
        // `E` ending a word opens no escape string.
        assert_eq!(shape(d, "SELECT name'?'"), "SELECT nameL");
        assert_eq!(shape(d, "SELECT \"a?\"\"b\", ?"), "SELECT I, ?");
        assert_eq!(
            shape(d, "SELECT $$?$$, $tag$ $$ ? $tag$, $1, a$b$"),
            "SELECT L, L, $1, a$b$"
        );
        assert_eq!(shape(d, "? /* a /* ? */ ? */ ?"), "? C ?");
        assert_eq!(shape(d, "? -- ?"), "? C");
    }

    #[test]
    fn mysql_literals_identifiers_and_comments() {
        let d = Dialect::Mysql;
        assert_eq!(shape(d, r"SELECT 'a\'?', ?"), "SELECT L, ?");
        assert_eq!(shape(d, r#"SELECT "a\"?", "b""?", ?"#), "SELECT L, L, ?");
        assert_eq!(shape(d, "SELECT `a?``b`, ?"), "SELECT I, ?");
        assert_eq!(shape(d, "? # ?\n? -- ?\n?"), "? C? C?");
        // `--` without a space after it is two minus signs.
        assert_eq!(shape(d, "SELECT 1--?"), "SELECT 1--?");
        // Block comments do not nest.
        assert_eq!(shape(d, "/* /* */ ? */"), "C ? */");
        assert_eq!(shape(d, "[?] $$?$$"), "[?] $$?$$");
    }
}
