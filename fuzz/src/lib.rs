//! The SQL renderer's fuzz checker, shared by the libFuzzer target (`cargo fuzz run render`)
//! and the bounded run CI makes on stable Rust (`tests/bounded.rs`).
//!
//! [`check`] turns fuzz bytes into a random model (table and column names, hostile ones
//! included) and a random query AST (`ambidex_core::ast`: comparisons, `BETWEEN`, `IN`
//! lists, `IS NULL`, `LIKE`, `AND`/`OR`/`NOT`, constants, `IN (subquery)`, ordering, limits
//! and offsets, and computed values: arithmetic, casts, functions, `CASE`, compared with
//! each other, selected, grouped, aggregated, ordered by and assigned), renders it as a
//! `SELECT` (rows, `COUNT`, `EXISTS`, chosen items), an `UPDATE` and a `DELETE`, and a
//! `SELECT` over one or two joined tables (inner and left, self-joins under hostile
//! aliases, conditions and items over every table, each row lock with and without `OF`)
//! for every dialect, and checks that:
//!
//! - the SQL parses with `sqlparser`'s dialect for the backend;
//! - the parsed statement holds exactly as many placeholders as the statement binds values,
//!   and as many as the renderer says it wrote;
//! - no value's text appears in the SQL (values are always bound).
//!
//! A refusal with a typed error (a value the backend cannot store, too many values for
//! one statement) is fine; any other error, or a panic, is a failure.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use ambidex_core::ast::{AggFunc, Aggregate, ArithOp, Func, NumClass, Scalar};
use ambidex_core::ast::{CmpOp, ColumnRef, Node, Operand, OrderTerm, Projection, QueryParts};
use ambidex_core::ast::{
    ExistsQuery, JoinClause, JoinKind, LockStrength, LockWait, RowLock, SelectList,
};
use ambidex_core::{ColumnDef, Dialect, Error, ModelMeta, Statement, Value, ValueKind, render};
use arbitrary::{Result, Unstructured};
use sqlparser::ast::{Expr, visit_expressions};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Table and column names to draw from: plain, keywords, and names with quotes, spaces
/// and backticks, which the dialects must quote.
const NAMES: &[&str] = &[
    "items",
    "qty",
    "name",
    "select",
    "order",
    "group",
    "we\"ird",
    "sp ace",
    "back`tick",
    "semi;colon",
    "ünï",
    "x",
];

/// A marker no name contains: every generated text value starts with it, so that a value
/// written into the SQL text instead of bound is found.
const MARKER: &str = "zqv'\"`";

/// How many join statements (`SELECT .. JOIN`) rendered and passed the checks, so the
/// bounded run can tell that joins are really exercised.
pub static JOINS_CHECKED: AtomicUsize = AtomicUsize::new(0);

/// Runs the checks on one fuzz input (see the crate docs); panics on a failure.
pub fn check(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(case) = Case::arbitrary(&mut u) else {
        return;
    };
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        for statement in case.render(dialect) {
            match statement {
                Ok(st) => {
                    check_statement(dialect, &st, &case);
                    if st.sql().contains(" JOIN ") {
                        JOINS_CHECKED.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(Error::ValueOutOfRange { .. } | Error::InvalidQuery(_)) => {}
                Err(other) => panic!("{dialect:?}: unexpected error {other:?} for {case:#?}"),
            }
        }
    }
}

/// One generated model and query.
#[derive(Debug)]
struct Case {
    meta: &'static ModelMeta,
    parts: QueryParts,
    assignments: Vec<(ColumnRef, Scalar)>,
    /// A `SELECT` of chosen items (computed values and aggregates of them), grouped.
    list: SelectList,
    /// A `SELECT` over joined tables, also rendered with each row lock.
    joined: SelectList,
}

impl Case {
    fn arbitrary(u: &mut Unstructured<'_>) -> Result<Case> {
        let meta = model(u)?;
        let one: &Scope = &[(meta.table, meta)];
        let filter = if u.arbitrary()? {
            Some(node(u, one, 3)?)
        } else {
            None
        };
        let mut order = Vec::new();
        for _ in 0..u.int_in_range(0..=2)? {
            order.push(OrderTerm {
                operand: if u.arbitrary()? {
                    Operand::Column(column(u, one)?)
                } else {
                    Operand::Scalar(scalar(u, one, 2)?)
                },
                ascending: u.arbitrary()?,
            });
        }
        let parts = QueryParts {
            filter,
            order,
            limit: if u.arbitrary()? {
                Some(u.int_in_range(0..=1000)?)
            } else {
                None
            },
            offset: if u.arbitrary()? {
                Some(u.int_in_range(0..=1000)?)
            } else {
                None
            },
            lock: None,
        };
        let mut assignments = Vec::new();
        for _ in 0..u.int_in_range(1..=3)? {
            let rhs = if u.arbitrary()? {
                Scalar::Value(value(u)?)
            } else {
                scalar(u, one, 2)?
            };
            assignments.push((column(u, one)?, rhs));
        }
        let mut items = Vec::new();
        for _ in 0..u.int_in_range(1..=3)? {
            items.push(match u.int_in_range(0..=2)? {
                0 => Operand::Column(column(u, one)?),
                1 => Operand::Scalar(scalar(u, one, 2)?),
                _ => Operand::Aggregate(Aggregate {
                    func: *u.choose(&[
                        AggFunc::Count,
                        AggFunc::Sum,
                        AggFunc::Avg,
                        AggFunc::Min,
                        AggFunc::Max,
                    ])?,
                    arg: if u.arbitrary()? {
                        Some(Box::new(scalar(u, one, 2)?))
                    } else {
                        None
                    },
                    distinct: u.arbitrary()?,
                    cast: if u.arbitrary()? {
                        Some(ValueKind::I64)
                    } else {
                        None
                    },
                }),
            });
        }
        let mut group_by = Vec::new();
        for _ in 0..u.int_in_range(0..=2)? {
            group_by.push(scalar(u, one, 1)?);
        }
        let list = SelectList {
            table: meta.table,
            items,
            distinct: u.arbitrary()?,
            group_by,
            having: None,
            parts: QueryParts {
                lock: None,
                ..parts.clone()
            },
            joins: Vec::new(),
            lock_of: Vec::new(),
        };
        let joined = joined(u, meta)?;
        Ok(Case {
            meta,
            parts,
            assignments,
            list,
            joined,
        })
    }

    /// Every statement the case renders to in `dialect`.
    fn render(&self, dialect: Dialect) -> Vec<ambidex_core::Result<Statement>> {
        let mut out: Vec<_> = [Projection::Model, Projection::Count, Projection::Exists]
            .into_iter()
            .map(|p| render::select(dialect, self.meta, &self.parts, p))
            .collect();
        // Row locks apply to reads of rows only.
        for strength in [LockStrength::Update, LockStrength::Share] {
            for wait in [LockWait::Wait, LockWait::SkipLocked, LockWait::NoWait] {
                let locked = QueryParts {
                    lock: Some(RowLock { strength, wait }),
                    ..self.parts.clone()
                };
                out.push(render::select(
                    dialect,
                    self.meta,
                    &locked,
                    Projection::Model,
                ));
            }
        }
        // UPDATE and DELETE take a filter only (no order, limit or offset).
        let filter_only = QueryParts {
            filter: self.parts.filter.clone(),
            ..QueryParts::default()
        };
        out.push(render::update_where(
            dialect,
            self.meta,
            &filter_only,
            &self.assignments,
        ));
        out.push(render::delete_where(dialect, self.meta, &filter_only));
        out.push(render::select_list(dialect, &self.list));
        out.push(render::select_list(dialect, &self.joined));
        for strength in [LockStrength::Update, LockStrength::Share] {
            for wait in [LockWait::Wait, LockWait::SkipLocked, LockWait::NoWait] {
                let mut locked = self.joined.clone();
                locked.parts.lock = Some(RowLock { strength, wait });
                out.push(render::select_list(dialect, &locked));
            }
        }
        out
    }
}

/// A random model: a table name and one to four columns, the first its key.
fn model(u: &mut Unstructured<'_>) -> Result<&'static ModelMeta> {
    let table = *u.choose(NAMES)?;
    let width = u.int_in_range(1..=4usize)?;
    let mut columns: Vec<ColumnDef> = Vec::new();
    for i in 0..width {
        let name = *u.choose(NAMES)?;
        if columns.iter().any(|c| c.name == name) {
            continue;
        }
        columns.push(ColumnDef {
            name,
            field: name,
            kind: *u.choose(&[ValueKind::I64, ValueKind::Text, ValueKind::F64])?,
            nullable: u.arbitrary()?,
            primary_key: i == 0,
            auto: false,
            unique: false,
            index: false,
            default: None,
            references: None,
        });
    }
    Ok(Box::leak(Box::new(ModelMeta {
        name: "Fuzzed",
        table,
        columns: Box::leak(columns.into_boxed_slice()),
        keys: &[0],
    })))
}

/// Aliases a join gives a table it reads twice (or by choice), hostile ones included.
const ALIASES: &[&str] = &["rel_x", "a\"l`ias", "sp ace 2"];

/// A `SELECT` over `meta` joined to one or two tables (another model, or `meta` again
/// under an alias), inner or left, with items, a filter and an order over every table
/// read, and a lock naming one of them (or none).
fn joined(u: &mut Unstructured<'_>, meta: &'static ModelMeta) -> Result<SelectList> {
    let mut scope: Vec<(&'static str, &'static ModelMeta)> = vec![(meta.table, meta)];
    let mut joins = Vec::new();
    for _ in 0..u.int_in_range(1..=2)? {
        let other = if u.arbitrary()? { meta } else { model(u)? };
        let taken = scope.iter().any(|(name, _)| *name == other.table);
        let alias = if taken || u.arbitrary()? {
            Some(*u.choose(ALIASES)?)
        } else {
            None
        };
        scope.push((alias.unwrap_or(other.table), other));
        joins.push(JoinClause {
            kind: *u.choose(&[JoinKind::Inner, JoinKind::Left])?,
            table: other.table,
            alias,
            on: node(u, &scope, 2)?,
        });
    }
    let mut items = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        items.push(if u.arbitrary()? {
            Operand::Column(column(u, &scope)?)
        } else {
            Operand::Scalar(scalar(u, &scope, 2)?)
        });
    }
    let mut order = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        order.push(OrderTerm {
            operand: Operand::Column(column(u, &scope)?),
            ascending: u.arbitrary()?,
        });
    }
    let filter = if u.arbitrary()? {
        Some(node(u, &scope, 2)?)
    } else {
        None
    };
    // sqlparser reads one table after `FOR UPDATE OF`, so a case names one at most.
    let lock_of = if u.arbitrary()? {
        vec![u.choose(&scope)?.0]
    } else {
        Vec::new()
    };
    let mut list = SelectList::new(
        meta.table,
        items,
        QueryParts {
            filter,
            order,
            limit: if u.arbitrary()? {
                Some(u.int_in_range(0..=100)?)
            } else {
                None
            },
            ..QueryParts::default()
        },
    );
    list.joins = joins;
    list.lock_of = lock_of;
    Ok(list)
}

/// The tables a statement reads: the name the SQL calls each by (its table, or a join's
/// alias), and its model.
type Scope = [(&'static str, &'static ModelMeta)];

/// A column of any table in `scope`, qualified by the name the statement calls it by.
fn column(u: &mut Unstructured<'_>, scope: &Scope) -> Result<ColumnRef> {
    let (name, meta) = *u.choose(scope)?;
    let def = u.choose(meta.columns)?;
    Ok(def.column_ref(name))
}

fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::I64(u.arbitrary()?),
        1 => Value::F64(u.arbitrary()?),
        2 => Value::Bool(u.arbitrary()?),
        3 => Value::Null(ValueKind::I64),
        _ => Value::Text(format!("{MARKER}{}", u.arbitrary::<&str>()?)),
    })
}

/// A computed value: columns and values combined by arithmetic, casts, functions and
/// `CASE`, `depth` levels deep at most.
fn scalar(u: &mut Unstructured<'_>, scope: &Scope, depth: u32) -> Result<Scalar> {
    let kinds = if depth == 0 { 2 } else { 8 };
    Ok(match u.int_in_range(0..=kinds - 1)? {
        0 => Scalar::Column(column(u, scope)?),
        1 => Scalar::Value(value(u)?),
        2 => Scalar::Arith {
            op: *u.choose(&[ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div])?,
            class: *u.choose(&[NumClass::Integer, NumClass::Float])?,
            left: Box::new(scalar(u, scope, depth - 1)?),
            right: Box::new(scalar(u, scope, depth - 1)?),
        },
        3 => Scalar::Neg(Box::new(scalar(u, scope, depth - 1)?)),
        4 => Scalar::Cast {
            kind: *u.choose(&[ValueKind::I64, ValueKind::F64, ValueKind::Text])?,
            arg: Box::new(scalar(u, scope, depth - 1)?),
        },
        5 => Scalar::ResultAs {
            kind: *u.choose(&[ValueKind::I32, ValueKind::F64, ValueKind::Text])?,
            arg: Box::new(scalar(u, scope, depth - 1)?),
        },
        6 => {
            let func = *u.choose(&[
                Func::Lower,
                Func::Upper,
                Func::Length,
                Func::Trim,
                Func::Concat,
                Func::Coalesce,
                Func::Abs,
                Func::NullIf,
            ])?;
            let arity = match func {
                Func::Concat | Func::Coalesce | Func::NullIf => 2,
                _ => 1,
            };
            let mut args = Vec::new();
            for _ in 0..arity {
                args.push(scalar(u, scope, depth - 1)?);
            }
            Scalar::Func { func, args }
        }
        _ => {
            let mut whens = Vec::new();
            for _ in 0..u.int_in_range(1..=2)? {
                whens.push((node(u, scope, 0)?, scalar(u, scope, depth - 1)?));
            }
            Scalar::Case {
                whens,
                otherwise: Box::new(scalar(u, scope, depth - 1)?),
            }
        }
    })
}

fn node(u: &mut Unstructured<'_>, scope: &Scope, depth: u32) -> Result<Node> {
    let leaf_kinds = 7;
    let kinds = if depth == 0 {
        leaf_kinds
    } else {
        leaf_kinds + 7
    };
    Ok(match u.int_in_range(0..=kinds - 1)? {
        0 => Node::Compare {
            column: column(u, scope)?,
            op: *u.choose(&[CmpOp::Eq, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge])?,
            value: value(u)?,
        },
        1 => Node::NotEqual {
            column: column(u, scope)?,
            value: value(u)?,
        },
        2 => Node::Between {
            column: column(u, scope)?,
            low: value(u)?,
            high: value(u)?,
        },
        3 => {
            let mut values = Vec::new();
            for _ in 0..u.int_in_range(0..=5)? {
                values.push(value(u)?);
            }
            Node::In {
                column: column(u, scope)?,
                values,
                negated: u.arbitrary()?,
            }
        }
        4 => Node::IsNull {
            column: column(u, scope)?,
            negated: u.arbitrary()?,
        },
        5 => Node::Like {
            column: column(u, scope)?,
            pattern: format!("{MARKER}{}%", u.arbitrary::<&str>()?),
            case_insensitive: u.arbitrary()?,
        },
        6 => Node::Const(u.arbitrary()?),
        7 => Node::And(
            Box::new(node(u, scope, depth - 1)?),
            Box::new(node(u, scope, depth - 1)?),
        ),
        8 => Node::Or(
            Box::new(node(u, scope, depth - 1)?),
            Box::new(node(u, scope, depth - 1)?),
        ),
        9 => Node::Not(Box::new(node(u, scope, depth - 1)?)),
        10 => Node::Exists(Box::new(ExistsQuery {
            table: scope[0].1.table,
            parts: QueryParts {
                filter: Some(node(u, scope, depth - 1)?),
                ..QueryParts::default()
            },
            links: vec![(column(u, scope)?, column(u, scope)?)],
        })),
        11 => Node::InSubquery {
            column: column(u, scope)?,
            subquery: Box::new(SelectList {
                table: scope[0].1.table,
                items: vec![Operand::Column(column(u, scope)?)],
                distinct: u.arbitrary()?,
                group_by: Vec::new(),
                having: None,
                parts: QueryParts {
                    filter: Some(node(u, scope, depth - 1)?),
                    ..QueryParts::default()
                },
                joins: Vec::new(),
                lock_of: Vec::new(),
            }),
        },
        12 => Node::ScalarIsNull {
            scalar: scalar(u, scope, depth - 1)?,
            negated: u.arbitrary()?,
        },
        _ => Node::CompareScalar {
            left: scalar(u, scope, depth - 1)?,
            op: *u.choose(&[CmpOp::Eq, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge])?,
            right: scalar(u, scope, depth - 1)?,
        },
    })
}

/// Parses `st` with `dialect`'s parser and counts its placeholders.
fn check_statement(dialect: Dialect, st: &Statement, case: &Case) {
    let sql = st.sql();
    // sqlparser's SQLite dialect does not know `GLOB` (case-sensitive LIKE), which ambidex
    // renders for case-sensitive prefix matches: parse it as the LIKE it resembles.
    let sqlite_sql = sql.replace(" GLOB ", " LIKE ");
    // Nor does its MySQL dialect know MariaDB's shared lock, `LOCK IN SHARE MODE`: parse it
    // as MySQL 8's `FOR SHARE`, which takes the same `SKIP LOCKED` / `NOWAIT`.
    // Nor `CAST(x AS CHAR CHARACTER SET utf8mb4)` (valid MySQL; the text cast ambidex
    // writes): parse it as `CAST(x AS CHAR)`.
    let mysql_sql = sql
        .replace(" LOCK IN SHARE MODE", " FOR SHARE")
        .replace("CHAR CHARACTER SET utf8mb4", "CHAR");
    let parsed = match dialect {
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, &sqlite_sql),
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        _ => Parser::parse_sql(&MySqlDialect {}, &mysql_sql),
    };
    let statements = match parsed {
        Ok(s) => s,
        Err(e) => panic!("{dialect:?}: rendered SQL does not parse ({e}):\n{sql}\n{case:#?}"),
    };
    assert_eq!(
        statements.len(),
        1,
        "{dialect:?}: one statement expected:\n{sql}"
    );
    let mut placeholders = 0usize;
    let _ = visit_expressions(&statements, |e: &Expr| {
        if let Expr::Value(v) = e {
            let text = v.to_string();
            if text == "?" || (text.starts_with('$') && text[1..].parse::<u32>().is_ok()) {
                placeholders += 1;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    assert_eq!(
        placeholders,
        st.binds().len(),
        "{dialect:?}: {placeholders} placeholders parsed, {} values bound:\n{sql}",
        st.binds().len()
    );
    assert_eq!(
        st.placeholders().len(),
        st.binds().len(),
        "{dialect:?}: the renderer's placeholder spans:\n{sql}"
    );
    assert!(
        !sql.contains(MARKER),
        "{dialect:?}: a value is written into the SQL text:\n{sql}"
    );
}
