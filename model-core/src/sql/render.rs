//! SQL rendering of queries and writes, written once for every dialect.
//!
//! The shapes here are standard SQL; wherever a backend differs, the writer asks the
//! dialect ([`crate::sql::dialect::SqlDialect`]). Per-model statements that never change shape
//! (lookup by key, insert, update and delete of one row) are rendered into templates once
//! and cached by [`crate::SqlCache`].

use crate::engine::statement::{SqlTemplate, Statement};
use crate::error::{Error, Result};
use crate::model::ModelMeta;
use crate::query::ast::{
    AggFunc, Aggregate, ArithOp, CmpOp, ColumnRef, Func, JoinKind, Node, NumClass, Operand,
    Projection, QueryParts, RowLock, Scalar, SelectList,
};
use crate::sql::dialect::Dialect;
use crate::sql::lexer::{self, TokenKind};
use crate::sql::writer::SqlWriter;
use crate::value::{Array, Value, ValueKind};

/// A column as [`SqlWriter::column`] writes it, for dialect hooks that take SQL text.
fn column_sql(w: &SqlWriter, column: &ColumnRef) -> String {
    let mut probe = SqlWriter::new(w.dialect());
    probe.set_qualify(w.qualifies());
    probe.column(column);
    probe.into_sql()
}

fn column_list(w: &mut SqlWriter, meta: &ModelMeta) {
    for (i, c) in meta.columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(c.name);
    }
}

/// Writes a condition.
pub fn write_node(w: &mut SqlWriter, node: &Node) {
    match node {
        Node::Compare { column, op, value } => {
            w.column(column);
            collate_text(w, *op != CmpOp::Eq && column.kind == ValueKind::Text);
            w.push(" ").push(op.sql()).push(" ").bind(value.clone());
        }
        Node::CompareScalar { left, op, right } => {
            // Both sides, so that two explicit collations never meet.
            let text = *op != CmpOp::Eq && (left.is_text() || right.is_text());
            write_scalar(w, left);
            collate_text(w, text);
            w.push(" ").push(op.sql()).push(" ");
            write_scalar(w, right);
            collate_text(w, text);
        }
        Node::ScalarIsNull { scalar, negated } => {
            write_scalar(w, scalar);
            w.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
        }
        Node::NotEqual { column, value } => {
            if column.nullable {
                w.push("(").column(column).push(" <> ").bind(value.clone());
                w.push(" OR ").column(column).push(" IS NULL)");
            } else {
                w.column(column).push(" <> ").bind(value.clone());
            }
        }
        Node::Between { column, low, high } => {
            w.column(column);
            collate_text(w, column.kind == ValueKind::Text);
            w.push(" BETWEEN ").bind(low.clone());
            w.push(" AND ").bind(high.clone());
        }
        Node::In {
            values, negated, ..
        } if values.is_empty() => {
            w.push(if *negated { "1 = 1" } else { "1 = 0" });
        }
        Node::In {
            column,
            values,
            negated,
        } => {
            let or_null = *negated && column.nullable;
            if or_null {
                w.push("(");
            }
            w.column(column);
            if let Some(array) = in_list_array(w.dialect(), values) {
                // `= ANY` and `<> ALL` give what `IN` and `NOT IN` give for a non-empty
                // list, NULL (unknown) included: a NULL column, or no match where the
                // list holds a NULL, is NULL either way.
                w.push(if *negated { " <> ALL(" } else { " = ANY(" })
                    .bind(Value::Array(array));
            } else {
                w.push(if *negated { " NOT IN (" } else { " IN (" });
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.bind(v.clone());
                }
            }
            w.push(")");
            if or_null {
                w.push(" OR ").column(column).push(" IS NULL)");
            }
        }
        Node::IsNull { column, negated } => {
            w.column(column)
                .push(if *negated { " IS NOT NULL" } else { " IS NULL" });
        }
        Node::Like {
            column,
            pattern,
            case_insensitive,
        } => {
            let col = column_sql(w, column);
            w.dialect()
                .rules()
                .write_like(w, &col, pattern, *case_insensitive);
        }
        Node::And(a, b) => {
            w.push("(");
            write_node(w, a);
            w.push(" AND ");
            write_node(w, b);
            w.push(")");
        }
        Node::Or(a, b) => {
            w.push("(");
            write_node(w, a);
            w.push(" OR ");
            write_node(w, b);
            w.push(")");
        }
        Node::Not(a) => {
            // Two-valued NOT: unknown (NULL) counts as false, so its complement is true.
            w.push("(");
            write_node(w, a);
            w.push(") IS NOT TRUE");
        }
        Node::Const(b) => {
            w.push(if *b { "1 = 1" } else { "1 = 0" });
        }
        Node::AggregateCompare {
            aggregate,
            op,
            value,
        } => {
            write_aggregate(w, aggregate);
            w.push(" ").push(op.sql()).push(" ").bind(value.clone());
        }
        Node::Exists(q) => write_exists(w, q),
        Node::InSubquery { column, subquery } => {
            w.column(column).push(" IN (");
            let shaped = subquery.parts.limit.is_some() || subquery.parts.offset.is_some();
            if shaped {
                // MySQL refuses LIMIT directly inside IN (...); a derived table is accepted
                // everywhere.
                w.push("SELECT * FROM (");
            }
            write_select_list(w, subquery);
            if shaped {
                w.push(") AS ").ident("ambidex_sub");
            }
            w.push(")");
        }
    }
}

/// Whether `dialect` writes an `IN` list of `values` as `= ANY($1)` with one array
/// parameter ([`crate::sql::dialect::SqlDialect::array_placeholder`]), so that its length does
/// not count against the bind limit; never for an empty list or one that mixes kinds.
pub(crate) fn list_binds_as_array(dialect: Dialect, values: &[Value]) -> bool {
    Array::common_kind(values).is_some_and(|kind| dialect.rules().array_placeholder(kind).is_some())
}

/// `values` as one array parameter where [`list_binds_as_array`]; `None` where the
/// dialect writes a placeholder per value.
fn in_list_array(dialect: Dialect, values: &[Value]) -> Option<Array> {
    let kind = Array::common_kind(values)?;
    dialect.rules().array_placeholder(kind)?;
    Some(Array::of_kind(kind, values))
}

/// Appends the dialect's [`crate::sql::dialect::SqlDialect::text_order_collation`] after an
/// operand whose order matters, when it is `text`: the one place where ordering text by
/// bytes is written.
fn collate_text(w: &mut SqlWriter, text: bool) {
    if let (true, Some(collation)) = (text, w.dialect().rules().text_order_collation()) {
        w.push(" COLLATE ").push(collation);
    }
}

/// Writes `func([DISTINCT] col)`, `COUNT(*)`, cast where the result type must agree.
fn write_aggregate(w: &mut SqlWriter, a: &Aggregate) {
    if a.cast.is_some() {
        w.push("CAST(");
    }
    let name = w.dialect().rules().aggregate(a.func, a.cast);
    w.push(name).push("(");
    match &a.arg {
        None => {
            w.push("*");
        }
        Some(arg) => {
            if a.distinct {
                w.push("DISTINCT ");
            }
            write_scalar(w, arg);
            collate_text(
                w,
                matches!(a.func, AggFunc::Min | AggFunc::Max) && arg.is_text(),
            );
        }
    }
    w.push(")");
    if let Some(kind) = a.cast {
        let ty = w.dialect().rules().cast_type(kind);
        w.push(" AS ").push(ty).push(")");
    }
}

fn write_operand(w: &mut SqlWriter, operand: &Operand) {
    match operand {
        Operand::Column(c) => {
            w.column(c);
        }
        Operand::Aggregate(a) => write_aggregate(w, a),
        Operand::Scalar(s) => write_scalar(w, s),
    }
}

/// Writes a value computed per row. Every compound form is parenthesized, so that the
/// tree's shape, not the backend's operator precedence, decides the result.
pub fn write_scalar(w: &mut SqlWriter, scalar: &Scalar) {
    match scalar {
        Scalar::Column(c) => {
            w.column(c);
        }
        Scalar::Value(v) => {
            w.bind(v.clone());
        }
        Scalar::Arith {
            op,
            class,
            left,
            right,
        } => {
            w.push("(");
            write_scalar(w, left);
            if *op == ArithOp::Div {
                // Division by zero is NULL everywhere (PostgreSQL would fail the whole
                // statement); integers truncate toward zero.
                let sign = match class {
                    NumClass::Integer => w.dialect().rules().integer_division(),
                    NumClass::Float => "/",
                };
                w.push(" ").push(sign).push(" NULLIF(");
                write_scalar(w, right);
                w.push(", 0)");
            } else {
                w.push(" ").push(op.sql()).push(" ");
                write_scalar(w, right);
            }
            w.push(")");
        }
        Scalar::Neg(s) => {
            w.push("(-");
            write_scalar(w, s);
            w.push(")");
        }
        Scalar::DatePart { part, kind, arg } => {
            let (before, after) = w.dialect().rules().date_part(*part, *kind);
            w.push(before);
            write_scalar(w, arg);
            w.push(after);
        }
        Scalar::ResultAs { kind, arg } if !w.dialect().rules().types_results_at_prepare() => {
            write_scalar(w, arg);
        }
        Scalar::Cast { kind, arg } | Scalar::ResultAs { kind, arg } => {
            w.push("CAST(");
            write_scalar(w, arg);
            let rules = w.dialect().rules();
            w.push(" AS ").push(rules.cast_type(*kind)).push(")");
            if let Some(collation) = rules.cast_collation(*kind) {
                w.push(" COLLATE ").push(collation);
            }
        }
        Scalar::Func { func, args } => match w.dialect().rules().function(*func) {
            Some(name) => {
                let case_mapping = match func {
                    Func::Lower | Func::Upper => w.dialect().rules().case_mapping_collation(),
                    _ => None,
                };
                w.push(name).push("(");
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    write_scalar(w, arg);
                    if let Some(collation) = case_mapping {
                        w.push(" COLLATE ").push(collation);
                    }
                }
                w.push(")");
            }
            None => {
                debug_assert_eq!(*func, Func::Concat);
                w.push("(");
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        w.push(" || ");
                    }
                    write_scalar(w, arg);
                }
                w.push(")");
            }
        },
        Scalar::Case { whens, otherwise } => {
            w.push("(CASE");
            for (condition, value) in whens {
                w.push(" WHEN ");
                write_node(w, condition);
                w.push(" THEN ");
                write_scalar(w, value);
            }
            w.push(" ELSE ");
            write_scalar(w, otherwise);
            w.push(" END)");
        }
    }
}

/// Writes a [`SelectList`] (a whole statement, or a subquery's body).
/// The alias of an EXISTS subquery's table: it hides the table's own name inside the
/// subquery, so `outer_table.column` always means the enclosing query's row, even when
/// both are the same table.
const EXISTS_ALIAS: &str = "ambidex_exists";

fn write_exists(w: &mut SqlWriter, q: &crate::query::ast::ExistsQuery) {
    // The subquery is its own scope: its bare column names are its own table's.
    let outer_qualified = w.set_qualify(false);
    w.push("EXISTS (SELECT 1 FROM ")
        .ident(q.table)
        .push(" AS ")
        .ident(EXISTS_ALIAS);
    let mut first = true;
    let mut and = |w: &mut SqlWriter| {
        w.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    for (inner, outer) in &q.links {
        and(w);
        w.ident(EXISTS_ALIAS)
            .push(".")
            .ident(inner.name)
            .push(" = ")
            .ident(outer.table)
            .push(".")
            .ident(outer.name);
    }
    if let Some(filter) = &q.parts.filter {
        and(w);
        w.push("(");
        write_node(w, filter);
        w.push(")");
    }
    write_order(w, &q.parts);
    write_limit(w, &q.parts);
    w.push(")");
    w.set_qualify(outer_qualified);
}

fn write_select_list(w: &mut SqlWriter, list: &SelectList) {
    let outer_qualified = w.set_qualify(!list.joins.is_empty());
    w.push(if list.distinct {
        "SELECT DISTINCT "
    } else {
        "SELECT "
    });
    for (i, item) in list.items.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        write_operand(w, item);
        if list.distinct {
            // PostgreSQL's SELECT DISTINCT accepts only ORDER BY terms written as an item
            // is, and an ordered text term carries its collation.
            collate_text(w, item.is_text());
        }
    }
    w.push(" FROM ").ident(list.table);
    for join in &list.joins {
        w.push(match join.kind {
            JoinKind::Inner => " INNER JOIN ",
            JoinKind::Left => " LEFT JOIN ",
        })
        .ident(join.table);
        if let Some(alias) = join.alias {
            w.push(" AS ").ident(alias);
        }
        w.push(" ON ");
        write_node(w, &join.on);
    }
    write_where(w, &list.parts);
    for (i, key) in list.group_by.iter().enumerate() {
        w.push(if i == 0 { " GROUP BY " } else { ", " });
        write_scalar(w, key);
    }
    if let Some(having) = &list.having {
        w.push(" HAVING ");
        write_node(w, having);
    }
    write_order(w, &list.parts);
    write_limit(w, &list.parts);
    w.set_qualify(outer_qualified);
}

/// Refuses a join that names a table twice without an alias: its columns would be
/// ambiguous.
fn check_join_names(list: &SelectList) -> Result<()> {
    let mut names = vec![list.table];
    for join in &list.joins {
        let name = join.name();
        if names.contains(&name) {
            return Err(Error::InvalidQuery(
                format!(
                    "`{name}` appears twice in the query: join the second occurrence through an \
                 alias (`ambidex::alias!(Manager = Employee)`, then `.join_as::<Manager>(..)`)"
                )
                .into(),
            ));
        }
        names.push(name);
    }
    Ok(())
}

/// Renders a SELECT of chosen columns and aggregates.
pub fn select_list(dialect: Dialect, list: &SelectList) -> Result<Statement> {
    if list.items.is_empty() {
        return Err(Error::InvalidQuery(
            "a select needs at least one column".into(),
        ));
    }
    if list.group_by.iter().any(|key| key.bind_count() > 0) {
        return Err(Error::InvalidQuery(
            "group_by on a computed value that holds a bound value (such as `AGE + 1`) \
             is not portable: PostgreSQL sees the grouped and the selected placeholder as \
             different values; group by columns or functions of columns only"
                .into(),
        ));
    }
    check_join_names(list)?;
    let mut w = SqlWriter::new(dialect);
    write_select_list(&mut w, list);
    write_join_lock(&mut w, list)?;
    w.finish()
}

/// The row-lock clause of a locking join (`Joined::for_update`), after `LIMIT`: the rows
/// of `list.lock_of` where the dialect can name them (`FOR UPDATE OF`), else of every
/// table read. A left join must name what it locks: PostgreSQL refuses to lock the
/// nullable side of an outer join, so the same query is refused on every backend.
fn write_join_lock(w: &mut SqlWriter, list: &SelectList) -> Result<()> {
    let Some(lock) = list.parts.lock else {
        return Ok(());
    };
    if list.lock_of.is_empty() && list.joins.iter().any(|j| j.kind == JoinKind::Left) {
        return Err(Error::InvalidQuery(
            "a locking read of a left join must name the models whose rows it locks, \
             `.for_update().of::<Model, _>()`: a left-joined model's row may be missing, and \
             PostgreSQL cannot lock the nullable side of an outer join"
                .into(),
        ));
    }
    if !list.group_by.is_empty() || list.distinct || list.having.is_some() {
        return Err(Error::InvalidQuery(
            "row locks apply to rows read whole, not to grouped or distinct results".into(),
        ));
    }
    let qualified = w.set_qualify(false);
    w.dialect().rules().write_lock_of(w, lock, &list.lock_of);
    w.set_qualify(qualified);
    Ok(())
}

fn write_where(w: &mut SqlWriter, parts: &QueryParts) {
    if let Some(f) = &parts.filter {
        w.push(" WHERE ");
        write_node(w, f);
    }
}

fn write_order(w: &mut SqlWriter, parts: &QueryParts) {
    for (i, term) in parts.order.iter().enumerate() {
        w.push(if i == 0 { " ORDER BY " } else { ", " });
        write_operand(w, &term.operand);
        collate_text(w, term.operand.is_text());
        w.push(if term.ascending { " ASC" } else { " DESC" });
        w.push(
            w.dialect()
                .rules()
                .nulls_order(term.operand.nullable(), term.ascending),
        );
    }
}

fn write_limit(w: &mut SqlWriter, parts: &QueryParts) {
    if parts.limit.is_some() || parts.offset.is_some() {
        w.dialect()
            .rules()
            .write_limit_offset(w, parts.limit, parts.offset);
    }
}

/// Renders a SELECT of `meta`'s rows.
pub fn select(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
    projection: Projection,
) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    let limited = parts.limit.is_some() || parts.offset.is_some();
    if parts.lock.is_some() && projection != Projection::Model {
        return Err(Error::InvalidQuery(
            "row locks (for_update, for_share) apply to rows read with all, first or one, \
             not to counts or existence checks"
                .into(),
        ));
    }
    match projection {
        Projection::Model => {
            w.push("SELECT ");
            column_list(&mut w, meta);
            w.push(" FROM ").ident(meta.table);
            write_where(&mut w, parts);
            write_order(&mut w, parts);
            write_limit(&mut w, parts);
            if let Some(clause) = parts
                .lock
                .and_then(|lock| dialect.rules().lock_clause(lock))
            {
                w.push(clause);
            }
        }
        Projection::Count if !limited => {
            w.push("SELECT COUNT(*) FROM ").ident(meta.table);
            write_where(&mut w, parts);
        }
        Projection::Count => {
            w.push("SELECT COUNT(*) FROM (SELECT 1 AS ").ident("one");
            w.push(" FROM ").ident(meta.table);
            write_where(&mut w, parts);
            write_order(&mut w, parts);
            write_limit(&mut w, parts);
            w.push(") AS ").ident("counted");
        }
        Projection::Exists => {
            w.push("SELECT EXISTS (SELECT 1 FROM ").ident(meta.table);
            write_where(&mut w, parts);
            write_limit(&mut w, parts);
            w.push(")");
        }
    }
    w.finish()
}

/// The statement a locking read sends first on a backend without row locks (SQLite):
/// a write that changes nothing, so the transaction holds the database's write lock from
/// then on and a second writer waits for it; `None` where rows are locked by the
/// `SELECT` itself.
pub fn write_lock(dialect: Dialect, meta: &ModelMeta, lock: RowLock) -> Result<Option<Statement>> {
    if dialect.rules().lock_clause(lock).is_some() {
        return Ok(None);
    }
    let mut w = SqlWriter::new(dialect);
    w.push("DELETE FROM ")
        .ident(meta.table)
        .push(" WHERE 0 = 1");
    w.finish().map(Some)
}

fn reject_shaping(parts: &QueryParts, what: &str) -> Result<()> {
    if parts.lock.is_some() {
        return Err(Error::InvalidQuery(
            format!("{what} by filter locks the rows it changes; for_update() is for reads").into(),
        ));
    }
    if !parts.order.is_empty() || parts.limit.is_some() || parts.offset.is_some() {
        return Err(Error::InvalidQuery(
            format!(
                "{what} by filter does not take order_by, limit or offset; \
                 filter on the key of the rows you want instead"
            )
            .into(),
        ));
    }
    Ok(())
}

/// Renders `UPDATE table SET ... WHERE filter`.
pub fn update_where(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
    assignments: &[(ColumnRef, Scalar)],
) -> Result<Statement> {
    update_where_sql(dialect, meta, parts, assignments, false)
}

/// Renders `UPDATE table SET ... WHERE filter RETURNING every column`, for backends whose
/// dialect [`supports_returning`](crate::SqlDialect::supports_returning).
pub fn update_where_returning(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
    assignments: &[(ColumnRef, Scalar)],
) -> Result<Statement> {
    update_where_sql(dialect, meta, parts, assignments, true)
}

fn update_where_sql(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
    assignments: &[(ColumnRef, Scalar)],
    returning: bool,
) -> Result<Statement> {
    reject_shaping(parts, "update")?;
    if assignments.is_empty() {
        return Err(Error::InvalidQuery(
            "update by filter needs at least one `.set(column, value)`".into(),
        ));
    }
    let ordered = assignment_order(dialect, assignments)?;
    let mut w = SqlWriter::new(dialect);
    w.push("UPDATE ").ident(meta.table).push(" SET ");
    for (i, (column, value)) in ordered.into_iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(column.name).push(" = ");
        write_scalar(&mut w, value);
    }
    write_where(&mut w, parts);
    write_returning(&mut w, meta, returning);
    w.finish()
}

/// The assignments in the order the dialect must see them so that every right-hand side
/// reads the row as it was before the update: as given, except where the dialect
/// evaluates `SET` left to right (MySQL), where an assignment to a column comes after
/// every assignment that reads it. A cycle (`a = b, b = a`) has no such order there and
/// is refused.
fn assignment_order(
    dialect: Dialect,
    assignments: &[(ColumnRef, Scalar)],
) -> Result<Vec<&(ColumnRef, Scalar)>> {
    if !dialect.rules().set_reads_updated_columns() {
        return Ok(assignments.iter().collect());
    }
    let reads = |s: &Scalar, name: &str| scalar_reads(s, name);
    let mut left: Vec<&(ColumnRef, Scalar)> = assignments.iter().collect();
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        // The first assignment whose column no other remaining right-hand side reads.
        let free = (0..left.len()).find(|&i| {
            let target = left[i].0.name;
            left.iter()
                .enumerate()
                .all(|(j, (_, rhs))| j == i || !reads(rhs, target))
        });
        match free {
            Some(i) => out.push(left.remove(i)),
            None => {
                return Err(Error::InvalidQuery(
                    "this update's assignments read each other's columns in a cycle \
                     (such as swapping two columns); MySQL and MariaDB evaluate SET left to \
                     right, so no order of them reads the row as it was: split the update \
                     or go through a temporary value"
                        .into(),
                ));
            }
        }
    }
    Ok(out)
}

/// Whether `scalar` reads the column `name`.
fn scalar_reads(scalar: &Scalar, name: &str) -> bool {
    match scalar {
        Scalar::Column(c) => c.name == name,
        Scalar::Value(_) => false,
        Scalar::Arith { left, right, .. } => scalar_reads(left, name) || scalar_reads(right, name),
        Scalar::Neg(s)
        | Scalar::Cast { arg: s, .. }
        | Scalar::ResultAs { arg: s, .. }
        | Scalar::DatePart { arg: s, .. } => scalar_reads(s, name),
        Scalar::Func { args, .. } => args.iter().any(|a| scalar_reads(a, name)),
        Scalar::Case { whens, otherwise } => {
            scalar_reads(otherwise, name)
                || whens
                    .iter()
                    .any(|(c, v)| node_reads(c, name) || scalar_reads(v, name))
        }
    }
}

/// Whether the condition `node` reads the column `name`.
fn node_reads(node: &Node, name: &str) -> bool {
    match node {
        Node::Compare { column, .. }
        | Node::NotEqual { column, .. }
        | Node::Between { column, .. }
        | Node::In { column, .. }
        | Node::IsNull { column, .. }
        | Node::Like { column, .. }
        | Node::InSubquery { column, .. } => column.name == name,
        Node::CompareScalar { left, right, .. } => {
            scalar_reads(left, name) || scalar_reads(right, name)
        }
        Node::ScalarIsNull { scalar, .. } => scalar_reads(scalar, name),
        Node::And(a, b) | Node::Or(a, b) => node_reads(a, name) || node_reads(b, name),
        Node::Not(a) => node_reads(a, name),
        Node::Const(_) | Node::AggregateCompare { .. } => false,
        // A correlated subquery reads the outer row's columns through its links.
        Node::Exists(q) => q.links.iter().any(|(_, outer)| outer.name == name),
    }
}

/// Renders `DELETE FROM table WHERE filter`.
pub fn delete_where(dialect: Dialect, meta: &ModelMeta, parts: &QueryParts) -> Result<Statement> {
    delete_where_sql(dialect, meta, parts, false)
}

/// Renders `DELETE FROM table WHERE filter RETURNING every column`, for backends whose
/// dialect [`delete_returning`](crate::SqlDialect::delete_returning).
pub fn delete_where_returning(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
) -> Result<Statement> {
    delete_where_sql(dialect, meta, parts, true)
}

fn delete_where_sql(
    dialect: Dialect,
    meta: &ModelMeta,
    parts: &QueryParts,
    returning: bool,
) -> Result<Statement> {
    reject_shaping(parts, "delete")?;
    let mut w = SqlWriter::new(dialect);
    w.push("DELETE FROM ").ident(meta.table);
    write_where(&mut w, parts);
    write_returning(&mut w, meta, returning);
    w.finish()
}

fn write_returning(w: &mut SqlWriter, meta: &ModelMeta, returning: bool) {
    if returning {
        w.push(" RETURNING ");
        column_list(w, meta);
    }
}

/// `SELECT columns FROM table WHERE key = ?`
pub fn get_by_key(dialect: Dialect, meta: &ModelMeta) -> Result<SqlTemplate> {
    let mut w = SqlWriter::new(dialect);
    w.push("SELECT ");
    column_list(&mut w, meta);
    w.push(" FROM ").ident(meta.table);
    where_key(&mut w, meta);
    w.finish_template()
}

/// ` WHERE key1 = ? AND key2 = ?...`: one placeholder per key column, in declaration order.
fn where_key(w: &mut SqlWriter, meta: &ModelMeta) {
    w.push(" WHERE ");
    for (i, c) in meta.key_columns().enumerate() {
        if i > 0 {
            w.push(" AND ");
        }
        w.ident(c.name).push(" = ").placeholder();
    }
}

/// `INSERT INTO table (...) VALUES (...), ...` for `rows` rows, with `RETURNING` every
/// column when `returning` (the dialect must support it).
pub fn insert(
    dialect: Dialect,
    meta: &ModelMeta,
    rows: usize,
    returning: bool,
) -> Result<SqlTemplate> {
    insert_rows(dialect, meta, rows, returning, false)
}

/// A one-row INSERT without `RETURNING`, that also writes a generated key when `with_key`
/// (an upsert by key names its row by the key).
pub fn insert_explicit(dialect: Dialect, meta: &ModelMeta, with_key: bool) -> Result<SqlTemplate> {
    insert_rows(dialect, meta, 1, false, with_key)
}

/// [`insert_explicit`] with `RETURNING` every column, for a server whose dialect has
/// `INSERT ... RETURNING` but no `ON CONFLICT` (MariaDB:
/// [`insert_returning`](crate::SqlDialect::insert_returning)).
pub fn insert_explicit_returning(
    dialect: Dialect,
    meta: &ModelMeta,
    with_key: bool,
) -> Result<SqlTemplate> {
    insert_rows(dialect, meta, 1, true, with_key)
}

fn insert_rows(
    dialect: Dialect,
    meta: &ModelMeta,
    rows: usize,
    returning: bool,
    with_key: bool,
) -> Result<SqlTemplate> {
    let mut w = SqlWriter::new(dialect);
    insert_values_clause(&mut w, meta, rows, with_key);
    if returning {
        w.push(" RETURNING ");
        column_list(&mut w, meta);
    }
    w.finish_template()
}

/// `INSERT INTO table (columns) VALUES (?, ...), ...` for `rows` rows: every column, or
/// all but a generated key (`with_key` false); the dialect's default-values clause for a
/// model with no column to send.
fn insert_values_clause(w: &mut SqlWriter, meta: &ModelMeta, rows: usize, with_key: bool) {
    w.push("INSERT INTO ").ident(meta.table);
    let columns = meta.columns.iter().filter(|c| with_key || !c.auto);
    let width = columns.clone().count();
    if width == 0 {
        w.push(w.dialect().rules().insert_defaults_clause());
        return;
    }
    w.push(" (");
    for (i, c) in columns.enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(c.name);
    }
    w.push(") VALUES ");
    for r in 0..rows {
        w.push(if r == 0 { "(" } else { ", (" });
        for i in 0..width {
            if i > 0 {
                w.push(", ");
            }
            w.placeholder();
        }
        w.push(")");
    }
}

/// What an insert does when a row with the same key or unique value exists.
#[derive(Debug, Clone, Copy)]
pub enum OnConflict<'a> {
    /// Update the existing row's non-key columns to the new row's values (`target`: the
    /// columns of the constraint that decides what "the same row" is).
    Update {
        /// The conflict target's columns.
        target: &'a [&'a str],
    },
    /// Keep the existing row and insert nothing, whatever unique constraint conflicts.
    Nothing,
}

/// `INSERT INTO table (columns) VALUES (...) ON CONFLICT ... RETURNING every column`, for
/// dialects with `ON CONFLICT` ([`crate::sql::dialect::SqlDialect::supports_on_conflict`]).
/// `rows` rows; `with_key` also writes a generated key (an upsert by key must send it).
pub fn insert_on_conflict(
    dialect: Dialect,
    meta: &ModelMeta,
    rows: usize,
    with_key: bool,
    on_conflict: OnConflict<'_>,
) -> Result<SqlTemplate> {
    let mut w = SqlWriter::new(dialect);
    insert_values_clause(&mut w, meta, rows, with_key);
    match on_conflict {
        OnConflict::Nothing => {
            w.push(" ON CONFLICT DO NOTHING");
        }
        OnConflict::Update { target } => {
            w.push(" ON CONFLICT (");
            for (i, c) in target.iter().enumerate() {
                w.push(if i == 0 { "" } else { ", " }).ident(c);
            }
            w.push(") DO UPDATE SET ");
            let mut set: Vec<&str> = meta.update_columns().map(|c| c.name).collect();
            if set.is_empty() {
                // A key-only model: a no-op update, so that RETURNING still yields the row.
                set.extend_from_slice(target);
            }
            for (i, c) in set.iter().enumerate() {
                w.push(if i == 0 { "" } else { ", " })
                    .ident(c)
                    .push(" = EXCLUDED.")
                    .ident(c);
            }
        }
    }
    w.push(" RETURNING ");
    column_list(&mut w, meta);
    w.finish_template()
}

/// `UPDATE table SET every non-key column = ? WHERE key = ?`
pub fn update_by_key(dialect: Dialect, meta: &ModelMeta) -> Result<SqlTemplate> {
    let mut w = SqlWriter::new(dialect);
    w.push("UPDATE ").ident(meta.table).push(" SET ");
    let mut any = false;
    for (i, c) in meta.update_columns().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        w.ident(c.name).push(" = ").placeholder();
        any = true;
    }
    if !any {
        // A key-only model: the update only checks that the row exists.
        let key = meta.columns[meta.keys[0]].name;
        w.ident(key).push(" = ").ident(key);
    }
    where_key(&mut w, meta);
    w.finish_template()
}

/// `DELETE FROM table WHERE key = ?`
pub fn delete_by_key(dialect: Dialect, meta: &ModelMeta) -> Result<SqlTemplate> {
    let mut w = SqlWriter::new(dialect);
    w.push("DELETE FROM ").ident(meta.table);
    where_key(&mut w, meta);
    w.finish_template()
}

/// The raw escape hatch: `?` marks a parameter, `??` a literal `?`; a `?` inside a string
/// literal, a quoted identifier or a comment, as the dialect reads them (see
/// [`crate::lexer`]), is neither.
pub fn raw(dialect: Dialect, sql: &str, binds: Vec<Value>) -> Result<Statement> {
    let mut w = SqlWriter::new(dialect);
    let mut start = 0;
    let mut pieces = lexer::tokens(dialect, sql).peekable();
    while let Some(token) = pieces.next() {
        if token.kind != TokenKind::Code || token.text != "?" {
            continue;
        }
        w.push(&sql[start..token.start]);
        if pieces
            .next_if(|t| t.kind == TokenKind::Code && t.text == "?")
            .is_some()
        {
            w.push("?");
            start = token.start + 2;
        } else {
            w.placeholder();
            start = token.end();
        }
    }
    w.push(&sql[start..]);
    let expected = w.placeholder_count();
    if expected != binds.len() {
        return Err(Error::InvalidQuery(
            format!(
                "raw SQL has {expected} `?` placeholders but {} values were bound",
                binds.len()
            )
            .into(),
        ));
    }
    w.finish_template()?.bind(binds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnDef;
    use crate::query::ast::{CmpOp, OrderTerm};
    use crate::value::ValueKind;

    const fn col(name: &'static str, nullable: bool, pk: bool) -> ColumnDef {
        ColumnDef {
            name,
            field: name,
            kind: ValueKind::I64,
            nullable,
            primary_key: pk,
            auto: pk,
            unique: false,
            index: false,
            default: None,
            references: None,
        }
    }
    static META: ModelMeta = ModelMeta {
        name: "T",
        table: "t",
        columns: &[col("id", false, true), col("group", true, false)],
        keys: &[0],
    };
    const G: ColumnRef = ColumnRef {
        table: "t",
        name: "group",
        nullable: true,
        kind: ValueKind::I64,
    };

    #[test]
    fn renders_per_dialect() {
        let parts = QueryParts {
            filter: Some(Node::Compare {
                column: G,
                op: CmpOp::Ge,
                value: Value::I64(3),
            }),
            order: vec![OrderTerm {
                operand: crate::query::ast::Operand::Column(G),
                ascending: true,
            }],
            limit: Some(10),
            offset: None,
            lock: None,
        };
        let sql = |d| {
            select(d, &META, &parts, Projection::Model)
                .unwrap()
                .sql()
                .to_string()
        };
        assert_eq!(
            sql(Dialect::Sqlite),
            r#"SELECT "id", "group" FROM "t" WHERE "group" >= ? ORDER BY "group" ASC LIMIT ?"#
        );
        assert_eq!(
            sql(Dialect::Postgres),
            r#"SELECT "id", "group" FROM "t" WHERE "group" >= $1 ORDER BY "group" ASC NULLS FIRST LIMIT $2"#
        );
        assert_eq!(
            sql(Dialect::Mysql),
            "SELECT `id`, `group` FROM `t` WHERE `group` >= ? ORDER BY `group` ASC LIMIT ?"
        );
    }

    /// A text column: `name`.
    const NAME: ColumnRef = ColumnRef {
        table: "t",
        name: "name",
        nullable: false,
        kind: ValueKind::Text,
    };

    /// The conditions and order of issue 19 item 12 on a text column, written per dialect.
    fn text_order_sql(d: Dialect) -> String {
        let text = |s: &str| Value::Text(s.into());
        let name = || Box::new(Scalar::Column(NAME));
        let lower = Scalar::Func {
            func: Func::Lower,
            args: vec![Scalar::Column(NAME)],
        };
        let filter = Node::And(
            Box::new(Node::And(
                Box::new(Node::Compare {
                    column: NAME,
                    op: CmpOp::Lt,
                    value: text("b"),
                }),
                Box::new(Node::Compare {
                    column: NAME,
                    op: CmpOp::Eq,
                    value: text("a"),
                }),
            )),
            Box::new(Node::And(
                Box::new(Node::Between {
                    column: NAME,
                    low: text("a"),
                    high: text("z"),
                }),
                Box::new(Node::CompareScalar {
                    left: lower.clone(),
                    op: CmpOp::Ge,
                    right: Scalar::Value(text("a")),
                }),
            )),
        );
        let list = SelectList {
            items: vec![
                Operand::Column(NAME),
                Operand::Aggregate(Aggregate {
                    func: AggFunc::Max,
                    arg: Some(name()),
                    distinct: false,
                    cast: None,
                }),
            ],
            table: "t",
            joins: Vec::new(),
            lock_of: Vec::new(),
            parts: QueryParts {
                filter: Some(filter),
                order: vec![
                    OrderTerm {
                        operand: Operand::Column(NAME),
                        ascending: false,
                    },
                    OrderTerm {
                        operand: Operand::Column(G),
                        ascending: true,
                    },
                ],
                ..Default::default()
            },
            group_by: vec![Scalar::Column(NAME)],
            having: None,
            distinct: false,
        };
        select_list(d, &list).unwrap().sql().to_string()
    }

    #[test]
    fn postgres_orders_text_by_bytes_and_maps_case_in_the_default_collation() {
        // Issue 19 item 12: `<`, BETWEEN, MIN/MAX and ORDER BY on text in "C" (bytes),
        // equality left bare (its indexes stay usable), lower() in the database's default
        // collation (under "C" it maps ASCII letters only).
        assert_eq!(
            text_order_sql(Dialect::Postgres),
            r#"SELECT "name", MAX("name" COLLATE "C") FROM "t" WHERE (("name" COLLATE "C" < $1 AND "name" = $2) AND ("name" COLLATE "C" BETWEEN $3 AND $4 AND LOWER("name" COLLATE "default") COLLATE "C" >= $5 COLLATE "C")) GROUP BY "name" ORDER BY "name" COLLATE "C" DESC, "group" ASC NULLS FIRST"#
        );
        // SQLite (BINARY) and MariaDB (ambidex's utf8mb4_bin columns) compare bytes already.
        assert_eq!(
            text_order_sql(Dialect::Sqlite),
            r#"SELECT "name", MAX("name") FROM "t" WHERE (("name" < ? AND "name" = ?) AND ("name" BETWEEN ? AND ? AND ambidex_lower("name") >= ?)) GROUP BY "name" ORDER BY "name" DESC, "group" ASC"#
        );
        let mut ilike = SqlWriter::new(Dialect::Postgres);
        write_node(
            &mut ilike,
            &Node::Like {
                column: NAME,
                pattern: "é%".into(),
                case_insensitive: true,
            },
        );
        assert_eq!(
            ilike.finish().unwrap().sql(),
            r#""name" COLLATE "default" ILIKE $1"#
        );
    }

    #[test]
    fn distinct_text_items_carry_the_order_collation_and_mysql_casts_keep_bytes() {
        let lowered = Scalar::ResultAs {
            kind: ValueKind::Text,
            arg: Box::new(Scalar::Func {
                func: Func::Lower,
                args: vec![Scalar::Column(NAME)],
            }),
        };
        let list = SelectList {
            items: vec![Operand::Scalar(lowered.clone())],
            table: "t",
            joins: Vec::new(),
            lock_of: Vec::new(),
            parts: QueryParts {
                order: vec![OrderTerm {
                    operand: Operand::Scalar(lowered),
                    ascending: true,
                }],
                ..Default::default()
            },
            group_by: Vec::new(),
            having: None,
            distinct: true,
        };
        let sql = |d| select_list(d, &list).unwrap().sql().to_string();
        // PostgreSQL refuses a DISTINCT whose ORDER BY term is not written as an item.
        assert_eq!(
            sql(Dialect::Postgres),
            r#"SELECT DISTINCT LOWER("name" COLLATE "default") COLLATE "C" FROM "t" ORDER BY LOWER("name" COLLATE "default") COLLATE "C" ASC"#
        );
        // MariaDB's cast to utf8mb4 text would take utf8mb4_general_ci (DISTINCT merging
        // `e` and `é`): the cast keeps the columns' binary collation.
        assert_eq!(
            sql(Dialect::Mysql),
            "SELECT DISTINCT CAST(LOWER(`name`) AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin \
             FROM `t` ORDER BY CAST(LOWER(`name`) AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin ASC"
        );
    }

    #[test]
    fn negations_match_null_rows() {
        let mut w = SqlWriter::new(Dialect::Sqlite);
        write_node(
            &mut w,
            &Node::In {
                column: G,
                values: vec![Value::I64(1)],
                negated: true,
            },
        );
        assert_eq!(
            w.finish().unwrap().sql(),
            r#"("group" NOT IN (?) OR "group" IS NULL)"#
        );
    }

    fn in_list(dialect: Dialect, values: Vec<Value>, negated: bool) -> Statement {
        let mut w = SqlWriter::new(dialect);
        write_node(
            &mut w,
            &Node::In {
                column: G,
                values,
                negated,
            },
        );
        w.finish().unwrap()
    }

    #[test]
    fn postgres_binds_an_in_list_as_one_array() {
        let ints = |n: i64| (0..n).map(Value::I64).collect::<Vec<_>>();
        let st = in_list(Dialect::Postgres, ints(3), false);
        assert_eq!(st.sql(), r#""group" = ANY($1)"#);
        assert_eq!(
            st.binds(),
            [Value::Array(Array::I64(vec![Some(0), Some(1), Some(2)]))]
        );
        // One text for every length.
        assert_eq!(in_list(Dialect::Postgres, ints(7), false).sql(), st.sql());
        // NOT IN keeps its NULL rows, and a NULL in the list stays a NULL element.
        let st = in_list(
            Dialect::Postgres,
            vec![Value::I64(1), Value::Null(ValueKind::I64)],
            true,
        );
        assert_eq!(st.sql(), r#"("group" <> ALL($1) OR "group" IS NULL)"#);
        assert_eq!(st.binds(), [Value::Array(Array::I64(vec![Some(1), None]))]);
        // The other dialects keep the list.
        assert_eq!(
            in_list(Dialect::Sqlite, ints(2), true).sql(),
            r#"("group" NOT IN (?, ?) OR "group" IS NULL)"#
        );
        assert_eq!(
            in_list(Dialect::Mysql, ints(2), false).sql(),
            "`group` IN (?, ?)"
        );
        // An empty list is still a constant.
        assert_eq!(in_list(Dialect::Postgres, vec![], false).sql(), "1 = 0");
        assert_eq!(in_list(Dialect::Postgres, vec![], true).sql(), "1 = 1");
        // The bind limit counts the array once.
        let st = in_list(Dialect::Postgres, ints(70_000), false);
        assert_eq!(st.binds().len(), 1);
        let mut w = SqlWriter::new(Dialect::Sqlite);
        write_node(
            &mut w,
            &Node::In {
                column: G,
                values: ints(70_000),
                negated: false,
            },
        );
        assert!(matches!(w.finish(), Err(Error::InvalidQuery(_))));
    }

    #[test]
    fn postgres_casts_arrays_of_typed_kinds_or_keeps_the_list() {
        let typed = |kind, text: &str| Value::Typed(kind, text.to_string());
        let uuid = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let st = in_list(
            Dialect::Postgres,
            vec![typed(ValueKind::Uuid, uuid), Value::Null(ValueKind::Uuid)],
            false,
        );
        assert_eq!(st.sql(), r#""group" = ANY($1::uuid[])"#);
        assert_eq!(
            st.binds(),
            [Value::Array(Array::Typed(
                ValueKind::Uuid,
                vec![Some(uuid.to_string()), None]
            ))]
        );
        assert_eq!(
            in_list(
                Dialect::Postgres,
                vec![typed(ValueKind::Decimal, "1.5")],
                true
            )
            .sql(),
            r#"("group" <> ALL($1::numeric[]) OR "group" IS NULL)"#
        );
        // A UTC instant's conversion has no array form: one placeholder per value.
        let at = "2024-01-01 00:00:00.000000";
        assert_eq!(
            in_list(
                Dialect::Postgres,
                vec![
                    typed(ValueKind::Timestamp, at),
                    typed(ValueKind::Timestamp, at)
                ],
                false
            )
            .sql(),
            r#""group" IN (($1::timestamp AT TIME ZONE 'UTC'), ($2::timestamp AT TIME ZONE 'UTC'))"#
        );
        // A list that mixes kinds keeps its placeholders.
        assert_eq!(
            in_list(
                Dialect::Postgres,
                vec![Value::I64(1), Value::Text("a".into())],
                false
            )
            .sql(),
            r#""group" IN ($1, $2)"#
        );
        // Array elements are checked as single values are.
        let mut w = SqlWriter::new(Dialect::Postgres);
        write_node(
            &mut w,
            &Node::In {
                column: G,
                values: vec![typed(ValueKind::Date, "0000-01-01")],
                negated: false,
            },
        );
        assert!(matches!(w.finish(), Err(Error::ValueOutOfRange { .. })));
    }

    #[test]
    fn raw_placeholders_skip_quotes() {
        let st = raw(Dialect::Postgres, "SELECT '?', ? , ??", vec![Value::I32(1)]).unwrap();
        assert_eq!(st.sql(), "SELECT '?', $1 , ?");
        assert!(raw(Dialect::Sqlite, "SELECT ?", vec![]).is_err());
    }

    #[test]
    fn raw_placeholders_skip_comments_literals_and_identifiers() {
        let one = || vec![Value::I32(1)];
        let cases = [
            (
                Dialect::Sqlite,
                "SELECT \"a?\", [b?], `c?`, 'it''s ?' -- ?\n/* ? */ FROM t WHERE x = ?",
                "SELECT \"a?\", [b?], `c?`, 'it''s ?' -- ?\n/* ? */ FROM t WHERE x = ?",
            ),
            (
                Dialect::Postgres,
                "SELECT E'it\\'s ?', $q$ ? $q$, \"a?\" /* ? /* ? */ ? */ -- ?\n WHERE x = ?",
                "SELECT E'it\\'s ?', $q$ ? $q$, \"a?\" /* ? /* ? */ ? */ -- ?\n WHERE x = $1",
            ),
            (
                Dialect::Mysql,
                "SELECT 'it\\'s ?', \"b?\", `c?` # ?\n-- ?\n WHERE x = ?",
                "SELECT 'it\\'s ?', \"b?\", `c?` # ?\n-- ?\n WHERE x = ?",
            ),
        ];
        for (dialect, sql, expected) in cases {
            let st = raw(dialect, sql, one()).unwrap_or_else(|e| panic!("{dialect:?}: {e}"));
            assert_eq!(st.sql(), expected, "{dialect:?}");
        }
        // `??` is still a literal `?`, and a `?` after a comment still counts.
        let st = raw(Dialect::Postgres, "SELECT ?? /* x */, ?", one()).unwrap();
        assert_eq!(st.sql(), "SELECT ? /* x */, $1");
    }

    #[test]
    fn upsert_templates() {
        let t = insert_on_conflict(
            Dialect::Postgres,
            &META,
            1,
            true,
            OnConflict::Update { target: &["id"] },
        )
        .unwrap();
        assert_eq!(
            t.sql(),
            r#"INSERT INTO "t" ("id", "group") VALUES ($1, $2) ON CONFLICT ("id") DO UPDATE SET "group" = EXCLUDED."group" RETURNING "id", "group""#
        );
        let t = insert_on_conflict(Dialect::Sqlite, &META, 1, false, OnConflict::Nothing).unwrap();
        assert_eq!(
            t.sql(),
            r#"INSERT INTO "t" ("group") VALUES (?) ON CONFLICT DO NOTHING RETURNING "id", "group""#
        );
        let t = insert_explicit(Dialect::Mysql, &META, true).unwrap();
        assert_eq!(t.sql(), "INSERT INTO `t` (`id`, `group`) VALUES (?, ?)");
        let t = insert_explicit_returning(Dialect::Mysql, &META, false).unwrap();
        assert_eq!(
            t.sql(),
            "INSERT INTO `t` (`group`) VALUES (?) RETURNING `id`, `group`"
        );
    }

    #[test]
    fn insert_template() {
        let t = insert(Dialect::Sqlite, &META, 2, true).unwrap();
        assert_eq!(
            t.sql(),
            r#"INSERT INTO "t" ("group") VALUES (?), (?) RETURNING "id", "group""#
        );
    }

    #[test]
    fn a_locking_join_names_its_tables_where_the_dialect_can() {
        use crate::query::ast::{JoinClause, JoinKind, LockStrength, LockWait, RowLock};
        let id = |table| ColumnRef {
            table,
            name: "id",
            nullable: false,
            kind: ValueKind::I64,
        };
        let join = |kind| JoinClause {
            kind,
            table: "u",
            alias: None,
            on: Node::CompareScalar {
                left: Scalar::Column(id("t")),
                op: CmpOp::Eq,
                right: Scalar::Column(id("u")),
            },
        };
        let list = |kind, of: Vec<&'static str>| {
            let mut list = SelectList::new(
                "t",
                vec![Operand::Column(id("t"))],
                QueryParts {
                    lock: Some(RowLock {
                        strength: LockStrength::Update,
                        wait: LockWait::SkipLocked,
                    }),
                    ..QueryParts::default()
                },
            );
            list.joins.push(join(kind));
            list.lock_of = of;
            list
        };
        let sql = |d, l: &SelectList| select_list(d, l).map(|st| st.sql().to_string());
        let named = list(JoinKind::Inner, vec!["t"]);
        assert_eq!(
            sql(Dialect::Postgres, &named).unwrap(),
            r#"SELECT "t"."id" FROM "t" INNER JOIN "u" ON "t"."id" = "u"."id" FOR UPDATE OF "t" SKIP LOCKED"#
        );
        // MariaDB has no OF: every row read is locked.
        assert_eq!(
            sql(Dialect::Mysql, &named).unwrap(),
            "SELECT `t`.`id` FROM `t` INNER JOIN `u` ON `t`.`id` = `u`.`id` FOR UPDATE SKIP LOCKED"
        );
        // SQLite: no clause (the plan takes the write lock first).
        assert_eq!(
            sql(Dialect::Sqlite, &named).unwrap(),
            r#"SELECT "t"."id" FROM "t" INNER JOIN "u" ON "t"."id" = "u"."id""#
        );
        let all = list(JoinKind::Inner, Vec::new());
        assert!(
            sql(Dialect::Postgres, &all)
                .unwrap()
                .ends_with(r#""u"."id" FOR UPDATE SKIP LOCKED"#)
        );
        // A left join must name what it locks, on every backend.
        for d in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
            let refused = sql(d, &list(JoinKind::Left, Vec::new()));
            assert!(
                matches!(refused, Err(Error::InvalidQuery(_))),
                "{refused:?}"
            );
            assert!(sql(d, &list(JoinKind::Left, vec!["t"])).is_ok());
        }
    }

    #[test]
    fn row_locks_per_dialect() {
        use crate::query::ast::{LockStrength, LockWait, RowLock};
        let locked = |strength, wait| QueryParts {
            limit: Some(1),
            lock: Some(RowLock { strength, wait }),
            ..QueryParts::default()
        };
        let sql = |d, parts: &QueryParts| select(d, &META, parts, Projection::Model).unwrap();
        let skip = locked(LockStrength::Update, LockWait::SkipLocked);
        assert_eq!(
            sql(Dialect::Postgres, &skip).sql(),
            r#"SELECT "id", "group" FROM "t" LIMIT $1 FOR UPDATE SKIP LOCKED"#
        );
        assert_eq!(
            sql(Dialect::Mysql, &skip).sql(),
            "SELECT `id`, `group` FROM `t` LIMIT ? FOR UPDATE SKIP LOCKED"
        );
        // SQLite has no row locks: the SELECT is plain, the write lock comes first.
        assert_eq!(
            sql(Dialect::Sqlite, &skip).sql(),
            r#"SELECT "id", "group" FROM "t" LIMIT ?"#
        );
        assert_eq!(
            write_lock(Dialect::Sqlite, &META, skip.lock.unwrap())
                .unwrap()
                .unwrap()
                .sql(),
            r#"DELETE FROM "t" WHERE 0 = 1"#
        );
        for d in [Dialect::Postgres, Dialect::Mysql] {
            assert!(write_lock(d, &META, skip.lock.unwrap()).unwrap().is_none());
        }
        let share = locked(LockStrength::Share, LockWait::NoWait);
        assert!(
            sql(Dialect::Postgres, &share)
                .sql()
                .ends_with(" FOR SHARE NOWAIT")
        );
        assert!(
            sql(Dialect::Mysql, &share)
                .sql()
                .ends_with(" LOCK IN SHARE MODE NOWAIT")
        );
        // Counts, existence checks, updates and deletes refuse a lock.
        for p in [Projection::Count, Projection::Exists] {
            assert!(matches!(
                select(Dialect::Postgres, &META, &share, p),
                Err(Error::InvalidQuery(_))
            ));
        }
        let filtered = QueryParts {
            lock: share.lock,
            ..QueryParts::default()
        };
        assert!(matches!(
            delete_where(Dialect::Postgres, &META, &filtered),
            Err(Error::InvalidQuery(_))
        ));
    }
}
