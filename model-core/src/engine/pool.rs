//! The pool settings every handle builder collects: how many connections, how long an
//! operation waits for one, how long one statement may run.
//!
//! Four builders take them (the sqlx and diesel engines' `DbBuilder`s, the facade's
//! `DieselDbBuilder` and its engine-choosing `DbBuilder`) and they mean the same thing on
//! each, so they are one struct with one set of setters
//! ([`crate::pool_builder_methods!`]), not four copies that could drift. What differs is
//! only where a builder's defaults come from: an engine's builder knows its acquire
//! timeout ([`PoolOptions<Duration>`], 30 s unless set), while the facade's `DbBuilder`
//! leaves unset what the chosen engine decides ([`PoolOptions<Option<Duration>>`]) and
//! hands over only what was set ([`PoolOptions::given`]).

use std::fmt;
use std::time::Duration;

/// How long an operation waits for a free connection unless the builder says otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a handle builder collects about its pool. `A` is the acquire timeout as the
/// builder keeps it: a [`Duration`] where the engine's default is known, an
/// `Option<Duration>` where the engine is chosen later.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions<A = Duration> {
    /// The requested maximum pool size, or `None` for the engine's default.
    pub max_connections: Option<u32>,
    /// How long an acquire waits for a free connection.
    pub acquire_timeout: A,
    /// The longest one statement may run, if limited.
    pub statement_timeout: Option<Duration>,
}

impl Default for PoolOptions<Duration> {
    /// The engines' defaults: the engine's pool size, 30 s to acquire, no statement limit.
    fn default() -> Self {
        PoolOptions {
            max_connections: None,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            statement_timeout: None,
        }
    }
}

impl Default for PoolOptions<Option<Duration>> {
    /// Nothing set: the engine chosen later decides.
    fn default() -> Self {
        PoolOptions {
            max_connections: None,
            acquire_timeout: None,
            statement_timeout: None,
        }
    }
}

impl PoolOptions<Duration> {
    /// These settings with what `given` sets replacing them (what the facade's builder
    /// hands to the engine's).
    pub fn given(self, given: &PoolOptions<Option<Duration>>) -> Self {
        PoolOptions {
            max_connections: given.max_connections.or(self.max_connections),
            acquire_timeout: given.acquire_timeout.unwrap_or(self.acquire_timeout),
            statement_timeout: given.statement_timeout.or(self.statement_timeout),
        }
    }
}

impl<A: fmt::Debug> PoolOptions<A> {
    /// Adds the settings to a builder's `Debug` output, one field each.
    pub fn debug_fields(&self, out: &mut fmt::DebugStruct<'_, '_>) {
        out.field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_timeout", &self.statement_timeout);
    }
}

impl<A: fmt::Debug> fmt::Debug for PoolOptions<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("PoolOptions");
        self.debug_fields(&mut out);
        out.finish()
    }
}
