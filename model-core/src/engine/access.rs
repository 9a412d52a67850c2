//! What an operation does, as routing sees it ([`Access`]), and [`Routed`], which overrides
//! it for `.on_primary()` and raw `read_only()`.

use std::future::Future;

use crate::engine::{Connection, Plan};
use crate::error::Result;

/// What an operation does, as routing sees it: whether it writes, whether it must see the
/// primary, and the table it is about (for a custom [`Router`](crate::routing::Router)).
///
/// ```
/// use ambidex_core::routing::Access;
/// assert!(Access::write().writes());
/// let read = Access::read(Some("users"));
/// assert!(!read.writes() && !read.needs_primary());
/// assert!(read.on_primary().needs_primary());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    writes: bool,
    primary: bool,
    table: Option<&'static str>,
}

impl Access {
    /// An operation that may write: always the primary. What a plan reports unless it
    /// says otherwise.
    pub const fn write() -> Access {
        Access {
            writes: true,
            primary: true,
            table: None,
        }
    }

    /// A read of `table` (if the operation names one), which a replica may serve.
    pub const fn read(table: Option<&'static str>) -> Access {
        Access {
            writes: false,
            primary: false,
            table,
        }
    }

    /// The same operation, pinned to the primary.
    pub const fn on_primary(mut self) -> Access {
        self.primary = true;
        self
    }

    /// The same operation, naming `table`.
    pub const fn on_table(mut self, table: &'static str) -> Access {
        self.table = Some(table);
        self
    }

    /// Whether the operation may write.
    pub const fn writes(&self) -> bool {
        self.writes
    }

    /// Whether the operation must run on the primary (a write, or a read pinned there).
    pub const fn needs_primary(&self) -> bool {
        self.primary
    }

    /// The table the operation is about, when it names one.
    pub const fn table(&self) -> Option<&'static str> {
        self.table
    }
}

/// A plan with its routing overridden: `.on_primary()` on a query, `read_only()` on raw
/// SQL. Runs `plan` unchanged.
pub struct Routed<P> {
    plan: P,
    access: Access,
}

impl<P: Plan> Routed<P> {
    /// Runs `plan` as `access` says.
    pub fn new(plan: P, access: Access) -> Routed<P> {
        Routed { plan, access }
    }

    /// Runs `plan` as it says, pinned to the primary if `primary`.
    pub fn pinned(plan: P, primary: bool) -> Routed<P> {
        let access = plan.access();
        Routed {
            plan,
            access: if primary { access.on_primary() } else { access },
        }
    }
}

impl<P: Plan> Plan for Routed<P> {
    type Output = P::Output;

    fn access(&self) -> Access {
        self.access
    }

    fn run<C: Connection>(self, conn: &mut C) -> impl Future<Output = Result<P::Output>> + Send {
        self.plan.run(conn)
    }
}
