//! Relations between models: a foreign key declared on the child
//! (`#[ambidex(belongs_to = Author)] author_id: i64`), and what it gives.
//!
//! - **DDL**: `FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE ...` ([`OnDelete`]).
//! - **Filters across the relation**: `Post::AUTHOR.has(Author::NAME.starts_with("A"))` is
//!   an `Expr<Post>` (rendered `author_id IN (SELECT id FROM author WHERE ...)`); the
//!   condition must be on `Author`, so a filter on a model the relation does not reach does
//!   not compile.
//! - **Eager loading without N+1**: [`BelongsTo::parents_of`] (each child's parent) and
//!   [`BelongsTo::children_of`] (each parent's children: has-many; [`BelongsTo::child_of`]
//!   for has-one) send one query per relation (per 1,000 keys), whatever the number of
//!   rows, and line the results up with the input. Nesting is composition: load authors,
//!   then their posts, then those posts' comments: three queries. [`Through`] does
//!   many-to-many through a join model in two.
//!
//! Self-reference works the same way (`Employee::MANAGER`, from `manager_id:
//! Option<i64>` with `belongs_to = Employee`).

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use crate::engine::{Connection, DbResult, Executor, Plan};
use crate::error::Result;
use crate::model::Model;
pub use crate::model::{ForeignKey, OnDelete};
use crate::ops::Collect;
use crate::query::ast::{ColumnRef, Node, Operand, OrderTerm, QueryParts, SelectList};
use crate::query::expr::Expr;
use crate::sql::render;
use crate::value::Value;

/// The relation from child model `C` to parent model `P` that a foreign key makes; the
/// derive generates one constant per `belongs_to` field (`Post::AUTHOR` for `author_id`).
pub struct BelongsTo<C, P> {
    fk: ColumnRef,
    value: fn(&C) -> Value,
    _types: PhantomData<fn() -> (C, P)>,
}

impl<C, P> Clone for BelongsTo<C, P> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C, P> Copy for BelongsTo<C, P> {}

impl<C, P> fmt::Debug for BelongsTo<C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BelongsTo({}.{})", self.fk.table, self.fk.name)
    }
}

/// Rows per `IN (...)` list when loading related rows: far under every backend's
/// parameter limit, and a statement size that prepares quickly. A list the dialect binds
/// as one array (PostgreSQL's `= ANY($1)`) has neither concern and goes in one query.
const KEYS_PER_QUERY: usize = 1000;

impl<C: Model, P: Model> BelongsTo<C, P> {
    /// The relation whose foreign key is `fk` (of `C`'s table), read from a row by `value`;
    /// used by the derive.
    pub const fn new(fk: ColumnRef, value: fn(&C) -> Value) -> Self {
        BelongsTo {
            fk,
            value,
            _types: PhantomData,
        }
    }

    /// The foreign-key column.
    pub fn column(&self) -> ColumnRef {
        self.fk
    }

    /// Children whose parent meets `condition`: `Post::AUTHOR.has(Author::NAME.eq("Ada"))`.
    /// Children with a NULL foreign key never match.
    pub fn has(self, condition: Expr<P>) -> Expr<C> {
        let list = SelectList::new(
            P::META.table,
            vec![Operand::Column(P::META.key_ref())],
            QueryParts {
                filter: Some(condition.into_node()),
                ..QueryParts::default()
            },
        );
        Expr::from_node(Node::InSubquery {
            column: self.fk,
            subquery: Box::new(list),
        })
    }

    /// Parents with at least one child that meets `condition` (the other direction of
    /// [`BelongsTo::has`]): `Author::query().filter(Post::AUTHOR.has_child(Post::PUBLISHED.eq(true)))`
    /// is the authors with a published post.
    pub fn has_child(self, condition: Expr<C>) -> Expr<P> {
        let list = SelectList::new(
            C::META.table,
            vec![Operand::Column(self.fk)],
            QueryParts {
                filter: Some(condition.into_node()),
                ..QueryParts::default()
            },
        );
        Expr::from_node(Node::InSubquery {
            column: P::META.key_ref(),
            subquery: Box::new(list),
        })
    }

    /// The parent of each child, in the children's order (`None` for a NULL foreign key),
    /// in one query per 1,000 distinct parents.
    pub fn parents_of<'e, E: Executor<'e>>(
        self,
        children: &'e [C],
        db: E,
    ) -> DbResult<'e, E, Vec<Option<P>>>
    where
        P: Clone,
    {
        db.run(ParentsOf {
            relation: self,
            children,
        })
    }

    /// The children of each parent, in the parents' order, each list ordered by the
    /// child's key, in one query per 1,000 parents (has-many).
    pub fn children_of<'e, E: Executor<'e>>(
        self,
        parents: &'e [P],
        db: E,
    ) -> DbResult<'e, E, Vec<Vec<C>>>
    where
        C: Clone,
    {
        db.run(ChildrenOf {
            relation: self,
            parents,
        })
    }

    /// The child of each parent, for a relation with at most one child per parent
    /// (has-one; the foreign key is usually `unique`): the first by key if there are more.
    pub fn child_of<'e, E: Executor<'e>>(
        self,
        parents: &'e [P],
        db: E,
    ) -> DbResult<'e, E, Vec<Option<C>>>
    where
        C: Clone,
    {
        db.run(FirstOfEach(ChildrenOf {
            relation: self,
            parents,
        }))
    }

    /// A many-to-many relation through this join model `C`: from the parents `from`
    /// names to the parents this relation names. For `PostTag { post_id, tag_id }`,
    /// `PostTag::TAG.through(PostTag::POST)` relates posts to tags.
    pub fn through<F: Model>(self, from: BelongsTo<C, F>) -> Through<C, F, P> {
        Through { from, to: self }
    }
}

/// A hashable form of a key value, to line rows up with their relatives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyRepr {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Other(String),
}

fn key_repr(v: &Value) -> Option<KeyRepr> {
    Some(match v {
        Value::Null(_) => return None,
        Value::Bool(b) => KeyRepr::Bool(*b),
        Value::I16(i) => KeyRepr::Int(i64::from(*i)),
        Value::I32(i) => KeyRepr::Int(i64::from(*i)),
        Value::I64(i) => KeyRepr::Int(*i),
        Value::Text(s) => KeyRepr::Text(s.clone()),
        Value::Blob(b) => KeyRepr::Bytes(b.clone()),
        #[allow(unreachable_patterns)] // other key types, compared by their exact form
        other => KeyRepr::Other(format!("{other:?}")),
    })
}

/// Distinct non-NULL values, in first-seen order.
fn distinct(values: impl Iterator<Item = Value>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    values
        .filter(|v| key_repr(v).is_some_and(|k| seen.insert(k)))
        .collect()
}

/// Every row of `M` whose `column` holds one of `values`, ordered by `M`'s key, in one
/// query per [`KEYS_PER_QUERY`] values, or in one query where the list binds as an array.
async fn rows_where_in<M: Model, Co: Connection>(
    conn: &mut Co,
    column: ColumnRef,
    values: Vec<Value>,
) -> Result<Vec<M>> {
    let per_query = if render::list_binds_as_array(conn.dialect(), &values) {
        values.len()
    } else {
        KEYS_PER_QUERY
    };
    let mut rows = Vec::new();
    for chunk in values.chunks(per_query.max(1)) {
        let parts = QueryParts {
            filter: Some(Node::In {
                column,
                values: chunk.to_vec(),
                negated: false,
            }),
            order: in_order::<M>(column),
            ..QueryParts::default()
        };
        let st = render::select(
            conn.dialect(),
            M::META,
            &parts,
            crate::query::ast::Projection::Model,
        )?;
        rows.extend(conn.fetch(st, Collect(Vec::new())).await?.0);
    }
    Ok(rows)
}

/// The order of a `rows_where_in` query: by the matched column, then by the key. Each
/// relative's rows come out in key order either way; leading with the matched column lets
/// the database read them straight from that column's index (an index on a foreign key
/// holds the key too on SQLite and InnoDB), where `ORDER BY key` alone made SQLite walk
/// the whole table in key order and PostgreSQL sort by the key after the index scan.
fn in_order<M: Model>(column: ColumnRef) -> Vec<OrderTerm> {
    let key = M::META.key_ref();
    let mut order = Vec::with_capacity(2);
    if column != key {
        order.push(OrderTerm {
            operand: Operand::Column(column),
            ascending: true,
        });
    }
    order.push(OrderTerm {
        operand: Operand::Column(key),
        ascending: true,
    });
    order
}

/// `parents_of`.
struct ParentsOf<'a, C, P> {
    relation: BelongsTo<C, P>,
    children: &'a [C],
}

impl<C: Model, P: Model + Clone> Plan for ParentsOf<'_, C, P> {
    type Output = Vec<Option<P>>;
    async fn run<Co: Connection>(self, conn: &mut Co) -> Result<Vec<Option<P>>> {
        let fk_of = self.relation.value;
        let keys = distinct(self.children.iter().map(fk_of));
        let parents: Vec<P> = rows_where_in(conn, P::META.key_ref(), keys).await?;
        let by_key: HashMap<KeyRepr, P> = parents
            .into_iter()
            .filter_map(|p| key_repr(&key_value(&p)).map(|k| (k, p)))
            .collect();
        Ok(self
            .children
            .iter()
            .map(|c| key_repr(&fk_of(c)).and_then(|k| by_key.get(&k).cloned()))
            .collect())
    }
}

/// `children_of`.
struct ChildrenOf<'a, C, P> {
    relation: BelongsTo<C, P>,
    parents: &'a [P],
}

impl<C: Model + Clone, P: Model> Plan for ChildrenOf<'_, C, P> {
    type Output = Vec<Vec<C>>;
    async fn run<Co: Connection>(self, conn: &mut Co) -> Result<Vec<Vec<C>>> {
        let keys = distinct(self.parents.iter().map(key_value));
        let children: Vec<C> = rows_where_in(conn, self.relation.fk, keys).await?;
        let fk_of = self.relation.value;
        let mut by_parent: HashMap<KeyRepr, Vec<C>> = HashMap::new();
        for child in children {
            if let Some(k) = key_repr(&fk_of(&child)) {
                by_parent.entry(k).or_default().push(child);
            }
        }
        // Each parent's list moves out of the map at the parent's last occurrence; only a
        // parent listed twice pays for copies of its children.
        let parent_keys: Vec<Option<KeyRepr>> = self
            .parents
            .iter()
            .map(|p| key_repr(&key_value(p)))
            .collect();
        let mut left: HashMap<&KeyRepr, usize> = HashMap::new();
        for k in parent_keys.iter().flatten() {
            *left.entry(k).or_default() += 1;
        }
        Ok(parent_keys
            .iter()
            .map(|k| {
                let Some(k) = k else { return Vec::new() };
                let count = left.get_mut(k).expect("counted above");
                *count -= 1;
                if *count == 0 {
                    by_parent.remove(k).unwrap_or_default()
                } else {
                    by_parent.get(k).cloned().unwrap_or_default()
                }
            })
            .collect())
    }
}

/// The first row of each list.
struct FirstOfEach<P>(P);

impl<C: Send + 'static, P: Plan<Output = Vec<Vec<C>>>> Plan for FirstOfEach<P> {
    type Output = Vec<Option<C>>;
    async fn run<Co: Connection>(self, conn: &mut Co) -> Result<Vec<Option<C>>> {
        Ok(self
            .0
            .run(conn)
            .await?
            .into_iter()
            .map(|list| list.into_iter().next())
            .collect())
    }
}

/// A many-to-many relation between `F` and `T` through the join model `J`, from
/// [`BelongsTo::through`].
pub struct Through<J, F, T> {
    from: BelongsTo<J, F>,
    to: BelongsTo<J, T>,
}

impl<J, F, T> Clone for Through<J, F, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<J, F, T> Copy for Through<J, F, T> {}

impl<J, F, T> Through<J, F, T> {
    /// The two relations: from the link model to `F`, and to `T`.
    pub(crate) fn relations(self) -> (BelongsTo<J, F>, BelongsTo<J, T>) {
        (self.from, self.to)
    }
}

impl<J: Model, F: Model, T: Model + Clone> Through<J, F, T> {
    /// The related rows of each row of `from`, in `from`'s order, each list ordered by the
    /// related rows' key: two queries (the join rows, then the related rows) per 1,000.
    pub fn related_of<'e, E: Executor<'e>>(
        self,
        from: &'e [F],
        db: E,
    ) -> DbResult<'e, E, Vec<Vec<T>>> {
        db.run(RelatedOf {
            through: self,
            from,
        })
    }

    /// Rows of `F` related to some row of `T` that meets `condition`:
    /// `Post::query().filter(PostTag::TAG.through(PostTag::POST).has(Tag::NAME.eq("rust")))`.
    pub fn has(self, condition: Expr<T>) -> Expr<F> {
        let join_rows = SelectList::new(
            J::META.table,
            vec![Operand::Column(self.from.fk)],
            QueryParts {
                filter: Some(self.to.has(condition).into_node()),
                ..QueryParts::default()
            },
        );
        Expr::from_node(Node::InSubquery {
            column: F::META.key_ref(),
            subquery: Box::new(join_rows),
        })
    }
}

struct RelatedOf<'a, J, F, T> {
    through: Through<J, F, T>,
    from: &'a [F],
}

impl<J: Model, F: Model, T: Model + Clone> Plan for RelatedOf<'_, J, F, T> {
    type Output = Vec<Vec<T>>;
    async fn run<Co: Connection>(self, conn: &mut Co) -> Result<Vec<Vec<T>>> {
        let keys = distinct(self.from.iter().map(key_value));
        let joins: Vec<J> = rows_where_in(conn, self.through.from.fk, keys).await?;
        let to_of = self.through.to.value;
        let from_of = self.through.from.value;
        let related: Vec<T> =
            rows_where_in(conn, T::META.key_ref(), distinct(joins.iter().map(to_of))).await?;
        let by_key: HashMap<KeyRepr, T> = related
            .into_iter()
            .filter_map(|t| key_repr(&key_value(&t)).map(|k| (k, t)))
            .collect();
        let mut lists: HashMap<KeyRepr, Vec<T>> = HashMap::new();
        for j in &joins {
            if let (Some(f), Some(t)) = (key_repr(&from_of(j)), key_repr(&to_of(j)))
                && let Some(row) = by_key.get(&t)
            {
                lists.entry(f).or_default().push(row.clone());
            }
        }
        let key_order = |t: &T| key_value(t);
        Ok(self
            .from
            .iter()
            .map(|f| {
                let mut list = key_repr(&key_value(f))
                    .and_then(|k| lists.get(&k).cloned())
                    .unwrap_or_default();
                list.sort_by(|a, b| compare_values(&key_order(a), &key_order(b)));
                list
            })
            .collect())
    }
}

/// Orders key values the way the database orders them (integers numerically, text
/// bytewise, as the binary collations ambidex creates do).
fn compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (key_repr(a), key_repr(b)) {
        (Some(KeyRepr::Int(x)), Some(KeyRepr::Int(y))) => x.cmp(&y),
        (Some(KeyRepr::Text(x)), Some(KeyRepr::Text(y))) => x.as_bytes().cmp(y.as_bytes()),
        (Some(KeyRepr::Bytes(x)), Some(KeyRepr::Bytes(y))) => x.cmp(&y),
        (x, y) => format!("{x:?}").cmp(&format!("{y:?}")),
    }
}

/// Refuses a `SET NULL` foreign key on a column that cannot be NULL (checked when the
/// table is created).
/// The key of a row that relations point to. Relations exist only toward models with a
/// one-column key (the derive checks a `belongs_to` parent's key type; [`check_foreign_key`]
/// checks the metadata), so this is that column's value.
fn key_value<M: Model>(row: &M) -> Value {
    let mut key = Vec::with_capacity(1);
    row.push_key_values(&mut key);
    let kind = M::META.columns[M::META.keys[0]].kind;
    key.into_iter().next().unwrap_or(Value::Null(kind))
}
