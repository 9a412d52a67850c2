//! The query AST: what a query means, independent of any dialect.
//!
//! Typed builders ([`crate::Select`], [`crate::Expr`]) produce these nodes; the renderer in
//! [`crate::render`] turns them into SQL with the help of a [`crate::dialect::Dialect`].
//! Nodes are untyped on purpose: the type checking happened in the builders.

use crate::value::{Value, ValueKind};

/// A column as the renderer needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRef {
    /// The table the column belongs to.
    pub table: &'static str,
    /// The column's SQL name.
    pub name: &'static str,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// The kind of value it holds: the renderer compares and orders text through the
    /// dialect's `text_order_collation` (bytes on every backend).
    pub kind: ValueKind,
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
    /// `left <op> right` over computed values (`Event::ENDS.gt(Event::STARTS)`,
    /// `(PRICE * QUANTITY).ge(100)`); false when either side is NULL. Its complement is
    /// `Not(CompareScalar)`, which matches those rows.
    CompareScalar {
        /// The left side.
        left: Scalar,
        /// The operator.
        op: CmpOp,
        /// The right side.
        right: Scalar,
    },
    /// `value IS NULL` / `value IS NOT NULL` for a computed value.
    ScalarIsNull {
        /// The value.
        scalar: Scalar,
        /// `IS NOT NULL`.
        negated: bool,
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
    /// `aggregate <op> value` in a `HAVING` clause; false when the aggregate is NULL.
    AggregateCompare {
        /// The aggregate.
        aggregate: Aggregate,
        /// The operator.
        op: CmpOp,
        /// The value.
        value: Value,
    },
    /// `EXISTS (SELECT 1 FROM table WHERE ... AND inner = outer ...)`: a correlated
    /// subquery; its complement is `Not(Exists)`.
    Exists(Box<ExistsQuery>),
    /// `col IN (SELECT ...)`; false when the column is NULL or the subquery has no
    /// match. Its complement is `Not(InSubquery)`, which matches NULL columns.
    InSubquery {
        /// The column.
        column: ColumnRef,
        /// The subquery, selecting one column.
        subquery: Box<SelectList>,
    },
}

impl Node {
    /// `column = value`.
    pub fn equals(column: ColumnRef, value: Value) -> Node {
        Node::Compare {
            column,
            op: CmpOp::Eq,
            value,
        }
    }

    /// Every condition (`a AND b AND ...`); true when there are none.
    pub fn all(nodes: impl IntoIterator<Item = Node>) -> Node {
        nodes
            .into_iter()
            .reduce(|a, b| Node::And(Box::new(a), Box::new(b)))
            .unwrap_or(Node::Const(true))
    }

    /// Any condition (`a OR b OR ...`); false when there are none.
    pub fn any(nodes: impl IntoIterator<Item = Node>) -> Node {
        nodes
            .into_iter()
            .reduce(|a, b| Node::Or(Box::new(a), Box::new(b)))
            .unwrap_or(Node::Const(false))
    }

    /// How many values the node holds: the most it binds (a list that the dialect binds
    /// as one array, PostgreSQL's `= ANY($1)`, takes one placeholder).
    pub fn bind_count(&self) -> usize {
        match self {
            Node::Compare { .. } | Node::NotEqual { .. } | Node::Like { .. } => 1,
            Node::Between { .. } => 2,
            Node::In { values, .. } => values.len(),
            Node::IsNull { .. } | Node::Const(_) => 0,
            Node::And(a, b) | Node::Or(a, b) => a.bind_count() + b.bind_count(),
            Node::Not(a) => a.bind_count(),
            Node::AggregateCompare { aggregate, .. } => 1 + aggregate.bind_count(),
            Node::CompareScalar { left, right, .. } => left.bind_count() + right.bind_count(),
            Node::ScalarIsNull { scalar, .. } => scalar.bind_count(),
            Node::InSubquery { subquery, .. } => subquery.bind_count(),
            Node::Exists(q) => q.parts.filter.as_ref().map_or(0, Node::bind_count),
        }
    }
}

/// The subquery of [`Node::Exists`]: rows of `table` that meet `parts`' filter and whose
/// `links` columns equal the enclosing query's.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistsQuery {
    /// The subquery's table (aliased in the SQL, so that a model can be correlated with
    /// itself: an employee who manages someone).
    pub table: &'static str,
    /// Its filter, order, limit and offset.
    pub parts: QueryParts,
    /// `(inner, outer)` column pairs that must be equal; `outer` names a column of the
    /// enclosing query's table.
    pub links: Vec<(ColumnRef, ColumnRef)>,
}

/// What an `ORDER BY` term, a `SELECT` item or a `HAVING` comparison is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A column.
    Column(ColumnRef),
    /// An aggregate over the group's rows.
    Aggregate(Aggregate),
    /// A value computed from each row's columns (`PRICE * QUANTITY`, `lower(NAME)`).
    Scalar(Scalar),
}

impl Operand {
    /// Whether the operand can be NULL (a nullable column; SUM, AVG, MIN, MAX of no rows).
    pub fn nullable(&self) -> bool {
        match self {
            Operand::Column(c) => c.nullable,
            Operand::Aggregate(a) => a.func != AggFunc::Count,
            Operand::Scalar(s) => s.nullable(),
        }
    }

    /// Whether the operand is text, compared and ordered by bytes on every backend (an
    /// aggregate of text orders through its argument).
    pub fn is_text(&self) -> bool {
        match self {
            Operand::Column(c) => c.kind == ValueKind::Text,
            Operand::Aggregate(_) => false,
            Operand::Scalar(s) => s.is_text(),
        }
    }

    /// How many values the operand binds.
    pub fn bind_count(&self) -> usize {
        match self {
            Operand::Column(_) => 0,
            Operand::Aggregate(a) => a.bind_count(),
            Operand::Scalar(s) => s.bind_count(),
        }
    }
}

/// A value computed for each row: a column, a bound value, arithmetic, a function or a
/// `CASE`. The typed builders ([`crate::Computed`]) make these; every backend computes the
/// same result, since each difference (integer division, division by zero, text length,
/// case folding) is settled by the renderer and the dialect, not left to the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A column of the query's table.
    Column(ColumnRef),
    /// A bound value.
    Value(Value),
    /// `left <op> right` on numbers of one class.
    Arith {
        /// The operator.
        op: ArithOp,
        /// The number class both sides have, which decides how `/` divides.
        class: NumClass,
        /// The left operand.
        left: Box<Scalar>,
        /// The right operand.
        right: Box<Scalar>,
    },
    /// `-operand`.
    Neg(Box<Scalar>),
    /// A selected value that the result row decodes as `kind`: where the dialect derives
    /// a result column's type from the statement's text alone (MariaDB's prepare, which
    /// types `price + ?` as DOUBLE and `CASE ... THEN ?` as NULL), it is written as
    /// `CAST(arg AS kind)`; elsewhere as `arg`.
    ResultAs {
        /// The kind the row decodes.
        kind: crate::value::ValueKind,
        /// The value.
        arg: Box<Scalar>,
    },
    /// A part of a date or a time (`year`), or the day it falls on (`date`), in UTC for an
    /// instant.
    DatePart {
        /// Which part.
        part: DatePart,
        /// The kind of `arg` (a date, a date and time, or an instant).
        kind: crate::value::ValueKind,
        /// The date or time.
        arg: Box<Scalar>,
    },
    /// `CAST(arg AS kind)`: a lossless widening (`i32` to `i64`, an integer to `f64`).
    Cast {
        /// The kind the value becomes.
        kind: crate::value::ValueKind,
        /// The value.
        arg: Box<Scalar>,
    },
    /// A portable function.
    Func {
        /// Which one.
        func: Func,
        /// Its arguments, in order.
        args: Vec<Scalar>,
    },
    /// `CASE WHEN cond THEN value ... ELSE otherwise END`: the value of the first
    /// condition that holds (a NULL condition does not hold).
    Case {
        /// `(condition, value)` pairs, tried in order.
        whens: Vec<(Node, Scalar)>,
        /// The value when no condition holds.
        otherwise: Box<Scalar>,
    },
}

impl Scalar {
    /// Whether the value is text: a text column or value, a text function (`lower`,
    /// `upper`, `trim`, `||`), a cast to text, or a `coalesce`, `nullif` or `CASE` of text.
    pub fn is_text(&self) -> bool {
        match self {
            Scalar::Column(c) => c.kind == ValueKind::Text,
            Scalar::Value(v) => v.kind() == ValueKind::Text,
            Scalar::Arith { .. } | Scalar::Neg(_) | Scalar::DatePart { .. } => false,
            Scalar::Cast { kind, .. } | Scalar::ResultAs { kind, .. } => *kind == ValueKind::Text,
            Scalar::Func { func, args } => match func {
                Func::Lower | Func::Upper | Func::Trim | Func::Concat => true,
                Func::Length | Func::Abs => false,
                Func::Coalesce | Func::NullIf => args.iter().any(Scalar::is_text),
            },
            Scalar::Case { whens, otherwise } => {
                otherwise.is_text() || whens.iter().any(|(_, value)| value.is_text())
            }
        }
    }

    /// Whether the value can be NULL: a nullable column or value, a division (by zero is
    /// NULL), `nullif`, or any operand that can be.
    pub fn nullable(&self) -> bool {
        match self {
            Scalar::Column(c) => c.nullable,
            Scalar::Value(v) => matches!(v, Value::Null(_)),
            Scalar::Arith {
                op, left, right, ..
            } => *op == ArithOp::Div || left.nullable() || right.nullable(),
            Scalar::Neg(s)
            | Scalar::Cast { arg: s, .. }
            | Scalar::ResultAs { arg: s, .. }
            | Scalar::DatePart { arg: s, .. } => s.nullable(),
            Scalar::Func { func, args } => match func {
                Func::NullIf => true,
                Func::Coalesce => args.iter().all(Scalar::nullable),
                _ => args.iter().any(Scalar::nullable),
            },
            Scalar::Case { whens, otherwise } => {
                otherwise.nullable() || whens.iter().any(|(_, v)| v.nullable())
            }
        }
    }

    /// How many values it binds.
    pub fn bind_count(&self) -> usize {
        match self {
            Scalar::Column(_) => 0,
            Scalar::Value(_) => 1,
            Scalar::Arith { left, right, .. } => left.bind_count() + right.bind_count(),
            Scalar::Neg(s)
            | Scalar::Cast { arg: s, .. }
            | Scalar::ResultAs { arg: s, .. }
            | Scalar::DatePart { arg: s, .. } => s.bind_count(),
            Scalar::Func { args, .. } => args.iter().map(Scalar::bind_count).sum(),
            Scalar::Case { whens, otherwise } => {
                otherwise.bind_count()
                    + whens
                        .iter()
                        .map(|(c, v)| c.bind_count() + v.bind_count())
                        .sum::<usize>()
            }
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: integers divide truncating toward zero (`-7 / 2 = -3`), as in Rust; a division
    /// by zero is NULL on every backend.
    Div,
}

impl ArithOp {
    /// The SQL operator (the dialect may write integer division its own way).
    pub fn sql(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// The class of numbers an arithmetic expression works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumClass {
    /// Integers (`i16`, `i32`, `i64`).
    Integer,
    /// Floating point (`f32`, `f64`).
    Float,
}

/// What [`Scalar::DatePart`] takes from a date or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// The year, as an `i32`.
    Year,
    /// The month, 1 to 12.
    Month,
    /// The day of the month, 1 to 31.
    Day,
    /// The day itself (a date): a date and time truncated to its day.
    Date,
}

/// A portable scalar function; the dialect names and shapes each one so that its result
/// is the same on every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Lower case, with Unicode case mapping on every backend.
    Lower,
    /// Upper case, with Unicode case mapping on every backend.
    Upper,
    /// The length of a text in characters (not bytes).
    Length,
    /// The text without leading and trailing spaces.
    Trim,
    /// The texts joined; NULL if any is NULL.
    Concat,
    /// The first argument that is not NULL.
    Coalesce,
    /// The absolute value.
    Abs,
    /// NULL when both arguments are equal, else the first.
    NullIf,
}

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `COUNT(*)`, `COUNT(col)` (non-NULL values) or `COUNT(DISTINCT col)`.
    Count,
    /// `SUM(col)`.
    Sum,
    /// `AVG(col)`.
    Avg,
    /// `MIN(col)`.
    Min,
    /// `MAX(col)`.
    Max,
}

impl AggFunc {
    /// The SQL function name.
    pub fn sql(self) -> &'static str {
        match self {
            AggFunc::Count => "COUNT",
            AggFunc::Sum => "SUM",
            AggFunc::Avg => "AVG",
            AggFunc::Min => "MIN",
            AggFunc::Max => "MAX",
        }
    }
}

/// An aggregate: `func([DISTINCT] arg)`, or `COUNT(*)` when `arg` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The function.
    pub func: AggFunc,
    /// What is aggregated (a column, or a value computed per row), or `None` for
    /// `COUNT(*)`.
    pub arg: Option<Box<Scalar>>,
    /// Over distinct values only.
    pub distinct: bool,
    /// The type the result is cast to, so that every backend returns the same one (SUM of
    /// integers is `bigint` on SQLite but `numeric` on PostgreSQL and `decimal` on MySQL).
    pub cast: Option<crate::value::ValueKind>,
}

impl Aggregate {
    /// How many values it binds.
    pub fn bind_count(&self) -> usize {
        self.arg.as_deref().map_or(0, Scalar::bind_count)
    }
}

/// One `ORDER BY` term.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTerm {
    /// What is ordered by.
    pub operand: Operand,
    /// Ascending.
    pub ascending: bool,
}

/// A `SELECT` of chosen columns and aggregates: `SELECT [DISTINCT] items FROM table WHERE
/// ... GROUP BY ... HAVING ... ORDER BY ... LIMIT ...`. Also a subquery's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectList {
    /// The table.
    pub table: &'static str,
    /// What each result column is.
    pub items: Vec<Operand>,
    /// `SELECT DISTINCT`.
    pub distinct: bool,
    /// `GROUP BY` terms: columns, or values computed from them (without bound values).
    pub group_by: Vec<Scalar>,
    /// The `HAVING` condition (over aggregates).
    pub having: Option<Node>,
    /// Filter, order, limit and offset.
    pub parts: QueryParts,
    /// Tables joined to `table`, in order. With any, every column is written qualified by
    /// its table (or alias): `"posts"."id"`.
    pub joins: Vec<JoinClause>,
    /// For a locking read of a join (`parts.lock`): the tables (or aliases) whose rows
    /// are locked, `FOR UPDATE OF ..`; empty locks the rows of every table read.
    pub lock_of: Vec<&'static str>,
}

/// How a joined table's rows are matched to the rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `INNER JOIN`: only rows with a match.
    Inner,
    /// `LEFT JOIN`: every row before it, with NULLs where the joined table has no match.
    Left,
}

/// One `JOIN table [AS alias] ON condition` of a [`SelectList`].
#[derive(Debug, Clone, PartialEq)]
pub struct JoinClause {
    /// Inner or left.
    pub kind: JoinKind,
    /// The joined table.
    pub table: &'static str,
    /// The name the query calls it by, when it is not the table's (a self-join's second
    /// occurrence); the columns of an aliased table carry the alias as their table.
    pub alias: Option<&'static str>,
    /// The join condition.
    pub on: Node,
}

impl JoinClause {
    /// The name the query's columns use for this table: its alias, or the table.
    pub fn name(&self) -> &'static str {
        self.alias.unwrap_or(self.table)
    }
}

impl SelectList {
    /// ANDs `condition` into the `HAVING` clause.
    pub fn and_having(&mut self, condition: Node) {
        self.having = Some(match self.having.take() {
            Some(h) => Node::And(Box::new(h), Box::new(condition)),
            None => condition,
        });
    }

    /// Lowers the limit to `cap` (for `first` and `one`, which need one and two rows).
    pub fn cap_limit(&mut self, cap: Option<u64>) {
        if let Some(cap) = cap {
            self.parts.limit = Some(self.parts.limit.map_or(cap, |l| l.min(cap)));
        }
    }

    /// A select of `items` from `table`, with no filter, grouping or join.
    pub fn new(table: &'static str, items: Vec<Operand>, parts: QueryParts) -> Self {
        SelectList {
            table,
            items,
            distinct: false,
            group_by: Vec::new(),
            having: None,
            parts,
            joins: Vec::new(),
            lock_of: Vec::new(),
        }
    }

    /// How many values the statement binds.
    pub fn bind_count(&self) -> usize {
        self.joins.iter().map(|j| j.on.bind_count()).sum::<usize>()
            + self.items.iter().map(Operand::bind_count).sum::<usize>()
            + self.parts.filter.as_ref().map_or(0, Node::bind_count)
            + self.having.as_ref().map_or(0, Node::bind_count)
            + self
                .parts
                .order
                .iter()
                .map(|t| t.operand.bind_count())
                .sum::<usize>()
            + usize::from(self.parts.limit.is_some())
            + usize::from(self.parts.offset.is_some())
    }
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
    /// The row lock a top-level `SELECT` of rows takes (`FOR UPDATE`...); refused anywhere
    /// else (counts, subqueries, updates, deletes).
    pub lock: Option<RowLock>,
}

/// A row lock: `FOR UPDATE` or `FOR SHARE`, and what to do about rows another
/// transaction has locked. From [`Select::for_update`](crate::Select::for_update) and
/// [`Select::for_share`](crate::Select::for_share).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowLock {
    /// Exclusive or shared.
    pub strength: LockStrength,
    /// Wait, skip, or fail at once.
    pub wait: LockWait,
}

/// How strongly the selected rows are locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockStrength {
    /// `FOR UPDATE`: no other transaction may lock, update or delete the rows until this
    /// one ends.
    Update,
    /// `FOR SHARE` (`LOCK IN SHARE MODE` on MariaDB): others may read-lock the rows too,
    /// but not update or delete them.
    Share,
}

/// What a locking read does about a row another transaction has locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LockWait {
    /// Wait for the other transaction (up to the backend's lock timeout).
    #[default]
    Wait,
    /// `SKIP LOCKED`: leave such rows out of the result (a job queue's claim).
    SkipLocked,
    /// `NOWAIT`: fail at once with [`Error::Conflict`](crate::Error::Conflict).
    NoWait,
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

/// Marks every column of `table` that a condition, value or operand names as nullable:
/// the columns of a left-joined table are NULL in the rows it has no match for, whatever
/// the column's own declaration, and the renderer must treat them so (`ne` matches those
/// rows, ordering puts them first). Subqueries are their own scope and are left alone.
pub trait MarkNullable {
    /// Marks `table`'s columns as nullable.
    fn mark_nullable(&mut self, table: &str);
}

impl MarkNullable for ColumnRef {
    fn mark_nullable(&mut self, table: &str) {
        if self.table == table {
            self.nullable = true;
        }
    }
}

impl MarkNullable for Node {
    fn mark_nullable(&mut self, table: &str) {
        match self {
            Node::Compare { column, .. }
            | Node::NotEqual { column, .. }
            | Node::Between { column, .. }
            | Node::In { column, .. }
            | Node::IsNull { column, .. }
            | Node::Like { column, .. }
            | Node::InSubquery { column, .. } => column.mark_nullable(table),
            Node::CompareScalar { left, right, .. } => {
                left.mark_nullable(table);
                right.mark_nullable(table);
            }
            Node::ScalarIsNull { scalar, .. } => scalar.mark_nullable(table),
            Node::And(a, b) | Node::Or(a, b) => {
                a.mark_nullable(table);
                b.mark_nullable(table);
            }
            Node::Not(a) => a.mark_nullable(table),
            Node::Const(_) => {}
            Node::AggregateCompare { aggregate, .. } => aggregate.mark_nullable(table),
            Node::Exists(q) => {
                for (_, outer) in &mut q.links {
                    outer.mark_nullable(table);
                }
            }
        }
    }
}

impl MarkNullable for Scalar {
    fn mark_nullable(&mut self, table: &str) {
        match self {
            Scalar::Column(c) => c.mark_nullable(table),
            Scalar::Value(_) => {}
            Scalar::Arith { left, right, .. } => {
                left.mark_nullable(table);
                right.mark_nullable(table);
            }
            Scalar::Neg(s)
            | Scalar::Cast { arg: s, .. }
            | Scalar::ResultAs { arg: s, .. }
            | Scalar::DatePart { arg: s, .. } => s.mark_nullable(table),
            Scalar::Func { args, .. } => {
                for a in args {
                    a.mark_nullable(table);
                }
            }
            Scalar::Case { whens, otherwise } => {
                for (c, v) in whens {
                    c.mark_nullable(table);
                    v.mark_nullable(table);
                }
                otherwise.mark_nullable(table);
            }
        }
    }
}

impl MarkNullable for Aggregate {
    fn mark_nullable(&mut self, table: &str) {
        if let Some(arg) = &mut self.arg {
            arg.mark_nullable(table);
        }
    }
}

impl MarkNullable for Operand {
    fn mark_nullable(&mut self, table: &str) {
        match self {
            Operand::Column(c) => c.mark_nullable(table),
            Operand::Aggregate(a) => a.mark_nullable(table),
            Operand::Scalar(s) => s.mark_nullable(table),
        }
    }
}

impl MarkNullable for OrderTerm {
    fn mark_nullable(&mut self, table: &str) {
        self.operand.mark_nullable(table);
    }
}
