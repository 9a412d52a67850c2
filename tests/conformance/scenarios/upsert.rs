//! Upserts and insert-or-ignore: the same rows, results and errors on every backend,
//! whether the backend has `ON CONFLICT` or ambidex falls back to INSERT then UPDATE.

macro_rules! upsert_scenarios {
    () => {
        scenario!(upsert_by_key_inserts_then_updates, |db| {
            aw!(Order::create_table(&db))?;
            let first = Order {
                id: 7,
                group: "a".into(),
                selected: 1,
            };
            assert_eq!(aw!(first.upsert(&db))?, first);
            let changed = Order {
                id: 7,
                group: "b".into(),
                selected: 2,
            };
            assert_eq!(aw!(changed.upsert(&db))?, changed);
            assert_eq!(aw!(Order::query().count(&db))?, 1);
            assert_eq!(aw!(Order::get(7, &db))?, changed);
            // The same values again: still one row, returned unchanged.
            assert_eq!(aw!(changed.upsert(&db))?, changed);
            assert_eq!(aw!(Order::query().count(&db))?, 1);
            Ok(())
        });

        scenario!(upsert_on_unique_column_keeps_the_key, |db| {
            seed_people!(db);
            let ada = aw!(Person::query().filter(Person::NAME.eq("Ada")).one(&db))?;
            let mut renamed = person("Ada Lovelace", Some(37));
            renamed.email = ada.email.clone();
            let stored = aw!(renamed.upsert_on(Person::EMAIL, &db))?;
            assert_eq!(
                stored.id, ada.id,
                "the existing row is updated, its key kept"
            );
            assert_eq!(stored.name, "Ada Lovelace");
            assert_eq!(stored.age, Some(37));
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            // A new email inserts, with a generated key.
            let new = aw!(person("Fay", None).upsert_on(Person::EMAIL, &db))?;
            assert!(new.id > 0 && new.id != ada.id);
            assert_eq!(aw!(Person::query().count(&db))?, 6);
            assert_eq!(aw!(Person::get(new.id, &db))?, new);
            Ok(())
        });

        scenario!(upsert_on_refuses_a_column_that_is_not_unique, |db| {
            seed_people!(db);
            let err = aw!(person("Ada", Some(1)).upsert_on(Person::NAME, &db)).unwrap_err();
            assert!(matches!(err, Error::InvalidQuery(_)), "{err:?}");
            assert!(err.to_string().contains("Person.name"), "{err}");
            assert_eq!(aw!(Person::query().count(&db))?, 5, "nothing was written");
            Ok(())
        });

        scenario!(
            upsert_with_a_conflict_on_another_unique_column_is_a_violation,
            |db| {
                seed_people!(db);
                let bob = aw!(Person::query().filter(Person::NAME.eq("Bob")).one(&db))?;
                // Upsert by key 9999 (no such row), but with Bob's email: the email's unique
                // constraint conflicts, which an upsert by key must not paper over.
                let mut clash = person("Clash", None);
                clash.id = 9999;
                clash.email = bob.email.clone();
                let result = aw!(clash.upsert(&db));
                expect_err!(result, Error::UniqueViolation { .. });
                assert_eq!(aw!(Person::get(bob.id, &db))?, bob, "Bob is untouched");
                assert!(aw!(Person::find(9999).first(&db))?.is_none());
                Ok(())
            }
        );

        scenario!(upsert_keeps_not_null_and_range_errors, |db| {
            aw!(AllTypes::create_table(&db))?;
            let row = AllTypes {
                f64_: f64::NAN,
                ..Default::default()
            };
            // NaN is refused where a backend would change it, and accepted by PostgreSQL;
            // either way the upsert agrees with a plain insert.
            let plain = aw!(row.insert(&db)).map(|r| r.f64_.is_nan());
            let mut again = row.clone();
            again.id = 77;
            let upserted = aw!(again.upsert(&db)).map(|r| r.f64_.is_nan());
            assert_eq!(plain.is_ok(), upserted.is_ok(), "{plain:?} vs {upserted:?}");
            Ok(())
        });

        scenario!(insert_or_ignore_inserts_once, |db| {
            seed_people!(db);
            let fresh = aw!(person("Gus", Some(3)).insert_or_ignore(&db))?;
            let fresh = fresh.expect("a new email is inserted");
            assert_eq!(aw!(Person::get(fresh.id, &db))?, fresh);
            // Same email again: ignored, the stored row untouched.
            let mut dup = person("Gus the second", Some(4));
            dup.email = fresh.email.clone();
            assert_eq!(aw!(dup.insert_or_ignore(&db))?, None);
            assert_eq!(aw!(Person::get(fresh.id, &db))?, fresh);
            assert_eq!(aw!(Person::query().count(&db))?, 6);
            Ok(())
        });

        scenario!(insert_or_ignore_by_key_and_inside_a_transaction, |db| {
            aw!(Order::create_table(&db))?;
            let o = Order {
                id: 1,
                group: "g".into(),
                selected: 0,
            };
            let kept = in_tx!(db, |tx| {
                let first = aw!(o.insert_or_ignore(&mut *tx))?;
                let second = aw!(o.insert_or_ignore(&mut *tx))?;
                // The transaction is still usable after the ignored conflict.
                let n = aw!(Order::query().count(&mut *tx))?;
                Ok((first.is_some(), second.is_none(), n))
            })?;
            assert_eq!(kept, (true, true, 1));
            Ok(())
        });

        scenario!(
            upsert_many_inserts_updates_and_keeps_the_order_given,
            |db| {
                aw!(Order::create_table(&db))?;
                let order = |id: i64, group: &str, selected: i32| Order {
                    id,
                    group: group.into(),
                    selected,
                };
                aw!(Order::insert_many(
                    &[order(1, "a", 1), order(2, "b", 2)],
                    &db
                ))?;
                assert_eq!(aw!(Order::upsert_many(&[], &db))?, Vec::<Order>::new());
                // New and stored keys mixed, and key 1 twice: each row acts as a one-row
                // upsert in turn, so the later row of key 1 updates the earlier.
                let rows = [
                    order(3, "c", 3),
                    order(1, "a2", 10),
                    order(4, "d", 4),
                    order(1, "a3", 11),
                    order(2, "b", 2),
                ];
                assert_eq!(aw!(Order::upsert_many(&rows, &db))?, rows.to_vec());
                let stored = aw!(Order::query().order_by(Order::ID.asc()).all(&db))?;
                assert_eq!(
                    stored,
                    [
                        order(1, "a3", 11),
                        order(2, "b", 2),
                        order(3, "c", 3),
                        order(4, "d", 4)
                    ]
                );
                // More rows than one statement takes (1,000 rows per batch): 1,000 stored
                // rows updated and 1,500 new ones inserted, returned in the order given.
                let old: Vec<Order> = (100..1100).map(|id| order(id, "old", 0)).collect();
                aw!(Order::insert_many(&old, &db))?;
                let many: Vec<Order> = (100..2600)
                    .rev()
                    .map(|id| order(id, &format!("g{id}"), (id % 7) as i32))
                    .collect();
                let back = aw!(Order::upsert_many(&many, &db))?;
                assert_eq!(back, many);
                assert_eq!(aw!(Order::query().count(&db))?, 4 + 2500);
                assert_eq!(aw!(Order::get(100, &db))?, order(100, "g100", 2));
                assert_eq!(aw!(Order::get(2599, &db))?, order(2599, "g2599", 2));
                let old_left = Order::query().filter(Order::GROUP.eq("old"));
                assert_eq!(aw!(old_left.count(&db))?, 0);
                Ok(())
            }
        );

        scenario!(upsert_many_is_all_or_nothing, |db| {
            seed_people!(db);
            let bob = aw!(Person::query().filter(Person::NAME.eq("Bob")).one(&db))?;
            let mut fine = person("Fine", None);
            fine.id = 9000;
            // Key 9001 is new, but Bob's email conflicts on another unique column: a
            // violation, as for the one-row upsert, and the whole call is undone.
            let mut clash = person("Clash", None);
            clash.id = 9001;
            clash.email = bob.email.clone();
            let result = aw!(Person::upsert_many(&[fine, clash], &db));
            expect_err!(result, Error::UniqueViolation { .. });
            assert!(
                aw!(Person::find(9000).first(&db))?.is_none(),
                "nothing was written"
            );
            assert_eq!(aw!(Person::get(bob.id, &db))?, bob);
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(insert_or_ignore_many_leaves_out_the_conflicts, |db| {
            seed_people!(db);
            let ada = aw!(Person::query().filter(Person::NAME.eq("Ada")).one(&db))?;
            assert_eq!(
                aw!(Person::insert_or_ignore_many(&[], &db))?,
                Vec::<Person>::new()
            );
            let mut ada_again = person("Ada again", Some(1));
            ada_again.email = ada.email.clone();
            let mut gus_again = person("Gus again", Some(2));
            gus_again.email = "gus@example.com".into();
            let rows = [
                person("Gus", Some(3)),
                ada_again,
                person("Hal", None),
                gus_again,
            ];
            let inserted = aw!(Person::insert_or_ignore_many(&rows, &db))?;
            // Gus and Hal, in the order given, with their generated keys; Ada's email is
            // taken, and the second Gus conflicts with the first of this call.
            assert_eq!(names!(inserted), ["Gus", "Hal"]);
            assert!(inserted[0].id > 0 && inserted[1].id > inserted[0].id);
            for row in &inserted {
                assert_eq!(&aw!(Person::get(row.id, &db))?, row);
            }
            assert_eq!(aw!(Person::get(ada.id, &db))?, ada, "Ada is untouched");
            assert_eq!(aw!(Person::query().count(&db))?, 7);

            // Keys of the rows' own: key 2 is stored, key 1 comes twice (its first row
            // goes in), key 3 is new.
            aw!(Order::create_table(&db))?;
            let order = |id: i64, group: &str| Order {
                id,
                group: group.into(),
                selected: 0,
            };
            aw!(order(2, "stored").insert(&db))?;
            let rows = [
                order(1, "first"),
                order(2, "x"),
                order(1, "second"),
                order(3, "y"),
            ];
            let inserted = aw!(Order::insert_or_ignore_many(&rows, &db))?;
            assert_eq!(inserted, [order(1, "first"), order(3, "y")]);
            let stored = aw!(Order::query().order_by(Order::ID.asc()).all(&db))?;
            assert_eq!(
                stored,
                [order(1, "first"), order(2, "stored"), order(3, "y")]
            );
            Ok(())
        });

        scenario!(upsert_inside_a_transaction_rolls_back_with_it, |db| {
            seed_people!(db);
            let ada = aw!(Person::query().filter(Person::NAME.eq("Ada")).one(&db))?;
            let mut changed = ada.clone();
            changed.name = "Changed".into();
            let outcome: ambidex::Result<()> = in_tx!(db, |tx| {
                aw!(changed.upsert_on(Person::EMAIL, &mut *tx))?;
                // The conflict fallback (MariaDB) must not have broken the transaction.
                assert_eq!(
                    aw!(Person::get(changed.id, &mut *tx))?.name,
                    "Changed".to_string()
                );
                Err(Error::InvalidQuery("roll it back".into()))
            });
            assert!(outcome.is_err());
            assert_eq!(aw!(Person::get(ada.id, &db))?, ada);
            Ok(())
        });
    };
}
