//! The blocking API alone (built with `--no-default-features --features blocking,sqlite`
//! in CI): a model created, written and read with no async runtime in the build.
#![cfg(feature = "blocking")]

use ambidex::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ambidex(table = "users")]
pub struct User {
    #[ambidex(primary_key, auto)]
    pub id: i64,
    #[ambidex(unique)]
    pub email: String,
    pub name: String,
    pub age: Option<i32>,
}

#[test]
fn smoke() -> ambidex::Result<()> {
    let dir = std::env::temp_dir().join(format!("ambidex-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.db");
    let _ = std::fs::remove_file(&path);
    let db = ambidex::blocking::Db::open(&format!("sqlite://{}", path.display()))?;
    User::create_table(&db)?;
    let u = User {
        id: 0,
        email: "a@x".into(),
        name: "A".into(),
        age: None,
    }
    .insert(&db)?;
    assert_eq!(u.id, 1);
    let v = User {
        id: 0,
        email: "b@x".into(),
        name: "B".into(),
        age: Some(20),
    }
    .insert(&db)?;
    assert_eq!(User::query().filter(User::AGE.ne(5)).count(&db)?, 2);
    assert_eq!(
        User::query().filter(User::AGE.ge(18)).all(&db)?,
        vec![v.clone()]
    );
    assert_eq!(User::get(2, &db)?, v);
    let e = User {
        id: 0,
        email: "a@x".into(),
        name: "A".into(),
        age: None,
    }
    .insert(&db)
    .unwrap_err();
    assert!(matches!(e, ambidex::Error::UniqueViolation { .. }), "{e:?}");
    let rows: Vec<User> = (0..5000)
        .map(|i| User {
            id: 0,
            email: format!("{i}@m"),
            name: "m".into(),
            age: Some(i),
        })
        .collect();
    assert_eq!(User::insert_many(&rows, &db)?, 5000);
    assert_eq!(User::query().count(&db)?, 5002);
    let mut tx = db.begin()?;
    User::query().filter(User::NAME.eq("m")).delete(&mut tx)?;
    drop(tx);
    assert_eq!(User::query().count(&db)?, 5002);
    Ok(())
}
