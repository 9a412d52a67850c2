//! The query AST: what a query means, independent of any dialect.
//!
//! Typed builders ([`crate::Select`], [`crate::Expr`]) produce these nodes; the renderer in
//! [`crate::render`] turns them into SQL with the help of a [`crate::dialect::Dialect`].
//! Nodes are untyped on purpose: the type checking happened in the builders.

use crate::value::Value;

/// A column as the renderer needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRef {
    /// The table the column belongs to.
    pub table: &'static str,
    /// The column's SQL name.
    pub name: &'static str,
    /// Whether the column accepts NULL.
    pub nullable: bool,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A boolean condition.
///
/// ambidex gives every condition two-valued logic, defined once here rather than by the
/// server: a comparison with a NULL column is false, and [`Node::Not`], [`Node::NotEqual`]
/// and a negated [`Node::In`] are the exact complements of their positive forms, so they
/// match rows whose column is NULL. That is what a Rust reader of `AGE.ne(5)` expects of
/// an `Option<i32>`, and what the in-memory reference model of the tests implements.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `col <op> value`; false when the column is NULL.
    Compare {
        /// The column.
        column: ColumnRef,
        /// The operator.
        op: CmpOp,
        /// The value.
        value: Value,
    },
    /// `col <> value`, true when the column is NULL.
    NotEqual {
        /// The column.
        column: ColumnRef,
        /// The value.
        value: Value,
    },
    /// `low <= col <= high`.
    Between {
        /// The column.
        column: ColumnRef,
        /// Lower bound, inclusive.
        low: Value,
        /// Upper bound, inclusive.
        high: Value,
    },
    /// `col IN (...)`, or its complement when `negated` (which matches NULL columns).
    In {
        /// The column.
        column: ColumnRef,
        /// The values; an empty list matches nothing (or everything when negated).
        values: Vec<Value>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `col IS NULL` / `col IS NOT NULL`.
    IsNull {
        /// The column.
        column: ColumnRef,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// A LIKE pattern: `%` any run, `_` one character, `\` escapes the next character.
    Like {
        /// The column.
        column: ColumnRef,
        /// The pattern in ambidex's LIKE syntax.
        pattern: String,
        /// Match ignoring case.
        case_insensitive: bool,
    },
    /// Both conditions.
    And(Box<Node>, Box<Node>),
    /// Either condition.
    Or(Box<Node>, Box<Node>),
    /// The complement of the condition (true where it is false or unknown).
    Not(Box<Node>),
    /// A constant.
    Const(bool),
}

impl Node {
    /// How many values the node binds.
    pub fn bind_count(&self) -> usize {
        match self {
            Node::Compare { .. } | Node::NotEqual { .. } | Node::Like { .. } => 1,
            Node::Between { .. } => 2,
            Node::In { values, .. } => values.len(),
            Node::IsNull { .. } | Node::Const(_) => 0,
            Node::And(a, b) | Node::Or(a, b) => a.bind_count() + b.bind_count(),
            Node::Not(a) => a.bind_count(),
        }
    }
}

/// One `ORDER BY` term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTerm {
    /// The column.
    pub column: ColumnRef,
    /// Ascending.
    pub ascending: bool,
}

/// The part of a query every statement kind shares: where, order, limit, offset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryParts {
    /// The `WHERE` condition.
    pub filter: Option<Node>,
    /// `ORDER BY` terms, in order.
    pub order: Vec<OrderTerm>,
    /// `LIMIT`.
    pub limit: Option<u64>,
    /// `OFFSET`.
    pub offset: Option<u64>,
}

/// What a `SELECT` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// Every column of the model, in declaration order.
    Model,
    /// `COUNT(*)` of the matching rows.
    Count,
    /// Whether any row matches.
    Exists,
}
