//! A rendered [`Statement`] as a diesel query.
//!
//! It pushes the SQL text between placeholders and lets diesel write each placeholder as it
//! binds the value, so diesel's statement cache keys it by its text: unlike `sql_query`,
//! which marks itself unsafe to cache, a statement is prepared once per connection.

use ambidex_core::{Array, Statement, Value};
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{self, HasSqlType, Untyped};
use diesel::{QueryResult, RunQueryDsl};

/// A borrowed statement, runnable by diesel.
pub(crate) struct DieselStatement<'s>(pub &'s Statement);

impl QueryId for DieselStatement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for DieselStatement<'_> {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for DieselStatement<'_> {}

/// How a backend binds a [`Value::Array`] (one parameter for a whole `IN` list).
///
/// Only PostgreSQL's dialect renders arrays ([`ambidex_core::SqlDialect::array_placeholder`]),
/// and only diesel's `Pg` backend has `sql_types::Array`; the others refuse one, which
/// their rendered statements never hold.
trait BindArray: Backend {
    /// Pushes `array` as one bind parameter; refused unless the backend overrides it.
    fn push_array<'b>(out: &mut AstPass<'_, 'b, Self>, array: &'b Array) -> QueryResult<()> {
        let _ = (out, array);
        Err(diesel::result::Error::SerializationError(
            "an array parameter was bound for a backend whose SQL has none".into(),
        ))
    }
}

#[cfg(feature = "sqlite")]
impl BindArray for diesel::sqlite::Sqlite {}

#[cfg(feature = "mysql")]
impl BindArray for diesel::mysql::Mysql {}

#[cfg(feature = "postgres")]
impl BindArray for diesel::pg::Pg {
    fn push_array<'b>(out: &mut AstPass<'_, 'b, Self>, array: &'b Array) -> QueryResult<()> {
        use sql_types::{Array as A, Nullable as N};
        match array {
            Array::Bool(v) => out.push_bind_param::<A<N<sql_types::Bool>>, _>(v),
            Array::I16(v) => out.push_bind_param::<A<N<sql_types::SmallInt>>, _>(v),
            Array::I32(v) => out.push_bind_param::<A<N<sql_types::Integer>>, _>(v),
            Array::I64(v) => out.push_bind_param::<A<N<sql_types::BigInt>>, _>(v),
            Array::F32(v) => out.push_bind_param::<A<N<sql_types::Float>>, _>(v),
            Array::F64(v) => out.push_bind_param::<A<N<sql_types::Double>>, _>(v),
            // Typed kinds travel as text; the statement casts the array (`$1::uuid[]`).
            Array::Text(v) | Array::Typed(_, v) => {
                out.push_bind_param::<A<N<sql_types::Text>>, _>(v)
            }
            Array::Blob(v) => out.push_bind_param::<A<N<sql_types::Binary>>, _>(v),
        }
    }
}

fn push_value<'b, DB>(out: &mut AstPass<'_, 'b, DB>, value: &'b Value) -> QueryResult<()>
where
    DB: BindArray
        + HasSqlType<sql_types::Bool>
        + HasSqlType<sql_types::SmallInt>
        + HasSqlType<sql_types::Integer>
        + HasSqlType<sql_types::BigInt>
        + HasSqlType<sql_types::Float>
        + HasSqlType<sql_types::Double>
        + HasSqlType<sql_types::Text>
        + HasSqlType<sql_types::Binary>,
    bool: ToSql<sql_types::Bool, DB>,
    i16: ToSql<sql_types::SmallInt, DB>,
    i32: ToSql<sql_types::Integer, DB>,
    i64: ToSql<sql_types::BigInt, DB>,
    f32: ToSql<sql_types::Float, DB>,
    f64: ToSql<sql_types::Double, DB>,
    String: ToSql<sql_types::Text, DB>,
    Vec<u8>: ToSql<sql_types::Binary, DB>,
{
    use ambidex_core::ValueKind as K;
    use sql_types::Nullable as N;
    static NONE_BOOL: Option<bool> = None;
    static NONE_I16: Option<i16> = None;
    static NONE_I32: Option<i32> = None;
    static NONE_I64: Option<i64> = None;
    static NONE_F32: Option<f32> = None;
    static NONE_F64: Option<f64> = None;
    static NONE_TEXT: Option<String> = None;
    static NONE_BLOB: Option<Vec<u8>> = None;
    match value {
        Value::Bool(v) => out.push_bind_param::<sql_types::Bool, _>(v),
        Value::I16(v) => out.push_bind_param::<sql_types::SmallInt, _>(v),
        Value::I32(v) => out.push_bind_param::<sql_types::Integer, _>(v),
        Value::I64(v) => out.push_bind_param::<sql_types::BigInt, _>(v),
        Value::F32(v) => out.push_bind_param::<sql_types::Float, _>(v),
        Value::F64(v) => out.push_bind_param::<sql_types::Double, _>(v),
        Value::Text(v) => out.push_bind_param::<sql_types::Text, _>(v),
        Value::Blob(v) => out.push_bind_param::<sql_types::Binary, _>(v),
        // Dates, UUIDs, decimals, JSON: canonical text; the statement carries the cast.
        Value::Typed(_, v) => out.push_bind_param::<sql_types::Text, _>(v),
        Value::Array(array) => DB::push_array(out, array),
        Value::Null(kind) => match kind {
            K::Bool => out.push_bind_param::<N<sql_types::Bool>, _>(&NONE_BOOL),
            K::I16 => out.push_bind_param::<N<sql_types::SmallInt>, _>(&NONE_I16),
            K::I32 => out.push_bind_param::<N<sql_types::Integer>, _>(&NONE_I32),
            K::I64 => out.push_bind_param::<N<sql_types::BigInt>, _>(&NONE_I64),
            K::F32 => out.push_bind_param::<N<sql_types::Float>, _>(&NONE_F32),
            K::F64 => out.push_bind_param::<N<sql_types::Double>, _>(&NONE_F64),
            K::Text => out.push_bind_param::<N<sql_types::Text>, _>(&NONE_TEXT),
            K::Blob => out.push_bind_param::<N<sql_types::Binary>, _>(&NONE_BLOB),
            _ => out.push_bind_param::<N<sql_types::Text>, _>(&NONE_TEXT),
        },
    }
}

macro_rules! statement_fragment {
    ($backend:ty) => {
        impl QueryFragment<$backend> for DieselStatement<'_> {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, $backend>) -> QueryResult<()> {
                for (sql, value) in self.0.pieces() {
                    out.push_sql(sql);
                    if let Some(value) = value {
                        push_value(&mut out, value)?;
                    }
                }
                Ok(())
            }
        }
    };
}

#[cfg(feature = "sqlite")]
statement_fragment!(diesel::sqlite::Sqlite);
#[cfg(feature = "postgres")]
statement_fragment!(diesel::pg::Pg);
#[cfg(feature = "mysql")]
statement_fragment!(diesel::mysql::Mysql);
