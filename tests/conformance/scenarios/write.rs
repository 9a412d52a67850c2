//! Writing: inserts (one, many, none), updates and deletes by instance and by filter, and
//! creating and dropping tables.

macro_rules! write_scenarios {
    () => {
        scenario!(insert_returns_generated_keys_in_order, |db| {
            aw!(Person::create_table(&db))?;
            let mut keys = Vec::new();
            for name in ["Ada", "Bob", "Cy"] {
                keys.push(aw!(person(name, None).insert(&db))?.id);
            }
            assert_eq!(keys, [1, 2, 3]);
            assert_eq!(aw!(Person::get(2, &db))?.name, "Bob");
            Ok(())
        });

        scenario!(insert_returns_the_row_as_stored, |db| {
            aw!(Person::create_table(&db))?;
            let mut p = person("Ada", Some(36));
            p.id = 77;
            p.score = 2.5;
            p.active = false;
            p.nickname = Some("Countess".into());
            let stored = aw!(p.insert(&db))?;
            // The key is generated: whatever the caller put there is ignored.
            assert_eq!(stored.id, 1);
            assert_eq!(stored, Person { id: 1, ..p.clone() });
            assert_eq!(aw!(Person::get(1, &db))?, stored);
            Ok(())
        });

        scenario!(keyword_model_with_chosen_keys, |db| {
            aw!(Order::create_table(&db))?;
            let orders = [
                Order {
                    id: 30,
                    group: "b".into(),
                    selected: 3,
                },
                Order {
                    id: 10,
                    group: "a".into(),
                    selected: 1,
                },
                Order {
                    id: 20,
                    group: "a".into(),
                    selected: 2,
                },
                Order {
                    id: 5,
                    group: "c".into(),
                    selected: 0,
                },
            ];
            for o in &orders {
                assert_eq!(&aw!(o.insert(&db))?, o);
            }
            assert_eq!(aw!(Order::get(10, &db))?, orders[1]);
            assert_eq!(aw!(Order::get(30, &db))?.group, "b");
            let a = aw!(Order::query()
                .filter(Order::GROUP.eq("a"))
                .order_by(Order::ID.desc())
                .all(&db))?;
            assert_eq!(a.iter().map(|o| o.id).collect::<Vec<_>>(), [20, 10]);
            let sorted = aw!(Order::query()
                .order_by(Order::GROUP.desc())
                .order_by(Order::SELECTED.asc())
                .all(&db))?;
            assert_eq!(
                sorted.iter().map(|o| o.id).collect::<Vec<_>>(),
                [5, 30, 10, 20]
            );
            assert_eq!(
                aw!(Order::query().filter(Order::SELECTED.ge(2)).count(&db))?,
                2
            );
            let changed = aw!(Order::query()
                .filter(Order::GROUP.eq("a"))
                .set(Order::SELECTED, 9)
                .update(&db))?;
            assert_eq!(changed, 2);
            assert_eq!(aw!(Order::get(20, &db))?.selected, 9);
            assert_eq!(
                aw!(Order::query().filter(Order::GROUP.ne("a")).delete(&db))?,
                2
            );
            assert_eq!(aw!(Order::query().count(&db))?, 2);
            Ok(())
        });

        scenario!(insert_with_taken_chosen_key_is_unique_violation, |db| {
            aw!(Order::create_table(&db))?;
            aw!(Order {
                id: 1,
                group: "a".into(),
                selected: 1
            }
            .insert(&db))?;
            expect_err!(
                aw!(Order {
                    id: 1,
                    group: "b".into(),
                    selected: 2
                }
                .insert(&db)),
                ambidex::Error::UniqueViolation { .. }
            );
            assert_eq!(aw!(Order::get(1, &db))?.group, "a");
            assert_eq!(aw!(Order::query().count(&db))?, 1);
            Ok(())
        });

        scenario!(insert_many_beyond_the_parameter_limit, |db| {
            aw!(Person::create_table(&db))?;
            // 50,000 rows of 6 bound columns: 300,000 values, far past SQLite's 32,766.
            let rows: Vec<Person> = (0..50_000)
                .map(|i| person(&format!("p{i}"), Some(i % 100)))
                .collect();
            assert_eq!(aw!(Person::insert_many(&rows, &db))?, 50_000);
            assert_eq!(aw!(Person::query().count(&db))?, 50_000);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.eq(42)).count(&db))?,
                500
            );
            let last = aw!(Person::query().order_by(Person::ID.desc()).first(&db))?;
            assert_eq!(last.map(|p| p.name), Some("p49999".to_string()));
            Ok(())
        });

        scenario!(insert_many_of_nothing_returns_zero, |db| {
            aw!(Person::create_table(&db))?;
            assert_eq!(aw!(Person::insert_many(&[], &db))?, 0);
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            Ok(())
        });

        scenario!(insert_many_keeps_order_and_generates_keys, |db| {
            seed_people!(db);
            let rows = aw!(Person::query().order_by(Person::ID.asc()).all(&db))?;
            assert_eq!(
                rows.iter().map(|p| p.id).collect::<Vec<_>>(),
                [1, 2, 3, 4, 5]
            );
            let expected: Vec<Person> = people()
                .into_iter()
                .zip(1..)
                .map(|(p, id)| Person { id, ..p })
                .collect();
            assert_eq!(rows, expected);
            Ok(())
        });

        scenario!(insert_many_returning_gives_the_stored_rows_in_order, |db| {
            seed_people!(db);
            // 2,500 rows: three statements on every backend (1,000 rows at most each).
            let rows: Vec<Person> = (0..2_500)
                .map(|i| Person {
                    score: f64::from(i) / 4.0,
                    ..person(&format!("n{i}"), if i % 3 == 0 { None } else { Some(i) })
                })
                .collect();
            let stored = aw!(Person::insert_many_returning(&rows, &db))?;
            assert_eq!(stored.len(), 2_500);
            // The seeded people hold keys 1 to 5; the new rows get 6, 7, ... in input order.
            for (i, (back, sent)) in stored.iter().zip(&rows).enumerate() {
                assert_eq!(back.id, 6 + i as i64, "row {i}");
                assert_eq!(
                    *back,
                    Person {
                        id: back.id,
                        ..sent.clone()
                    },
                    "row {i}"
                );
            }
            let read = aw!(Person::query()
                .filter(Person::ID.gt(5))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(read, stored, "returned = stored");
            // Rows with keys of their own come back in the order given, not key order.
            aw!(Order::create_table(&db))?;
            let orders: Vec<Order> = [5, 1, 3]
                .map(|id| Order {
                    id,
                    group: format!("g{id}"),
                    selected: id as i32,
                })
                .to_vec();
            assert_eq!(aw!(Order::insert_many_returning(&orders, &db))?, orders);
            assert!(aw!(Order::insert_many_returning(&[], &db))?.is_empty());
            // All or nothing: a duplicate key refuses the whole call.
            let clash = vec![
                Order {
                    id: 7,
                    group: "x".into(),
                    selected: 0,
                },
                Order {
                    id: 1,
                    group: "y".into(),
                    selected: 0,
                },
            ];
            expect_err!(
                aw!(Order::insert_many_returning(&clash, &db)),
                ambidex::Error::UniqueViolation { .. }
            );
            assert_eq!(aw!(Order::query().count(&db))?, 3);
            Ok(())
        });

        scenario!(insert_many_is_all_or_nothing, |db| {
            seed_people!(db);
            let mut rows: Vec<Person> =
                (0..3_000).map(|i| person(&format!("q{i}"), None)).collect();
            // A duplicate in the middle of the batch, in a later statement than the first
            // rows: those must be undone too.
            rows[1_500].email = rows[10].email.clone();
            match aw!(Person::insert_many(&rows, &db)) {
                Err(ambidex::Error::UniqueViolation { constraint, .. }) => {
                    assert!(constraint.contains("email"), "{constraint}");
                }
                other => panic!("expected UniqueViolation, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(
                aw!(Person::query().filter(Person::NAME.eq("q0")).count(&db))?,
                0
            );
            // The handle is still usable and the batch goes in once fixed.
            rows[1_500].email = "q1500@example.com".into();
            assert_eq!(aw!(Person::insert_many(&rows, &db))?, 3_000);
            assert_eq!(aw!(Person::query().count(&db))?, 3_005);
            Ok(())
        });

        scenario!(
            insert_many_conflicting_with_stored_row_is_all_or_nothing,
            |db| {
                seed_people!(db);
                let mut rows: Vec<Person> =
                    (0..10).map(|i| person(&format!("r{i}"), None)).collect();
                rows[9].email = "ada@example.com".into();
                expect_err!(
                    aw!(Person::insert_many(&rows, &db)),
                    ambidex::Error::UniqueViolation { .. }
                );
                assert_eq!(all_names!(db), ["Ada", "Bob", "Cy", "Dee", "eve"]);
                Ok(())
            }
        );

        scenario!(update_writes_every_column, |db| {
            seed_people!(db);
            let mut bob = aw!(Person::get(2, &db))?;
            bob.name = "Robert".into();
            bob.email = "robert@example.com".into();
            bob.age = None;
            bob.score = -7.25;
            bob.active = false;
            bob.nickname = Some("Bobby".into());
            aw!(bob.update(&db))?;
            assert_eq!(aw!(Person::get(2, &db))?, bob);
            bob.age = Some(18);
            bob.nickname = None;
            aw!(bob.update(&db))?;
            assert_eq!(aw!(Person::get(2, &db))?, bob);
            // Only that row changed.
            assert_eq!(all_names!(db), ["Ada", "Robert", "Cy", "Dee", "eve"]);
            assert_eq!(
                aw!(Person::get(1, &db))?,
                Person {
                    id: 1,
                    ..person("Ada", Some(36))
                }
            );
            Ok(())
        });

        scenario!(update_with_unchanged_values_finds_the_row, |db| {
            seed_people!(db);
            // Writing the values a row already has still matches it: not NotFound.
            let ada = aw!(Person::get(1, &db))?;
            aw!(ada.update(&db))?;
            assert_eq!(aw!(Person::get(1, &db))?, ada);
            let same = aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .set(Person::ACTIVE, true)
                .update(&db))?;
            assert_eq!(
                same, 2,
                "update by filter counts matched rows, not changed ones"
            );
            Ok(())
        });

        scenario!(update_of_absent_row_is_not_found, |db| {
            seed_people!(db);
            let ghost = Person {
                id: 99,
                ..person("Ghost", Some(1))
            };
            match aw!(ghost.update(&db)) {
                Err(ambidex::Error::NotFound { model, table }) => {
                    assert_eq!((model, table), ("Person", "person"));
                }
                other => panic!("expected NotFound, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(
                aw!(Person::query().filter(Person::NAME.eq("Ghost")).count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(delete_of_absent_row_is_not_found, |db| {
            seed_people!(db);
            let ghost = Person {
                id: 99,
                ..person("Ghost", None)
            };
            expect_err!(
                aw!(ghost.delete(&db)),
                ambidex::Error::NotFound {
                    model: "Person",
                    table: "person"
                }
            );
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(delete_removes_the_row, |db| {
            seed_people!(db);
            let cy = aw!(Person::get(3, &db))?;
            aw!(cy.delete(&db))?;
            expect_err!(aw!(Person::get(3, &db)), ambidex::Error::NotFound { .. });
            assert_eq!(all_names!(db), ["Ada", "Bob", "Dee", "eve"]);
            // Deleting it again finds nothing.
            expect_err!(aw!(cy.delete(&db)), ambidex::Error::NotFound { .. });
            Ok(())
        });

        scenario!(update_by_filter_returns_matched_count, |db| {
            seed_people!(db);
            let n = aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .set(Person::NICKNAME, Some("x".to_string()))
                .set(Person::ACTIVE, false)
                .update(&db))?;
            assert_eq!(n, 2);
            let rows = aw!(Person::query().order_by(Person::ID.asc()).all(&db))?;
            let shape: Vec<_> = rows
                .iter()
                .map(|p| (p.name.as_str(), p.nickname.as_deref(), p.active))
                .collect();
            assert_eq!(
                shape,
                [
                    ("Ada", None, true),
                    ("Bob", Some("x"), false),
                    ("Cy", None, true),
                    ("Dee", None, true),
                    ("eve", Some("x"), false),
                ]
            );
            let none = aw!(Person::query()
                .filter(Person::AGE.gt(100))
                .set(Person::SCORE, 1.0)
                .update(&db))?;
            assert_eq!(none, 0);
            let all = aw!(Person::query().set(Person::SCORE, 0.5).update(&db))?;
            assert_eq!(all, 5);
            assert_eq!(
                aw!(Person::query().filter(Person::SCORE.eq(0.5)).count(&db))?,
                5
            );
            Ok(())
        });

        scenario!(update_by_filter_sets_null, |db| {
            seed_people!(db);
            let n = aw!(Person::query()
                .filter(Person::NAME.eq("Ada"))
                .set(Person::AGE, None)
                .update(&db))?;
            assert_eq!(n, 1);
            assert_eq!(aw!(Person::get(1, &db))?.age, None);
            let nulls = aw!(Person::query()
                .filter(Person::AGE.is_null())
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(nulls), ["Ada", "Cy"]);
            let n = aw!(Person::query()
                .filter(Person::AGE.is_null())
                .set(Person::AGE, Some(1))
                .update(&db))?;
            assert_eq!(n, 2);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.eq(1)).count(&db))?,
                2
            );
            Ok(())
        });

        scenario!(update_by_filter_refuses_order_limit_offset, |db| {
            seed_people!(db);
            let q = || Person::query().filter(Person::AGE.eq(17));
            expect_err!(
                aw!(q()
                    .order_by(Person::ID.asc())
                    .set(Person::ACTIVE, false)
                    .update(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(q().limit(1).set(Person::ACTIVE, false).update(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(q().offset(1).set(Person::ACTIVE, false).update(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            assert_eq!(
                aw!(Person::query().filter(Person::ACTIVE.eq(false)).count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(update_by_filter_violating_unique_changes_nothing, |db| {
            seed_people!(db);
            match aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .set(Person::EMAIL, "same@example.com")
                .update(&db))
            {
                Err(ambidex::Error::UniqueViolation { constraint, .. }) => {
                    assert!(constraint.contains("email"), "{constraint}");
                }
                other => panic!("expected UniqueViolation, got {other:?}"),
            }
            let emails: Vec<String> = aw!(Person::query().order_by(Person::ID.asc()).all(&db))?
                .into_iter()
                .map(|p| p.email)
                .collect();
            assert_eq!(
                emails,
                [
                    "ada@example.com",
                    "bob@example.com",
                    "cy@example.com",
                    "dee@example.com",
                    "eve@example.com"
                ]
            );
            Ok(())
        });

        scenario!(delete_by_filter_returns_count, |db| {
            seed_people!(db);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.eq(17)).delete(&db))?,
                2
            );
            assert_eq!(all_names!(db), ["Ada", "Cy", "Dee"]);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.eq(17)).delete(&db))?,
                0
            );
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.is_null()).delete(&db))?,
                1
            );
            assert_eq!(all_names!(db), ["Ada", "Dee"]);
            Ok(())
        });

        scenario!(delete_without_filter_empties_the_table, |db| {
            seed_people!(db);
            assert_eq!(aw!(Person::query().delete(&db))?, 5);
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            assert_eq!(aw!(Person::query().delete(&db))?, 0);
            Ok(())
        });

        scenario!(delete_by_filter_refuses_order_limit_offset, |db| {
            seed_people!(db);
            expect_err!(
                aw!(Person::query().order_by(Person::ID.asc()).delete(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(Person::query().limit(1).delete(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(Person::query().offset(1).delete(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(create_table_twice_is_fine, |db| {
            seed_people!(db);
            aw!(Person::create_table(&db))?;
            // The existing table and its rows are untouched, constraints included.
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            expect_err!(
                aw!(person("Ada", None).insert(&db)),
                ambidex::Error::UniqueViolation { .. }
            );
            Ok(())
        });

        scenario!(drop_table_then_create_again, |db| {
            seed_people!(db);
            aw!(Person::drop_table(&db))?;
            match aw!(Person::query().count(&db)) {
                Err(ambidex::Error::Database { message, .. }) => {
                    assert!(message.contains("person"), "{message}");
                }
                other => panic!("expected Database, got {other:?}"),
            }
            expect_err!(
                aw!(person("Zed", None).insert(&db)),
                ambidex::Error::Database { .. }
            );
            // Dropping a missing table is fine too.
            aw!(Person::drop_table(&db))?;
            aw!(Person::create_table(&db))?;
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            assert_eq!(aw!(person("Zed", None).insert(&db))?.id, 1);
            assert_eq!(all_names!(db), ["Zed"]);
            Ok(())
        });
    };
}
