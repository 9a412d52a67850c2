//! Every kind of operation against a real SQLite file, through `&Db`.
// These tests run on SQLite files.
#![cfg(feature = "sqlite")]

mod common;

use ambidex_core::{Error, Model, raw};
use common::{User, temp_db};

#[tokio::test(flavor = "multi_thread")]
async fn insert_returns_the_stored_row_and_get_finds_it() {
    let (_dir, db) = temp_db().await;
    let mut alice = User::new("alice@example.com", 31);
    alice.nick = Some("al".into());
    alice.avatar = Some(vec![0, 1, 2, 255]);
    let stored = alice.insert(&db).await.unwrap();
    assert!(stored.id > 0);
    assert_eq!(
        User {
            id: stored.id,
            ..alice.clone()
        },
        stored
    );

    let bob = User::new("bob@example.com", 17).insert(&db).await.unwrap();
    assert_ne!(bob.id, stored.id);

    assert_eq!(User::get(stored.id, &db).await.unwrap(), stored);
    assert!(matches!(
        User::get(9999, &db).await,
        Err(Error::NotFound { model: "User", .. })
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_filter_order_limit_and_count() {
    let (_dir, db) = temp_db().await;
    for (i, age) in [40, 17, 25, 63, 17].into_iter().enumerate() {
        User::new(&format!("u{i}@example.com"), age)
            .insert(&db)
            .await
            .unwrap();
    }
    let adults = User::query()
        .filter(User::AGE.ge(18))
        .order_by(User::AGE.asc())
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        adults.iter().map(|u| u.age).collect::<Vec<_>>(),
        [25, 40, 63]
    );

    assert_eq!(User::query().count(&db).await.unwrap(), 5);
    assert_eq!(
        User::query()
            .filter(User::AGE.eq(17))
            .count(&db)
            .await
            .unwrap(),
        2
    );
    assert!(
        User::query()
            .filter(User::AGE.gt(60))
            .exists(&db)
            .await
            .unwrap()
    );
    assert!(
        !User::query()
            .filter(User::AGE.gt(99))
            .exists(&db)
            .await
            .unwrap()
    );

    let oldest = User::query()
        .order_by(User::AGE.desc())
        .first(&db)
        .await
        .unwrap();
    assert_eq!(oldest.map(|u| u.age), Some(63));
    let page = User::query()
        .order_by(User::ID.asc())
        .limit(2)
        .offset(1)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(page.len(), 2);

    assert_eq!(
        User::query()
            .filter(User::AGE.eq(63))
            .one(&db)
            .await
            .unwrap()
            .age,
        63
    );
    assert!(matches!(
        User::query().filter(User::AGE.eq(17)).one(&db).await,
        Err(Error::MultipleRows { .. })
    ));
    assert!(matches!(
        User::query().filter(User::AGE.eq(1)).one(&db).await,
        Err(Error::NotFound { .. })
    ));

    let found = User::query()
        .filter(User::EMAIL.starts_with("u3"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        User::query()
            .filter(User::NICK.is_null())
            .count(&db)
            .await
            .unwrap(),
        5
    );
    let none: Vec<User> = User::query()
        .filter(User::ID.is_in(Vec::<i64>::new()))
        .all(&db)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn update_and_delete_by_row_and_by_filter() {
    let (_dir, db) = temp_db().await;
    let mut carol = User::new("carol@example.com", 50)
        .insert(&db)
        .await
        .unwrap();
    let dave = User::new("dave@example.com", 20).insert(&db).await.unwrap();

    carol.age = 51;
    carol.nick = Some("caz".into());
    carol.update(&db).await.unwrap();
    assert_eq!(User::get(carol.id, &db).await.unwrap(), carol);

    let touched = User::query()
        .filter(User::AGE.lt(30))
        .set(User::AGE, 21)
        .update(&db)
        .await
        .unwrap();
    assert_eq!(touched, 1);
    assert_eq!(User::get(dave.id, &db).await.unwrap().age, 21);

    dave.delete(&db).await.unwrap();
    assert!(matches!(
        dave.delete(&db).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        User {
            id: 777,
            ..carol.clone()
        }
        .update(&db)
        .await,
        Err(Error::NotFound { .. })
    ));

    assert_eq!(
        User::query()
            .filter(User::AGE.gt(0))
            .delete(&db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_many_is_all_or_nothing() {
    let (_dir, db) = temp_db().await;
    let rows: Vec<User> = (0..2500)
        .map(|i| User::new(&format!("m{i}@example.com"), i % 90))
        .collect();
    assert_eq!(User::insert_many(&rows, &db).await.unwrap(), 2500);
    assert_eq!(User::query().count(&db).await.unwrap(), 2500);

    let clash = vec![
        User::new("new@example.com", 1),
        User::new("m5@example.com", 1),
    ];
    assert!(matches!(
        User::insert_many(&clash, &db).await,
        Err(Error::UniqueViolation { .. })
    ));
    assert_eq!(
        User::query()
            .filter(User::EMAIL.eq("new@example.com"))
            .count(&db)
            .await
            .unwrap(),
        0
    );
    // The pool is still healthy after the failed batch.
    assert_eq!(User::query().count(&db).await.unwrap(), 2500);
}

#[tokio::test(flavor = "multi_thread")]
async fn constraint_failures_become_typed_errors() {
    let (_dir, db) = temp_db().await;
    User::new("erin@example.com", 30).insert(&db).await.unwrap();
    match User::new("erin@example.com", 31).insert(&db).await {
        Err(Error::UniqueViolation { constraint, .. }) => assert_eq!(constraint, "users.email"),
        other => panic!("expected a unique violation, got {other:?}"),
    }
    let null_email = raw("INSERT INTO users (email, age, score, active) VALUES (?, 1, 0, 1)")
        .bind(Option::<String>::None)
        .execute(&db)
        .await;
    assert!(
        matches!(null_email, Err(Error::NotNullViolation { .. })),
        "{null_email:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cells_are_read_by_storage_class() {
    let (_dir, db) = temp_db().await;
    // Every storage class, including NULL, an integer where a float is declared, and a
    // boolean stored as an integer.
    let rows: Vec<User> = raw("SELECT 7, 'x@y', 42, NULL, x'00ff', 3, 1")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(
        rows,
        [User {
            id: 7,
            email: "x@y".into(),
            age: 42,
            nick: None,
            avatar: Some(vec![0, 255]),
            score: 3.0,
            active: true
        }]
    );
    // Text that is not UTF-8 is a decode error, not a panic.
    let bad = raw("SELECT 1, CAST(x'ff' AS TEXT), 1, NULL, NULL, 0.5, 0")
        .fetch_all::<User, _>(&db)
        .await;
    match bad {
        Err(Error::Decode {
            field: "email",
            found,
            ..
        }) => assert!(found.contains("UTF-8"), "{found}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    // A value out of the field's range, and a row narrower than the model.
    let wide = raw("SELECT 1, 'a', 9999999999, NULL, NULL, 0.5, 0")
        .fetch_all::<User, _>(&db)
        .await;
    assert!(
        matches!(wide, Err(Error::Decode { field: "age", .. })),
        "{wide:?}"
    );
    let narrow = raw("SELECT 1, 'a'").fetch_all::<User, _>(&db).await;
    assert!(
        matches!(narrow, Err(Error::Decode { .. } | Error::InvalidQuery(_))),
        "{narrow:?}"
    );
    // The connection that saw those errors is still fine.
    assert_eq!(User::query().count(&db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn mutable_db_handles_work_too() {
    let (_dir, mut db) = temp_db().await;
    let row = User::new("mut@example.com", 3)
        .insert(&mut db)
        .await
        .unwrap();
    assert_eq!(User::get(row.id, &mut db).await.unwrap(), row);
}
