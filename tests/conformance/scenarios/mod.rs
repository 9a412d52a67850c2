//! Scenario groups, one file each. Every file defines a `*_scenarios!` macro whose body is a
//! list of `scenario!(name, |db| { ... })`; `cell!` expands them all inside the cell's
//! module, where `scenario!`, `aw!`, `in_tx!`, `nested_tx!` and `panics!` mean what that
//! cell's world needs.

#[macro_use]
mod query;
#[macro_use]
mod write;
#[macro_use]
mod types;
#[macro_use]
mod errors;
#[macro_use]
mod transaction;
#[macro_use]
mod upsert;
#[macro_use]
mod aggregate;
#[macro_use]
mod relation;
#[macro_use]
mod tx_options;
#[macro_use]
mod stream;
#[macro_use]
mod page;
#[macro_use]
mod composite_key;
#[macro_use]
mod subquery;
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "json",
    feature = "decimal"
))]
#[macro_use]
mod rich_types;
#[macro_use]
mod bad_input;
#[macro_use]
mod held;
#[macro_use]
mod locking;
#[macro_use]
mod returning;
#[macro_use]
mod expressions;
#[macro_use]
mod joins;
#[macro_use]
mod collation;

/// Creates the `person` table and inserts [`crate::models::people`].
macro_rules! seed_people {
    ($db:ident) => {
        aw!(Person::create_table(&$db))?;
        aw!(Person::insert_many(&people(), &$db))?;
    };
}

/// The names of a list of people, in order.
macro_rules! names {
    ($rows:expr) => {
        $rows
            .iter()
            .map(|p: &Person| p.name.as_str())
            .collect::<Vec<_>>()
    };
}

/// The names of every person, in key order.
macro_rules! all_names {
    ($db:ident) => {
        aw!(Person::query().order_by(Person::ID.asc()).all(&$db))?
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<String>>()
    };
}

/// `expect_err!(result, Pattern)`: the result is an error matching the pattern; anything
/// else fails the scenario, printing what came.
macro_rules! expect_err {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err($pattern) => {}
            other => panic!("expected Err({}), got {:?}", stringify!($pattern), other),
        }
    };
}

/// Inserts an [`crate::models::AllTypes`] row, checks that `insert` returned it and that `get`
/// reads it back equal (key aside), and evaluates to the row read back.
macro_rules! round_trip {
    ($db:ident, $row:expr) => {
        round_trip_as!($db, AllTypes, $row)
    };
}

/// [`round_trip!`] for a row of any model `$model` with an `id` key.
macro_rules! round_trip_as {
    ($db:ident, $model:ident, $row:expr) => {{
        let row: $model = $row;
        let stored = aw!(row.insert(&$db))?;
        let expected = $model {
            id: stored.id,
            ..row
        };
        assert_eq!(stored, expected, "the row as insert returned it");
        let back = aw!($model::get(expected.id, &$db))?;
        assert_eq!(back, expected, "the row as get read it back");
        back
    }};
}

macro_rules! all_scenarios {
    () => {
        mod query {
            #[allow(unused_imports)]
            use super::*;
            query_scenarios!();
        }
        mod locking {
            #[allow(unused_imports)]
            use super::*;
            locking_scenarios!();
        }
        mod returning {
            #[allow(unused_imports)]
            use super::*;
            returning_scenarios!();
        }
        mod expressions {
            #[allow(unused_imports)]
            use super::*;
            expressions_scenarios!();
        }
        mod joins {
            #[allow(unused_imports)]
            use super::*;
            joins_scenarios!();
        }
        mod collation {
            #[allow(unused_imports)]
            use super::*;
            collation_scenarios!();
        }
        mod write {
            #[allow(unused_imports)]
            use super::*;
            write_scenarios!();
        }
        mod composite_key {
            #[allow(unused_imports)]
            use super::*;
            composite_key_scenarios!();
        }
        mod subquery {
            #[allow(unused_imports)]
            use super::*;
            subquery_scenarios!();
        }
        mod upsert {
            #[allow(unused_imports)]
            use super::*;
            upsert_scenarios!();
        }
        mod aggregate {
            #[allow(unused_imports)]
            use super::*;
            aggregate_scenarios!();
        }
        mod relation {
            #[allow(unused_imports)]
            use super::*;
            relation_scenarios!();
        }
        mod tx_options {
            #[allow(unused_imports)]
            use super::*;
            tx_options_scenarios!();
        }
        mod stream {
            #[allow(unused_imports)]
            use super::*;
            stream_scenarios!();
        }
        mod page {
            #[allow(unused_imports)]
            use super::*;
            page_scenarios!();
        }
        mod types {
            #[allow(unused_imports)]
            use super::*;
            types_scenarios!();
        }
        mod errors {
            #[allow(unused_imports)]
            use super::*;
            errors_scenarios!();
        }
        mod transaction {
            #[allow(unused_imports)]
            use super::*;
            transaction_scenarios!();
        }
        #[cfg(all(
            feature = "chrono",
            feature = "uuid",
            feature = "json",
            feature = "decimal"
        ))]
        mod rich_types {
            #[allow(unused_imports)]
            use super::*;
            rich_types_scenarios!();
        }
        mod bad_input {
            #[allow(unused_imports)]
            use super::*;
            bad_input_scenarios!();
        }
        mod held {
            #[allow(unused_imports)]
            use super::*;
            held_scenarios!();
        }
    };
}
