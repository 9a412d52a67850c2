//! The workloads of issue 6, on a seeded table of [`ROWS`] rows, a parent/child pair
//! ([`PARENTS`] parents with [`CHILDREN_PER_PARENT`] children each) and a large table for
//! streaming ([`stream_rows`]). Every contender runs the same operation `i` with the same
//! arguments ([`key`], [`qty`]), so their results can be compared.

/// Rows in the seeded `bench_items` table.
pub const ROWS: i64 = 10_000;
/// Rows a batch insert writes.
pub const BATCH: usize = 10_000;
/// Parents in `bench_authors`; each has [`CHILDREN_PER_PARENT`] rows in `bench_books`.
pub const PARENTS: i64 = 1_000;
/// Children of each parent.
pub const CHILDREN_PER_PARENT: i64 = 10;
/// Parents one eager load reads (with all their children).
pub const EAGER_PARENTS: i64 = 100;
/// Rows a delete-by-filter removes (prepared, untimed, before each timed run).
pub const DELETE_ROWS: i64 = 100;
/// Rows `load 1,000 rows` reads.
pub const LOAD_ROWS: i64 = 1_000;

/// Rows in `bench_stream`: 1,000,000, or 100,000 in `--quick` runs.
pub fn stream_rows() -> i64 {
    if crate::quick() { 100_000 } else { 1_000_000 }
}

/// What every contender's operation yields: a row count or a key, so a contender that
/// skips work is caught by [`crate::harness`] (it compares the sums per run).
pub type Check = i64;

/// One workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `SELECT ... WHERE id = ?` for a key spread over the table; yields the key.
    Lookup,
    /// `SELECT ... WHERE id <= 1000`; yields the row count.
    Load,
    /// `SELECT ... WHERE qty = ? ORDER BY price DESC LIMIT 10`; yields the row count.
    FilterOrderLimit,
    /// Inserts one row and returns it with its key; yields 1 if the key is new.
    Insert,
    /// Inserts [`BATCH`] rows (one transaction, as few statements as the backend allows);
    /// yields the count.
    BatchInsert,
    /// `UPDATE ... SET price = ? WHERE qty = ?` (100 rows); yields the affected count.
    UpdateWhere,
    /// `DELETE ... WHERE qty = ?` on [`DELETE_ROWS`] rows prepared for it; yields the count.
    DeleteWhere,
    /// [`EAGER_PARENTS`] parents and all their children (10 each), children grouped per
    /// parent; yields the number of children.
    EagerLoad,
    /// `SELECT qty, COUNT(*), AVG(price) ... GROUP BY qty` (100 groups); yields the groups.
    Aggregate,
    /// Reads every row of `bench_stream` as a stream (never all in memory); yields the
    /// count. Its peak heap is reported too.
    Stream,
}

/// Every workload, in the order they run (writes that grow the table last).
pub const OPS: [Op; 10] = [
    Op::Lookup,
    Op::Load,
    Op::FilterOrderLimit,
    Op::Aggregate,
    Op::EagerLoad,
    Op::UpdateWhere,
    Op::DeleteWhere,
    Op::Insert,
    Op::BatchInsert,
    Op::Stream,
];

impl Op {
    /// The workload's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Op::Lookup => "primary-key lookup",
            Op::Load => "load 1,000 rows",
            Op::FilterOrderLimit => "filter + order + limit 10",
            Op::Insert => "insert one row (returned)",
            Op::BatchInsert => "batch insert 10,000 rows",
            Op::UpdateWhere => "update by filter (100 rows)",
            Op::DeleteWhere => "delete by filter (100 rows)",
            Op::EagerLoad => "eager load 100 parents x 10 children",
            Op::Aggregate => "grouped aggregate (100 groups)",
            Op::Stream => "stream all rows of bench_stream",
        }
    }

    /// A short name for files and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Op::Lookup => "lookup",
            Op::Load => "load_1000",
            Op::FilterOrderLimit => "filter_order_limit",
            Op::Insert => "insert_one",
            Op::BatchInsert => "batch_insert_10000",
            Op::UpdateWhere => "update_where",
            Op::DeleteWhere => "delete_where",
            Op::EagerLoad => "eager_load",
            Op::Aggregate => "aggregate",
            Op::Stream => "stream",
        }
    }

    /// Operations per timed run, so that a run takes some milliseconds.
    pub fn per_run(self) -> usize {
        match self {
            Op::Lookup => 500,
            Op::Load => 10,
            Op::FilterOrderLimit => 100,
            Op::Insert => 200,
            Op::BatchInsert => 1,
            Op::UpdateWhere => 50,
            Op::DeleteWhere => 20,
            Op::EagerLoad => 20,
            Op::Aggregate => 20,
            Op::Stream => 1,
        }
    }

    /// Whether the harness must reset `bench_items` after a timed run (the op adds rows).
    pub fn grows_table(self) -> bool {
        matches!(self, Op::Insert | Op::BatchInsert)
    }
}

/// The key operation `i` of a lookup reads: spread over the whole table.
pub fn key(i: usize) -> i64 {
    1 + (i as i64 * 7_919) % ROWS
}

/// The `qty` value operation `i` of a filter, update or aggregate uses (0..100).
pub fn qty(i: usize) -> i32 {
    (i % 100) as i32
}

/// The `qty` marker of the rows operation `i` of a delete-by-filter removes: negative, so
/// no seeded row carries it.
pub fn delete_marker(i: usize) -> i32 {
    -1 - i as i32
}

/// The first parent key operation `i` of an eager load reads (`first..first + 100`).
pub fn first_parent(i: usize) -> i64 {
    1 + (i as i64 * 101) % (PARENTS - EAGER_PARENTS)
}

/// The name of row `n` of a batch insert or seed.
pub fn row_name(n: usize) -> String {
    format!("item {n}")
}
