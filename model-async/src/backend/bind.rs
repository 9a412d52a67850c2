//! Binding ambidex values as sqlx arguments, written once for every sqlx backend: each
//! value with its own type, and a NULL with the type of the column it stands for (which
//! PostgreSQL needs; SQLite and MySQL accept any typed NULL). A whole `IN` list bound as
//! one array ([`Value::Array`], PostgreSQL's `= ANY($1)`) goes through [`BindArray`].

use ambidex_core::{Array, Error, Result, Value, ValueKind};
use sqlx::error::BoxDynError;
use sqlx::{Arguments, Database, Encode, Type};

/// How a driver binds a [`Value::Array`].
///
/// Only PostgreSQL's dialect renders arrays ([`ambidex_core::SqlDialect::array_placeholder`]);
/// the other drivers refuse one, which their rendered statements never hold.
pub trait BindArray: Database {
    /// Adds `array` to `args` as one parameter.
    fn add_array(args: &mut Self::Arguments, array: &Array) -> Result<(), BoxDynError> {
        let _ = (args, array);
        Err("an array parameter was bound for a backend whose SQL has none".into())
    }
}

#[cfg(feature = "sqlite")]
impl BindArray for sqlx::Sqlite {}

#[cfg(feature = "mysql")]
impl BindArray for sqlx::MySql {}

#[cfg(feature = "postgres")]
impl BindArray for sqlx::Postgres {
    fn add_array(args: &mut Self::Arguments, array: &Array) -> Result<(), BoxDynError> {
        match array {
            Array::Bool(v) => args.add(v.as_slice()),
            Array::I16(v) => args.add(v.as_slice()),
            Array::I32(v) => args.add(v.as_slice()),
            Array::I64(v) => args.add(v.as_slice()),
            Array::F32(v) => args.add(v.as_slice()),
            Array::F64(v) => args.add(v.as_slice()),
            // Typed kinds travel as text; the statement casts the array (`$1::uuid[]`).
            Array::Text(v) | Array::Typed(_, v) => args.add(v.as_slice()),
            Array::Blob(v) => args.add(v.as_slice()),
        }
    }
}

fn bind_error(index: usize, e: impl std::fmt::Display) -> Error {
    Error::InvalidQuery(format!("value {} could not be bound: {e}", index + 1).into())
}

/// Builds a driver's arguments from ambidex values: implemented once, for every sqlx
/// database type that can encode each value kind.
pub trait Bind: BindArray {
    /// The driver's arguments for `binds`, in placeholder order.
    fn arguments(binds: &[Value]) -> Result<Self::Arguments>;
}

impl<DB: BindArray> Bind for DB
where
    for<'t> bool: Encode<'t, DB> + Type<DB>,
    for<'t> i16: Encode<'t, DB> + Type<DB>,
    for<'t> i32: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> f32: Encode<'t, DB> + Type<DB>,
    for<'t> f64: Encode<'t, DB> + Type<DB>,
    for<'t> &'t str: Encode<'t, DB> + Type<DB>,
    for<'t> &'t [u8]: Encode<'t, DB> + Type<DB>,
    for<'t> Option<bool>: Encode<'t, DB>,
    for<'t> Option<i16>: Encode<'t, DB>,
    for<'t> Option<i32>: Encode<'t, DB>,
    for<'t> Option<i64>: Encode<'t, DB>,
    for<'t> Option<f32>: Encode<'t, DB>,
    for<'t> Option<f64>: Encode<'t, DB>,
    for<'t> Option<&'t str>: Encode<'t, DB>,
    for<'t> Option<&'t [u8]>: Encode<'t, DB>,
{
    fn arguments(binds: &[Value]) -> Result<DB::Arguments> {
        let mut args = DB::Arguments::default();
        args.reserve(binds.len(), 0);
        for (i, value) in binds.iter().enumerate() {
            let added = match value {
                Value::Null(kind) => match kind {
                    ValueKind::Bool => args.add(None::<bool>),
                    ValueKind::I16 => args.add(None::<i16>),
                    ValueKind::I32 => args.add(None::<i32>),
                    ValueKind::I64 => args.add(None::<i64>),
                    ValueKind::F32 => args.add(None::<f32>),
                    ValueKind::F64 => args.add(None::<f64>),
                    ValueKind::Text => args.add(None::<&str>),
                    ValueKind::Blob => args.add(None::<&[u8]>),
                    // Typed kinds travel as text; the statement carries the cast.
                    kind if kind.is_typed_text() => args.add(None::<&str>),
                    other => {
                        return Err(bind_error(
                            i,
                            format!("no column type is known for a NULL of kind {other:?}"),
                        ));
                    }
                },
                Value::Bool(b) => args.add(*b),
                Value::I16(n) => args.add(*n),
                Value::I32(n) => args.add(*n),
                Value::I64(n) => args.add(*n),
                Value::F32(f) => args.add(*f),
                Value::F64(f) => args.add(*f),
                Value::Text(s) => args.add(s.as_str()),
                Value::Blob(b) => args.add(b.as_slice()),
                Value::Typed(_, s) => args.add(s.as_str()),
                Value::Array(array) => DB::add_array(&mut args, array),
            };
            added.map_err(|e| bind_error(i, e))?;
        }
        Ok(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every plain kind, and a typed NULL of each, as every driver binds them.
    fn every_plain_value() -> Vec<Value> {
        let kinds = [
            ValueKind::Bool,
            ValueKind::I16,
            ValueKind::I32,
            ValueKind::I64,
            ValueKind::F32,
            ValueKind::F64,
            ValueKind::Text,
            ValueKind::Blob,
        ];
        let mut binds: Vec<Value> = kinds.into_iter().map(Value::Null).collect();
        binds.extend([
            Value::Bool(true),
            Value::I16(1),
            Value::I32(2),
            Value::I64(3),
            Value::F32(1.5),
            Value::F64(2.5),
            Value::Text("x".into()),
            Value::Blob(vec![1, 2]),
        ]);
        binds
    }

    fn binds_all<DB: Bind>() {
        let binds = every_plain_value();
        let args = DB::arguments(&binds).map_err(|e| e.to_string());
        assert_eq!(args.map(|a| a.len()), Ok(binds.len()));
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn sqlite_binds_every_value() {
        binds_all::<sqlx::Sqlite>();
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn postgres_binds_every_value() {
        binds_all::<sqlx::Postgres>();
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn mysql_binds_every_value() {
        binds_all::<sqlx::MySql>();
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn an_array_is_refused_where_the_sql_has_none() {
        let array = Value::Array(Array::I64(vec![Some(1), Some(2)]));
        let err = <sqlx::Sqlite as Bind>::arguments(&[Value::I32(1), array]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("value 2 could not be bound"), "{message}");
        assert!(message.contains("SQL has none"), "{message}");
    }
}
