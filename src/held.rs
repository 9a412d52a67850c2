//! [`HeldConnection`], the held connection of a [`crate::Db`]: whichever engine's held
//! connection the handle acquired, with each operation forwarded to it by one `match`, as
//! [`crate::Db`] and [`crate::Tx`] forward theirs.

use std::fmt;

use ambidex_async::BoxFuture;
use ambidex_core::{Dialect, Executor, Plan, Result};

#[cfg(feature = "blocking")]
use crate::DieselHeldConnection;
use crate::SqlxHeldConnection;
use crate::engine::Engine;

/// A connection of a [`crate::Db`], held by the caller for a sequence of operations until
/// it is dropped; pass `&mut conn` to any terminal method. From [`crate::Db::acquire`].
///
/// On the sqlx engine it is a [`SqlxHeldConnection`] (one pooled sqlx connection); on the
/// diesel engine a [`DieselHeldConnection`] (one worker of the pool and its connection).
/// Either way it is one database session, always the primary's, takes one slot of the pool
/// while it lives, and is never pooled inside a transaction; see [`SqlxHeldConnection`]
/// for the rules, which are the same on both engines.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> ambidex::Result<()> {
/// use ambidex::prelude::*;
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[ambidex(table = "users")]
/// pub struct User {
///     #[ambidex(primary_key, auto)]
///     pub id: i64,
///     pub name: String,
/// }
///
/// let db = ambidex::Db::connect("sqlite::memory:").await?;
/// let mut conn = db.acquire().await?;
/// User::create_table(&mut conn).await?;
/// let ada = User { id: 0, name: "Ada".into() }.insert(&mut conn).await?;
/// assert_eq!(User::get(ada.id, &mut conn).await?, ada);
/// assert_eq!(User::query().filter(User::NAME.eq("Ada")).all(&mut conn).await?, [ada]);
/// drop(conn); // back to the pool
/// assert_eq!(User::query().count(&db).await?, 1);
/// # Ok(()) }
/// ```
pub struct HeldConnection {
    engine: EngineHeld,
}

enum EngineHeld {
    Sqlx(SqlxHeldConnection),
    #[cfg(feature = "blocking")]
    Diesel(DieselHeldConnection),
}

impl From<SqlxHeldConnection> for HeldConnection {
    fn from(conn: SqlxHeldConnection) -> HeldConnection {
        HeldConnection {
            engine: EngineHeld::Sqlx(conn),
        }
    }
}

#[cfg(feature = "blocking")]
impl From<DieselHeldConnection> for HeldConnection {
    fn from(conn: DieselHeldConnection) -> HeldConnection {
        HeldConnection {
            engine: EngineHeld::Diesel(conn),
        }
    }
}

impl HeldConnection {
    /// The SQL dialect of the database.
    pub fn dialect(&self) -> Dialect {
        match &self.engine {
            EngineHeld::Sqlx(conn) => conn.dialect(),
            #[cfg(feature = "blocking")]
            EngineHeld::Diesel(conn) => conn.dialect(),
        }
    }

    /// The engine running this connection's operations.
    pub fn engine(&self) -> Engine {
        match &self.engine {
            EngineHeld::Sqlx(_) => Engine::Sqlx,
            #[cfg(feature = "blocking")]
            EngineHeld::Diesel(_) => Engine::Diesel,
        }
    }
}

impl fmt::Debug for HeldConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("HeldConnection");
        out.field("engine", &self.engine());
        match &self.engine {
            EngineHeld::Sqlx(conn) => out.field("conn", conn),
            #[cfg(feature = "blocking")]
            EngineHeld::Diesel(conn) => out.field("conn", conn),
        };
        out.finish()
    }
}

impl<'e> Executor<'e> for &'e mut HeldConnection {
    type Output<T: Send + 'static> = BoxFuture<'e, Result<T>>;

    #[inline]
    fn run<P: Plan + 'e>(self, plan: P) -> Self::Output<P::Output> {
        match &mut self.engine {
            EngineHeld::Sqlx(conn) => <&'e mut SqlxHeldConnection as Executor<'e>>::run(conn, plan),
            #[cfg(feature = "blocking")]
            EngineHeld::Diesel(conn) => {
                <&'e mut DieselHeldConnection as Executor<'e>>::run(conn, plan)
            }
        }
    }
}
