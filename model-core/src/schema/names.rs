//! The names ambidex gives the constraints and indexes it creates, so that a table made
//! by `create_table` and one made by a migration match, and a diff finds them again.

/// The name of the unique constraint on `table.column`.
pub fn unique_name(table: &str, column: &str) -> String {
    format!("{table}_{column}_key")
}

/// The name of the index on `table.column`.
pub fn index_name(table: &str, column: &str) -> String {
    format!("ix_{table}_{column}")
}

/// The name of the foreign key on `table.column`.
pub fn foreign_key_name(table: &str, column: &str) -> String {
    format!("fk_{table}_{column}")
}
