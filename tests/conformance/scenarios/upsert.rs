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
