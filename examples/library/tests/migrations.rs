//! The migrations folder and the models agree on every backend: after the folder is
//! applied, `makemigrations` would find nothing to write. A model changed without a new
//! migration fails here, naming the SQL it would need.

mod common;

use ambidex::Model;
use ambidex::migrate::{AutogenerateOptions, autogenerate, read_schema};
use ambidex::schema::Schema;
use library::models::{Book, Copy, Loan, Member};

use common::cells;

#[test]
fn the_folder_creates_what_the_models_declare() {
    for cell in cells() {
        let db = cell.db.blocking().expect("open");
        let current = read_schema(&db).expect("the migrated schema");
        let models = [Book::META, Copy::META, Member::META, Loan::META];
        let target = Schema::from_models(db.dialect(), &models).expect("the models' schema");
        let missing = autogenerate(
            db.dialect(),
            &current,
            &target,
            &AutogenerateOptions::default(),
        )
        .expect("a diff");
        assert!(
            missing.is_empty(),
            "{}: the models need a migration the folder lacks:\n{}",
            cell.name,
            missing.up_sql()
        );
    }
}
