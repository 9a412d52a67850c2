//! Held connections: `db.acquire()` in every cell, one connection kept for a sequence of
//! operations. What runs through it returns what runs through the pool, and it is one
//! database session (a temporary table made on it is there for its next call, and not
//! for the pool's other connections).
//!
//! Pool exhaustion and cancellation need handles with chosen pool settings: they are in
//! `tests/held_connection.rs`.

macro_rules! held_scenarios {
    () => {
        scenario!(operations_match_the_pool, |db| {
            seed_people!(db);
            let mut conn = aw!(db.acquire())?;
            assert_eq!(aw!(Person::get(1, &mut conn))?, aw!(Person::get(1, &db))?);
            let adults = || {
                Person::query()
                    .filter(Person::AGE.ge(18))
                    .order_by(Person::NAME.asc())
            };
            assert_eq!(aw!(adults().all(&mut conn))?, aw!(adults().all(&db))?);
            assert_eq!(names!(aw!(adults().all(&mut conn))?), ["Ada", "Dee"]);
            assert_eq!(aw!(adults().count(&mut conn))?, 2);
            assert_eq!(aw!(adults().first(&mut conn))?, aw!(adults().first(&db))?);
            assert!(aw!(Person::query()
                .filter(Person::NAME.eq("Cy"))
                .exists(&mut conn))?);

            // Writes through it are committed at once, as through the pool.
            let fay = aw!(person("Fay", Some(40)).insert(&mut conn))?;
            assert_eq!(aw!(Person::get(fay.id, &db))?, fay);
            let older = Person {
                age: Some(41),
                ..fay.clone()
            };
            aw!(older.update(&mut conn))?;
            assert_eq!(aw!(Person::get(fay.id, &db))?.age, Some(41));
            // insert_many opens and closes a transaction of its own on the held connection.
            let more = [person("Gus", None), person("Hal", Some(3))];
            assert_eq!(aw!(Person::insert_many(&more, &mut conn))?, 2);
            assert_eq!(aw!(Person::query().count(&db))?, 8);
            aw!(older.delete(&mut conn))?;
            assert_eq!(
                aw!(Person::query()
                    .filter(Person::AGE.is_null())
                    .delete(&mut conn))?,
                2
            );
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(all_names!(db), ["Ada", "Bob", "Dee", "eve", "Hal"]);

            // Transactions are the handle's; its connection and the held one are two.
            let n: u64 = in_tx!(db, |tx| { aw!(Person::query().count(&mut *tx)) })?;
            assert_eq!(n, aw!(Person::query().count(&mut conn))?);
            drop(conn);
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(is_one_session, |db| {
            let mut conn = aw!(db.acquire())?;
            aw!(
                ambidex::raw("CREATE TEMPORARY TABLE held_session (n INTEGER)").execute(&mut conn)
            )?;
            aw!(ambidex::raw("INSERT INTO held_session (n) VALUES (1), (2)").execute(&mut conn))?;
            let count = || ambidex::raw("SELECT COUNT(*) FROM held_session");
            let rows: Vec<(i64,)> = aw!(count().fetch_rows(&mut conn))?;
            assert_eq!(rows, [(2,)]);
            // The pool's other connections are other sessions: the table is not theirs.
            let elsewhere: ambidex::Result<Vec<(i64,)>> = aw!(count().fetch_rows(&db));
            assert!(elsewhere.is_err(), "{elsewhere:?}");
            // And the held connection is still the same session afterwards.
            let rows: Vec<(i64,)> = aw!(count().fetch_rows(&mut conn))?;
            assert_eq!(rows, [(2,)]);
            assert_eq!(conn.dialect(), db.dialect());
            assert!(format!("{conn:?}").contains("HeldConnection"), "{conn:?}");
            Ok(())
        });
    };
}
