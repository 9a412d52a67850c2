//! Keyset pages for servers: `query.page(size).after(cursor).fetch(&db)` returns a
//! [`Page`] of rows and an opaque [`Cursor`] to the next one, in both worlds.
//!
//! # Why keysets, not `offset`
//!
//! An `OFFSET n` page counts rows: a row inserted or deleted before it shifts every later
//! page, so a client paging through a busy table sees rows twice or never. A keyset page
//! continues *after the last row's values* of the order instead,
//! `WHERE (filter) AND (order) > (last row's values) ORDER BY order LIMIT size + 1`, so
//! rows written before the cursor change nothing after it: every row that exists the whole
//! time is seen exactly once, and the database reads only the page (an index on the order
//! columns makes any page as cheap as the first).
//!
//! The order is the query's `order_by` columns (each ascending or descending) followed by
//! the primary key, always, so that rows with equal values still have one sequence;
//! without `order_by` it is key order. The condition is built by the keyset of
//! [`crate::ops::stream`], the same one `stream()` pages with; its limits apply (only the
//! model's own non-nullable columns).
//!
//! One extra row is read to know whether another page follows ([`Page::next`] is `None`
//! on the last page), with no count query.
//!
//! # The cursor
//!
//! A [`Cursor`] is the last row's values of the order, written as URL-safe base64
//! (unpadded) of a version byte, a fingerprint of the query's order (table, columns,
//! directions, kinds) and each value with its kind. It round-trips through `Display` and
//! `FromStr` (and serde, as a string, with the `json` feature). A cursor that does not
//! parse, or that another order made, is [`Error::InvalidQuery`], never the first page.
//!
//! The cursor is **not signed or encrypted**: a client can read the values in it and
//! forge a position. That moves where its page starts and nothing else, since the
//! query's filters are applied on the server to every page; do not put a value in the
//! order that the client must not see.
//!
//! Paging backwards (`page_before`) is not offered: reverse the order to page from the
//! other end.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use crate::engine::access::{Access, Routed};
use crate::engine::{Connection, DbResult, Executor, Plan};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::ops::FetchAll;
use crate::ops::stream::Keyset;
use crate::query::ast::QueryParts;
use crate::query::select::{Select, and_filter};
use crate::value::{Value, ValueKind};

/// The most rows one page may hold.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// The first byte of every cursor: the encoding's version.
const VERSION: u8 = 1;

/// A position in a keyset order: the values of the order's columns in the last row of a
/// [`Page`]. Opaque to clients: send its text (`cursor.to_string()`, through
/// [`Display`](std::fmt::Display)), read it back with `str::parse` (see
/// [`crate::ops::page`] for what is in it, and why it is not signed).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    shape: u32,
    values: Vec<Value>,
}

/// One page of rows and the cursor to the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<M> {
    /// The rows, at most the page size, in the query's order.
    pub items: Vec<M>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// What [`Paged::after`] accepts: a [`Cursor`], or its text from a client (parsed when
/// the page is fetched, so that a bad one is the fetch's error).
pub trait IntoCursor {
    /// The cursor, or why the text is not one.
    fn into_cursor(self) -> Result<Cursor>;
}

impl IntoCursor for Cursor {
    fn into_cursor(self) -> Result<Cursor> {
        Ok(self)
    }
}

impl IntoCursor for &Cursor {
    fn into_cursor(self) -> Result<Cursor> {
        Ok(self.clone())
    }
}

impl IntoCursor for &str {
    fn into_cursor(self) -> Result<Cursor> {
        self.parse()
    }
}

impl IntoCursor for &String {
    fn into_cursor(self) -> Result<Cursor> {
        self.parse()
    }
}

impl IntoCursor for String {
    fn into_cursor(self) -> Result<Cursor> {
        self.parse()
    }
}

/// A query to fetch one keyset page of, from [`Select::page`] or [`Select::page_after`].
pub struct Paged<M> {
    select: Select<M>,
    size: u64,
    after: Option<Result<Cursor>>,
}

impl<M> fmt::Debug for Paged<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paged")
            .field("parts", &self.select.parts)
            .field("size", &self.size)
            .field("after", &self.after)
            .finish()
    }
}

impl<M: Model> Select<M> {
    /// The first page of at most `size` rows (1 to [`MAX_PAGE_SIZE`]) in keyset order;
    /// [`Paged::after`] continues from a cursor. See [`crate::ops::page`].
    ///
    /// ```
    /// # use ambidex_core::{Model, Select, ops::page::Paged};
    /// # fn demo<M: Model>(cursor: Option<String>) -> Paged<M> {
    /// M::query().page(20).after(cursor.as_deref())
    /// # }
    /// ```
    pub fn page(self, size: u64) -> Paged<M> {
        Paged {
            select: self,
            size,
            after: None,
        }
    }

    /// The page of at most `size` rows after `cursor` (the first page for `None`):
    /// `query.page(size).after(cursor)`.
    pub fn page_after(self, cursor: Option<&Cursor>, size: u64) -> Paged<M> {
        self.page(size).after(cursor)
    }
}

impl<M: Model> Paged<M> {
    /// Continues after `cursor`, a [`Cursor`] or a client's text of one; `None` is the
    /// first page.
    pub fn after<C: IntoCursor>(mut self, cursor: Option<C>) -> Self {
        self.after = cursor.map(IntoCursor::into_cursor);
        self
    }

    /// Fetches the page: one query, reading `size + 1` rows to know whether another page
    /// follows. [`Error::InvalidQuery`] for a size of 0 or above [`MAX_PAGE_SIZE`], a query
    /// with `limit`/`offset` or an order keysets cannot follow, and a cursor that does not
    /// parse or that a query with another order made.
    pub fn fetch<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Page<M>> {
        let primary = self.select.primary;
        db.run(Routed::pinned(
            FetchPage::<M> {
                ready: self.prepare(),
                model: PhantomData,
            },
            primary,
        ))
    }

    /// The query to send, its keyset, and the cursor's fingerprint of it.
    fn prepare(self) -> Result<(QueryParts, Keyset, u32)> {
        let name = M::META.name;
        if self.size == 0 || self.size > MAX_PAGE_SIZE {
            return Err(Error::InvalidQuery(
                format!(
                    "a page of {name} holds 1 to {MAX_PAGE_SIZE} rows, not {}",
                    self.size
                )
                .into(),
            ));
        }
        let mut parts = self.select.parts;
        if parts.limit.is_some() || parts.offset.is_some() {
            return Err(Error::InvalidQuery(
                format!(
                    "a page of {name} sets its own limit and continues from a cursor, not an \
                     offset; remove limit()/offset() from the query"
                )
                .into(),
            ));
        }
        let keyset = Keyset::order::<M>(
            &mut parts,
            "page()",
            "Page by the model's non-nullable columns, or use limit()/offset()",
        )?;
        let shape = shape::<M>(&keyset);
        if let Some(cursor) = self.after {
            let cursor = cursor?;
            check_cursor::<M>(&cursor, &keyset, shape)?;
            parts = and_filter(parts, keyset.after(&cursor.values));
        }
        parts.limit = Some(self.size + 1);
        Ok((parts, keyset, shape))
    }
}

/// The plan behind [`Paged::fetch`]: the page's rows and, when one more came, the cursor
/// after the last row kept.
struct FetchPage<M> {
    ready: Result<(QueryParts, Keyset, u32)>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> Plan for FetchPage<M> {
    type Output = Page<M>;
    fn access(&self) -> Access {
        Access::read(Some(M::META.table))
    }
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Page<M>> {
        let (parts, keyset, shape) = self.ready?;
        let size = parts.limit.map_or(0, |l| l - 1) as usize;
        let mut items = FetchAll::<M> {
            parts,
            model: PhantomData,
        }
        .run(conn)
        .await?;
        let next = if items.len() > size {
            items.truncate(size);
            items.last().map(|last| Cursor {
                shape,
                values: keyset.values_of(last),
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }
}

/// A cursor refused: what the client sent is no position of this query.
fn bad_cursor(why: impl fmt::Display) -> Error {
    Error::InvalidQuery(
        format!("invalid page cursor: {why}; send the `next` cursor of a page of this same query unchanged, or none for the first page").into(),
    )
}

/// Refuses a cursor that another order made, or whose values do not fit this one.
fn check_cursor<M: Model>(cursor: &Cursor, keyset: &Keyset, shape: u32) -> Result<()> {
    let columns = M::META.columns;
    let fits = cursor.values.len() == keyset.terms.len()
        && keyset
            .terms
            .iter()
            .zip(&cursor.values)
            .all(|(t, v)| v.kind() == columns[t.index].kind);
    if cursor.shape != shape || !fits {
        let order: Vec<String> = keyset
            .terms
            .iter()
            .map(|t| {
                format!(
                    "{} {}",
                    t.column.name,
                    if t.ascending { "asc" } else { "desc" }
                )
            })
            .collect();
        return Err(bad_cursor(format_args!(
            "it was made by a query with another order than {}'s ({})",
            M::META.name,
            order.join(", ")
        )));
    }
    Ok(())
}

/// The fingerprint of a keyset order (FNV-1a over the table, and each term's column,
/// direction and kind), so that a cursor of another order is refused.
fn shape<M: Model>(keyset: &Keyset) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    };
    eat(M::META.table.as_bytes());
    for t in &keyset.terms {
        eat(&[0]);
        eat(t.column.name.as_bytes());
        eat(&[
            u8::from(t.ascending),
            kind_code(M::META.columns[t.index].kind),
        ]);
    }
    hash
}

/// Every kind and its byte in a cursor (never renumber: cursors outlive deployments).
const KINDS: [ValueKind; 15] = ValueKind::ALL;

fn kind_code(kind: ValueKind) -> u8 {
    KINDS.iter().position(|&k| k == kind).unwrap_or(KINDS.len()) as u8
}

impl fmt::Display for Cursor {
    /// The cursor as URL-safe base64 without padding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = vec![VERSION];
        bytes.extend_from_slice(&self.shape.to_be_bytes());
        bytes.push(self.values.len() as u8);
        for value in &self.values {
            bytes.push(kind_code(value.kind()));
            let mut text = |t: &[u8]| {
                bytes.extend_from_slice(&(t.len() as u32).to_be_bytes());
                bytes.extend_from_slice(t);
            };
            match value {
                Value::Bool(b) => bytes.push(u8::from(*b)),
                Value::I16(i) => bytes.extend_from_slice(&i.to_be_bytes()),
                Value::I32(i) => bytes.extend_from_slice(&i.to_be_bytes()),
                Value::I64(i) => bytes.extend_from_slice(&i.to_be_bytes()),
                Value::F32(x) => bytes.extend_from_slice(&x.to_bits().to_be_bytes()),
                Value::F64(x) => bytes.extend_from_slice(&x.to_bits().to_be_bytes()),
                Value::Text(t) | Value::Typed(_, t) => text(t.as_bytes()),
                Value::Blob(b) => text(b),
                // Keyset orders refuse nullable columns and arrays are never a row's
                // value; written as an empty text, they fail the kind check on return.
                Value::Null(_) | Value::Array(_) => text(&[]),
            }
        }
        f.write_str(&base64url(&bytes))
    }
}

impl FromStr for Cursor {
    type Err = Error;

    /// Reads a cursor [`Display`](fmt::Display) wrote; [`Error::InvalidQuery`] for any
    /// other text (tampered, truncated, another version).
    fn from_str(text: &str) -> Result<Cursor> {
        let bytes = unbase64url(text).ok_or_else(|| bad_cursor("it is not URL-safe base64"))?;
        let mut r = Reader(&bytes);
        if r.take(1)? != [VERSION] {
            return Err(bad_cursor("it has an unknown version"));
        }
        let shape = u32::from_be_bytes(r.array()?);
        let count = r.take(1)?[0];
        let mut values = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let code = r.take(1)?[0];
            let kind = *KINDS
                .get(usize::from(code))
                .ok_or_else(|| bad_cursor("it holds a value of an unknown kind"))?;
            values.push(match kind {
                ValueKind::Bool => match r.take(1)?[0] {
                    0 => Value::Bool(false),
                    1 => Value::Bool(true),
                    _ => return Err(bad_cursor("it holds a malformed boolean")),
                },
                ValueKind::I16 => Value::I16(i16::from_be_bytes(r.array()?)),
                ValueKind::I32 => Value::I32(i32::from_be_bytes(r.array()?)),
                ValueKind::I64 => Value::I64(i64::from_be_bytes(r.array()?)),
                ValueKind::F32 => Value::F32(f32::from_bits(u32::from_be_bytes(r.array()?))),
                ValueKind::F64 => Value::F64(f64::from_bits(u64::from_be_bytes(r.array()?))),
                ValueKind::Blob => Value::Blob(r.text()?.to_vec()),
                ValueKind::Text => Value::Text(r.utf8()?),
                typed => Value::Typed(typed, r.utf8()?),
            });
        }
        if !r.0.is_empty() {
            return Err(bad_cursor("it has bytes after its values"));
        }
        Ok(Cursor { shape, values })
    }
}

/// The unread bytes of a cursor; each read past the end is a truncated cursor.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(bad_cursor("it is truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn text(&mut self) -> Result<&'a [u8]> {
        let len = u32::from_be_bytes(self.array()?) as usize;
        self.take(len)
    }

    fn utf8(&mut self) -> Result<String> {
        let bytes = self.text()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| bad_cursor("it holds text that is not UTF-8"))
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` as URL-safe base64 without padding (RFC 4648 section 5).
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// The bytes of unpadded URL-safe base64, or `None` for any other text (a character
/// outside the alphabet, a length no encoding has, or stray bits in the last character).
fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | d << (18 - 6 * i));
        let len = chunk.len() - 1;
        // The bits below the last whole byte must be zero, so that one cursor has one text.
        if n & ((1 << (24 - 8 * len)) - 1) != 0 {
            return None;
        }
        out.extend((0..len).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

#[cfg(feature = "json")]
impl serde::Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "json")]
impl<'de> serde::Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Cursor, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        // RFC 4648 section 10, unpadded.
        let vectors = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in vectors {
            assert_eq!(base64url(plain.as_bytes()), coded);
            assert_eq!(unbase64url(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(unbase64url("Zg=="), None, "padding is not ours");
        assert_eq!(unbase64url("Zh"), None, "stray low bits");
        assert_eq!(unbase64url("Z"), None, "no encoding has this length");
        assert_eq!(unbase64url("Zm9v+"), None, "standard alphabet");
    }

    #[cfg(feature = "json")]
    #[test]
    fn cursor_is_a_json_string_and_a_bad_one_fails_to_deserialize() {
        let cursor = Cursor {
            shape: 7,
            values: vec![Value::Text("b".into()), Value::I64(42)],
        };
        let json = serde_json::to_string(&cursor).unwrap();
        assert_eq!(json, format!("\"{cursor}\""));
        assert_eq!(serde_json::from_str::<Cursor>(&json).unwrap(), cursor);
        let err = serde_json::from_str::<Cursor>("\"AQ\"").unwrap_err();
        assert!(err.to_string().contains("invalid page cursor"), "{err}");
        assert!(serde_json::from_str::<Cursor>("42").is_err());
    }

    #[test]
    fn cursor_round_trips_every_kind_and_refuses_damage() {
        let cursor = Cursor {
            shape: 0xdead_beef,
            values: vec![
                Value::Bool(true),
                Value::I16(-2),
                Value::I32(70_000),
                Value::I64(-9_000_000_000),
                Value::F32(1.5),
                Value::F64(-0.25),
                Value::Text("naïve, café & a/b?c=d".into()),
                Value::Blob(vec![0, 255, 7]),
                Value::Typed(
                    ValueKind::Uuid,
                    "67e55044-10b1-426f-9247-bb680e5fe0c8".into(),
                ),
            ],
        };
        let text = cursor.to_string();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{text}"
        );
        assert_eq!(text.parse::<Cursor>().unwrap(), cursor);
        // Every truncation, and one byte more, is refused.
        let bytes = unbase64url(&text).unwrap();
        for n in 0..bytes.len() {
            let cut = base64url(&bytes[..n]);
            assert!(
                matches!(cut.parse::<Cursor>(), Err(Error::InvalidQuery(_))),
                "truncated to {n} bytes"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            base64url(&longer).parse::<Cursor>(),
            Err(Error::InvalidQuery(_))
        ));
        let mut other_version = bytes;
        other_version[0] = 2;
        let err = base64url(&other_version).parse::<Cursor>().unwrap_err();
        assert!(err.to_string().contains("unknown version"), "{err}");
        for junk in ["", "not a cursor", "%%%", "AQ", "🦀"] {
            assert!(
                matches!(junk.parse::<Cursor>(), Err(Error::InvalidQuery(_))),
                "{junk:?}"
            );
        }
    }
}
