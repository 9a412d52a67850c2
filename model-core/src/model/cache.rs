//! The per-model statement cache: the statements every model sends most (get by key,
//! insert with or without RETURNING, update and delete by key), rendered once per
//! dialect on first use and shared (`Arc` text) by every call after.

use std::sync::OnceLock;

use crate::engine::backend::Dialect;
use crate::engine::statement::SqlTemplate;
use crate::error::{Error, Result};

/// Which per-model statement a [`SqlCache`] slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedSql {
    /// `SELECT columns FROM table WHERE key = ?`
    GetByKey,
    /// `INSERT INTO table (...) VALUES (...)`, for servers without `INSERT ... RETURNING`
    Insert,
    /// `INSERT INTO table (...) VALUES (...) RETURNING every column`, where the server has
    /// it (a dialect covering servers with and without it keeps both)
    InsertReturning,
    /// `UPDATE table SET ... WHERE key = ?`
    UpdateByKey,
    /// `DELETE FROM table WHERE key = ?`
    DeleteByKey,
}

const CACHED_KINDS: usize = 5;

/// Per-model statements, rendered once per dialect on first use.
#[derive(Debug)]
pub struct SqlCache {
    slots: [OnceLock<SqlTemplate>; CACHED_KINDS * 3],
}

impl Default for SqlCache {
    fn default() -> Self {
        SqlCache::new()
    }
}

impl SqlCache {
    /// An empty cache (the derive puts one in a `static` per model).
    pub const fn new() -> Self {
        SqlCache {
            slots: [const { OnceLock::new() }; CACHED_KINDS * 3],
        }
    }

    /// The cached template, rendering it with `render` on first use.
    #[inline]
    pub fn get_or_render(
        &self,
        dialect: Dialect,
        which: CachedSql,
        render: impl FnOnce() -> Result<SqlTemplate>,
    ) -> Result<&SqlTemplate> {
        let slot = &self.slots[dialect.index() * CACHED_KINDS + which as usize];
        if let Some(t) = slot.get() {
            return Ok(t);
        }
        let _ = slot.set(render()?);
        slot.get()
            .ok_or(Error::Internal("SQL cache slot empty after set".into()))
    }
}
