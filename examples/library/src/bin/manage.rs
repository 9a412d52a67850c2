//! `manage`: the `ambidex` command line with the library's models, so that
//! `makemigrations` can compare them with the database (Django's `manage.py`).
//!
//! ```text
//! cargo run --features manage --bin manage -- makemigrations --name create_library
//! ```

use ambidex::Model;
use library::models::{Book, Copy, Loan, Member};

fn main() -> std::process::ExitCode {
    ambidex_cli::run(&[Book::META, Copy::META, Member::META, Loan::META])
}
