//! Typed columns and the operators on them.
//!
//! `Column<M, T>` knows its model `M` and its Rust type `T`, so a condition built from it
//! is an [`Expr<M>`] that only `M`'s queries accept, and its operands must be values of
//! `T` ([`IntoOperand`]). Operators that only make sense for some types (`is_null` on
//! `Option` columns, `like` on text) exist only on those columns.

use std::fmt;
use std::marker::PhantomData;

use crate::query::ast::{ColumnRef, Node};
use crate::query::expr::Expr;
use crate::value::field::{IntoOperand, SqlField, TextField};

/// A typed column of model `M` whose Rust type is `T`; the derive makes one constant per
/// field (`User::AGE`).
pub struct Column<M, T> {
    column: ColumnRef,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Column<M, T> {}

impl<M, T> fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({}.{})", self.column.table, self.column.name)
    }
}

impl<M, T: SqlField> Column<M, T> {
    /// A column named `name` of `table`; used by the derive.
    pub const fn new(table: &'static str, name: &'static str) -> Self {
        Column {
            column: ColumnRef {
                table,
                name,
                nullable: T::NULLABLE,
                kind: T::KIND,
            },
            _types: PhantomData,
        }
    }

    /// The untyped column, for the renderer.
    pub const fn column_ref(&self) -> ColumnRef {
        self.column
    }

    /// The same column under another name for its table (an alias), typed by `A`.
    pub(crate) fn retable<A>(self, table: &'static str) -> Column<A, T> {
        Column {
            column: ColumnRef {
                table,
                ..self.column
            },
            _types: PhantomData,
        }
    }

    /// The column's SQL name.
    pub fn name(&self) -> &'static str {
        self.column.name
    }

    crate::query::computed::comparison_methods!();

    /// `low <= column <= high` (both inclusive).
    pub fn between(
        self,
        low: impl IntoOperand<T::Inner>,
        high: impl IntoOperand<T::Inner>,
    ) -> Expr<M> {
        Expr::from_node(Node::Between {
            column: self.column,
            low: low.into_value(),
            high: high.into_value(),
        })
    }

    /// `column IN (values)`; an empty list matches no row.
    pub fn is_in<V: IntoOperand<T::Inner>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        Expr::from_node(Node::In {
            column: self.column,
            values: values.into_iter().map(IntoOperand::into_value).collect(),
            negated: false,
        })
    }

    /// `column NOT IN (values)`; rows whose column is NULL match, and an empty list
    /// matches every row.
    pub fn not_in<V: IntoOperand<T::Inner>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        Expr::from_node(Node::In {
            column: self.column,
            values: values.into_iter().map(IntoOperand::into_value).collect(),
            negated: true,
        })
    }
}

impl<M, T: SqlField> Column<M, Option<T>>
where
    Option<T>: SqlField,
{
    /// `column IS NULL` (only on `Option` columns).
    pub fn is_null(self) -> Expr<M> {
        Expr::from_node(Node::IsNull {
            column: self.column,
            negated: false,
        })
    }

    /// `column IS NOT NULL` (only on `Option` columns).
    pub fn is_not_null(self) -> Expr<M> {
        Expr::from_node(Node::IsNull {
            column: self.column,
            negated: true,
        })
    }
}

/// Escapes `%`, `_` and `\` so text matches itself in a LIKE pattern.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl<M, T: TextField> Column<M, T> {
    fn like_node(self, pattern: String, case_insensitive: bool) -> Expr<M> {
        Expr::from_node(Node::Like {
            column: self.column,
            pattern,
            case_insensitive,
        })
    }

    /// Case-sensitive LIKE: `%` matches any run, `_` one character, `\` escapes.
    pub fn like(self, pattern: impl Into<String>) -> Expr<M> {
        self.like_node(pattern.into(), false)
    }

    /// Case-insensitive LIKE (ASCII case folding on SQLite; see the type table).
    pub fn ilike(self, pattern: impl Into<String>) -> Expr<M> {
        self.like_node(pattern.into(), true)
    }

    /// The text starts with `prefix` (case-sensitive; wildcards in `prefix` are literal).
    pub fn starts_with(self, prefix: &str) -> Expr<M> {
        self.like_node(format!("{}%", escape_like(prefix)), false)
    }

    /// The text ends with `suffix` (case-sensitive; wildcards in `suffix` are literal).
    pub fn ends_with(self, suffix: &str) -> Expr<M> {
        self.like_node(format!("%{}", escape_like(suffix)), false)
    }

    /// The text contains `needle` (case-sensitive; wildcards in `needle` are literal).
    pub fn contains(self, needle: &str) -> Expr<M> {
        self.like_node(format!("%{}%", escape_like(needle)), false)
    }

    /// The text contains `needle`, ignoring case.
    pub fn icontains(self, needle: &str) -> Expr<M> {
        self.like_node(format!("%{}%", escape_like(needle)), true)
    }
}
