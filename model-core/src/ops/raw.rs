//! The raw SQL escape hatch: hand-written SQL, values still bound, rows still decoded.
//!
//! Parameters are written `?` in every dialect (the renderer turns them into `$1`... on
//! PostgreSQL); `??` is a literal question mark; `?` inside quotes is left alone.

use std::marker::PhantomData;

use crate::engine::access::{Access, Routed};
use crate::engine::{DbResult, Executor};
use crate::error::Result;
use crate::model::Model;
use crate::ops;
use crate::value::Value;
use crate::value::field::{BindValue, SqlField};
use crate::value::row::{RowReader, decode_field, row_too_narrow};

/// What a row of a raw query decodes into with [`Raw::fetch_rows`]: one column of a field
/// type, or a tuple of them. (Models decode with [`Raw::fetch_all`].)
#[diagnostic::on_unimplemented(
    message = "a raw row cannot decode into `{Self}`",
    note = "use a field type (i64, String, Option<f64>...) or a tuple of up to eight; for a model use `fetch_all`"
)]
pub trait FromRow: Send + Sized + 'static {
    /// How many columns it reads.
    const WIDTH: usize;

    /// Decodes the columns starting at `*index`, advancing it.
    fn decode_at<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self>;

    /// Decodes a whole row, checking its width.
    fn decode_row<R: RowReader + ?Sized>(row: &R) -> Result<Self> {
        if row.width() < Self::WIDTH {
            return Err(row_too_narrow("(raw row)", Self::WIDTH, row.width()));
        }
        Self::decode_at(row, &mut 0)
    }
}

impl<T: SqlField> FromRow for T {
    const WIDTH: usize = 1;
    fn decode_at<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<T> {
        let i = *index;
        *index += 1;
        decode_field(row, i, "(raw row)", "(column)", "(by position)")
    }
}

macro_rules! tuple_from_row {
    ($($t:ident),+) => {
        impl<$($t: SqlField),+> FromRow for ($($t,)+) {
            const WIDTH: usize = 0 $(+ { let _ = stringify!($t); 1 })+;
            fn decode_at<R: RowReader + ?Sized>(row: &R, index: &mut usize) -> Result<Self> {
                Ok(($(<$t as FromRow>::decode_at(row, index)?,)+))
            }
        }
    };
}
tuple_from_row!(A);
tuple_from_row!(A, B);
tuple_from_row!(A, B, C);
tuple_from_row!(A, B, C, D);
tuple_from_row!(A, B, C, D, E);
tuple_from_row!(A, B, C, D, E, F);
tuple_from_row!(A, B, C, D, E, F, G);
tuple_from_row!(A, B, C, D, E, F, G, H);

/// Hand-written SQL with bound values.
///
/// ```
/// let q = ambidex_core::raw("UPDATE users SET age = ? WHERE id = ?").bind(40).bind(1_i64);
/// assert_eq!(q.sql(), "UPDATE users SET age = ? WHERE id = ?");
/// ```
#[derive(Debug, Clone)]
pub struct Raw {
    sql: String,
    binds: Vec<Value>,
    read_only: bool,
}

/// Starts a raw statement.
pub fn raw(sql: impl Into<String>) -> Raw {
    Raw {
        sql: sql.into(),
        binds: Vec::new(),
        read_only: false,
    }
}

impl Raw {
    /// Binds the next `?`: any model field type, `&str`, `&[u8]` or a [`Value`] (see
    /// [`BindValue`]), bound as the model's own statements bind it.
    pub fn bind(mut self, value: impl BindValue) -> Self {
        self.binds.push(value.into_bind_value());
        self
    }

    /// Declares that the statement only reads, so a handle with read replicas may run
    /// `fetch_rows` and `fetch_all` on a replica (see [`crate::routing`]). Raw SQL is
    /// otherwise assumed to write and runs on the primary. `execute` always runs on the
    /// primary.
    ///
    /// ```
    /// let q = ambidex_core::raw("SELECT name FROM users").read_only();
    /// assert!(q.is_read_only());
    /// ```
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Whether [`Raw::read_only`] was called.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn access(&self) -> Access {
        if self.read_only {
            Access::read(None)
        } else {
            Access::write()
        }
    }

    /// The SQL as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Runs a statement that returns no rows; returns the affected-row count.
    pub fn execute<'e, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, u64> {
        db.run(ops::RawExecute {
            sql: self.sql,
            binds: self.binds,
        })
    }

    /// Runs a query and decodes each row into `T`: one column's type (`i64`, `String`,
    /// `Option<f64>`...) or a tuple of up to eight (`(String, i64)`), column by column:
    /// `raw("SELECT name, COUNT(*) FROM pets GROUP BY name").fetch_rows::<(String, i64), _>(&db)`.
    /// A column that does not decode is an [`crate::Error::Decode`] naming its position.
    pub fn fetch_rows<'e, T: FromRow, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<T>> {
        let access = self.access();
        let plan = ops::RawRows {
            sql: self.sql,
            binds: self.binds,
            row: PhantomData::<fn() -> T>,
        };
        db.run(Routed::new(plan, access))
    }

    /// Runs a query whose columns are `M`'s, in declaration order, and decodes the rows.
    pub fn fetch_all<'e, M: Model, E: Executor<'e>>(self, db: E) -> DbResult<'e, E, Vec<M>> {
        let access = if self.read_only {
            Access::read(Some(M::META.table))
        } else {
            Access::write()
        };
        let plan = ops::RawFetch {
            sql: self.sql,
            binds: self.binds,
            model: PhantomData::<fn() -> M>,
        };
        db.run(Routed::new(plan, access))
    }
}
