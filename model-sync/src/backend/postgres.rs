//! diesel's PostgreSQL connection: opening it and reading values by their type OID.

use std::borrow::Cow;
use std::marker::PhantomData;

use ambidex_core::{Cell, Dialect, Error, Result, RowReader};
use diesel::Connection as _;
use diesel::deserialize::FromSql;
use diesel::pg::{Pg, PgConnection};
use diesel::row::{Field, Row};
use diesel::sql_types;

use super::{decoded_rows, diesel_io, run_setup};

pub(crate) fn establish(url: &str) -> Result<PgConnection> {
    let mut conn = PgConnection::establish(url).map_err(|e| connect_error(url, e))?;
    run_setup(&mut conn, Dialect::Postgres)?;
    Ok(conn)
}

fn connect_error(url: &str, e: diesel::ConnectionError) -> Error {
    let message = e.to_string();
    let refused_login = message.contains("password authentication failed")
        || message.contains("no password supplied")
        || (message.contains("role \"") && message.contains("does not exist"));
    if refused_login {
        Error::Authentication { url: ambidex_core::redact_url(url), message }
    } else {
        Error::connection(url, message)
    }
}

diesel_io!(PgConnection, Dialect::Postgres);
decoded_rows!(Pg, Reader);

/// Reads cells by type OID (binary protocol).
struct Reader<'x, 'a, R> {
    row: &'x R,
    _a: PhantomData<&'a ()>,
}

fn bad(e: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Database { code: None, message: format!("cannot read a PostgreSQL value: {e}") }
}

impl<'a, R: Row<'a, Pg>> RowReader for Reader<'_, 'a, R> {
    #[inline]
    fn width(&self) -> usize {
        self.row.field_count()
    }

    #[inline]
    fn cell(&self, index: usize) -> Result<Cell<'_>> {
        let field = self
            .row
            .get(index)
            .ok_or_else(|| Error::Internal(format!("row has no column {index}").into()))?;
        let Some(value) = field.value() else { return Ok(Cell::Null) };
        let oid = value.get_oid().get();
        Ok(match oid {
            16 => Cell::Bool(<bool as FromSql<sql_types::Bool, Pg>>::from_sql(value).map_err(bad)?),
            21 => Cell::Int(<i16 as FromSql<sql_types::SmallInt, Pg>>::from_sql(value).map_err(bad)?.into()),
            23 => Cell::Int(<i32 as FromSql<sql_types::Integer, Pg>>::from_sql(value).map_err(bad)?.into()),
            20 => Cell::Int(<i64 as FromSql<sql_types::BigInt, Pg>>::from_sql(value).map_err(bad)?),
            700 => Cell::Float(<f32 as FromSql<sql_types::Float, Pg>>::from_sql(value).map_err(bad)?.into()),
            701 => Cell::Float(<f64 as FromSql<sql_types::Double, Pg>>::from_sql(value).map_err(bad)?),
            17 => Cell::Blob(Cow::Owned(value.as_bytes().to_vec())),
            // text, varchar, bpchar, name, and anything else sent as text
            _ => match std::str::from_utf8(value.as_bytes()) {
                Ok(s) => Cell::Text(Cow::Owned(s.to_owned())),
                Err(_) => Cell::Blob(Cow::Owned(value.as_bytes().to_vec())),
            },
        })
    }
}
