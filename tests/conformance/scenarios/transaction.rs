//! Transactions: the closure form and explicit `Tx`, commit, rollback (asked for, by error,
//! by panic, by drop), isolation from other connections, and nested savepoints.
//!
//! Where `?` is applied to `in_tx!` or `nested_tx!`, the value's type is written out
//! (`let n: u64 = in_tx!(..)?`): the async macros coerce the boxed future with an `as` cast,
//! which rustc checks only after never-type fallback, so a type that only the cast could
//! tell would become `!` and fail to compile in the async cells.

macro_rules! transaction_scenarios {
    () => {
        scenario!(closure_commits_on_ok, |db| {
            aw!(Person::create_table(&db))?;
            let id: i64 = in_tx!(db, |tx| {
                let ada = aw!(person("Ada", Some(36)).insert(&mut *tx))?;
                aw!(person("Bob", None).insert(&mut *tx))?;
                Ok(ada.id)
            })?;
            assert_eq!(id, 1);
            assert_eq!(aw!(Person::get(id, &db))?.name, "Ada");
            assert_eq!(all_names!(db), ["Ada", "Bob"]);
            Ok(())
        });

        scenario!(closure_rolls_back_on_err, |db| {
            aw!(Person::create_table(&db))?;
            let result = in_tx!(db, |tx| {
                aw!(person("Ada", None).insert(&mut *tx))?;
                assert_eq!(aw!(Person::query().count(&mut *tx))?, 1);
                Err::<(), _>(ambidex::Error::InvalidQuery("stop".into()))
            });
            match result {
                Err(ambidex::Error::InvalidQuery(message)) => {
                    assert_eq!(message, "stop");
                }
                other => panic!("expected InvalidQuery, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            Ok(())
        });

        scenario!(closure_rolls_back_when_a_statement_fails, |db| {
            aw!(Person::create_table(&db))?;
            let result = in_tx!(db, |tx| {
                aw!(person("Ada", None).insert(&mut *tx))?;
                aw!(person("Bob", None).insert(&mut *tx))?;
                // Same email as Ada: the `?` ends the closure with the database's error.
                aw!(person("ADA", None).insert(&mut *tx))?;
                Ok(())
            });
            match result {
                Err(ambidex::Error::UniqueViolation { constraint, .. }) => {
                    assert!(constraint.contains("email"), "{constraint}");
                }
                other => panic!("expected UniqueViolation, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            Ok(())
        });

        scenario!(closure_rolls_back_on_panic, |db| {
            aw!(Person::create_table(&db))?;
            let handle = &db;
            let panicked = panics!({
                in_tx!(handle, |tx| {
                    aw!(person("Ada", None).insert(&mut *tx))?;
                    if aw!(Person::query().count(&mut *tx))? == 1 {
                        panic!("boom");
                    }
                    Ok(())
                })
            });
            assert!(panicked, "the closure's panic reaches the caller");
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            // The database still works, transactions included.
            aw!(person("Bob", None).insert(&db))?;
            let cy: Person = in_tx!(db, |tx| { aw!(person("Cy", None).insert(&mut *tx)) })?;
            assert_eq!(cy.name, "Cy");
            assert_eq!(all_names!(db), ["Bob", "Cy"]);
            Ok(())
        });

        scenario!(explicit_commit, |db| {
            aw!(Person::create_table(&db))?;
            let mut tx = aw!(db.begin())?;
            let ada = aw!(person("Ada", Some(36)).insert(&mut tx))?;
            aw!(Person::query()
                .filter(Person::ID.eq(ada.id))
                .set(Person::AGE, Some(37))
                .update(&mut tx))?;
            assert_eq!(aw!(Person::get(ada.id, &mut tx))?.age, Some(37));
            aw!(tx.commit())?;
            assert_eq!(aw!(Person::get(ada.id, &db))?.age, Some(37));
            assert_eq!(aw!(Person::query().count(&db))?, 1);
            Ok(())
        });

        scenario!(explicit_rollback, |db| {
            seed_people!(db);
            let mut tx = aw!(db.begin())?;
            aw!(person("Zed", None).insert(&mut tx))?;
            assert_eq!(aw!(Person::query().count(&mut tx))?, 6);
            aw!(tx.rollback())?;
            assert_eq!(all_names!(db), ["Ada", "Bob", "Cy", "Dee", "eve"]);
            Ok(())
        });

        scenario!(rollback_undoes_updates_and_deletes, |db| {
            seed_people!(db);
            let before = aw!(Person::query().order_by(Person::ID.asc()).all(&db))?;
            let mut tx = aw!(db.begin())?;
            let mut ada = aw!(Person::get(1, &mut tx))?;
            ada.name = "Changed".into();
            aw!(ada.update(&mut tx))?;
            aw!(aw!(Person::get(2, &mut tx))?.delete(&mut tx))?;
            assert_eq!(
                aw!(Person::query()
                    .filter(Person::AGE.is_null())
                    .delete(&mut tx))?,
                1
            );
            assert_eq!(
                aw!(Person::query().set(Person::ACTIVE, false).update(&mut tx))?,
                3
            );
            assert_eq!(aw!(Person::query().count(&mut tx))?, 3);
            aw!(tx.rollback())?;
            assert_eq!(
                aw!(Person::query().order_by(Person::ID.asc()).all(&db))?,
                before
            );
            Ok(())
        });

        scenario!(dropped_tx_rolls_back, |db| {
            aw!(Person::create_table(&db))?;
            let mut tx = aw!(db.begin())?;
            aw!(person("Ada", None).insert(&mut tx))?;
            assert_eq!(aw!(Person::query().count(&mut tx))?, 1);
            drop(tx);
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            // The write lock went with it: another transaction can write at once.
            let mut tx = aw!(db.begin())?;
            aw!(person("Bob", None).insert(&mut tx))?;
            aw!(tx.commit())?;
            assert_eq!(all_names!(db), ["Bob"]);
            Ok(())
        });

        scenario!(
            uncommitted_writes_are_invisible_to_other_connections,
            |db| {
                aw!(Person::create_table(&db))?;
                let mut tx = aw!(db.begin())?;
                aw!(person("Ada", None).insert(&mut tx))?;
                assert_eq!(aw!(Person::query().count(&mut tx))?, 1);
                assert_eq!(aw!(Person::query().count(&db))?, 0);
                assert_eq!(
                    aw!(Person::query().filter(Person::NAME.eq("Ada")).first(&db))?,
                    None
                );
                aw!(tx.commit())?;
                assert_eq!(aw!(Person::query().count(&db))?, 1);
                Ok(())
            }
        );

        scenario!(nested_failure_rolls_back_only_inner_work, |db| {
            aw!(Person::create_table(&db))?;
            let inner: ambidex::Result<()> = in_tx!(db, |tx| {
                aw!(person("Outer", None).insert(&mut *tx))?;
                let inner = nested_tx!(tx, |inner| {
                    aw!(person("Inner", None).insert(&mut *inner))?;
                    assert_eq!(aw!(Person::query().count(&mut *inner))?, 2);
                    Err::<(), _>(ambidex::Error::InvalidQuery("inner".into()))
                });
                assert_eq!(aw!(Person::query().count(&mut *tx))?, 1);
                aw!(person("After", None).insert(&mut *tx))?;
                Ok(inner)
            })?;
            match inner {
                Err(ambidex::Error::InvalidQuery(message)) => {
                    assert_eq!(message, "inner");
                }
                other => panic!("expected InvalidQuery, got {other:?}"),
            }
            assert_eq!(all_names!(db), ["Outer", "After"]);
            Ok(())
        });

        scenario!(nested_statement_failure_leaves_outer_usable, |db| {
            aw!(Person::create_table(&db))?;
            let n: u64 = in_tx!(db, |tx| {
                aw!(person("Ada", None).insert(&mut *tx))?;
                let inner = nested_tx!(tx, |inner| {
                    aw!(person("Bob", None).insert(&mut *inner))?;
                    aw!(person("ADA", None).insert(&mut *inner))?;
                    Ok(())
                });
                expect_err!(inner, ambidex::Error::UniqueViolation { .. });
                aw!(person("Cy", None).insert(&mut *tx))?;
                aw!(Person::query().count(&mut *tx))
            })?;
            assert_eq!(n, 2);
            let rows = aw!(Person::query().order_by(Person::NAME.asc()).all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Cy"]);
            Ok(())
        });

        scenario!(nested_success_commits_with_outer, |db| {
            aw!(Person::create_table(&db))?;
            let n: u64 = in_tx!(db, |tx| {
                aw!(person("Outer", None).insert(&mut *tx))?;
                let n: u64 = nested_tx!(tx, |inner| {
                    aw!(person("Inner", None).insert(&mut *inner))?;
                    let deepest: i64 = nested_tx!(inner, |deepest| {
                        Ok(aw!(person("Deepest", None).insert(&mut *deepest))?.id)
                    })?;
                    assert_eq!(deepest, 3);
                    aw!(Person::query().count(&mut *inner))
                })?;
                Ok(n)
            })?;
            assert_eq!(n, 3);
            assert_eq!(all_names!(db), ["Outer", "Inner", "Deepest"]);
            Ok(())
        });

        scenario!(nested_work_is_undone_when_outer_fails, |db| {
            aw!(Person::create_table(&db))?;
            let result = in_tx!(db, |tx| {
                let inner: Person = nested_tx!(tx, |inner| {
                    aw!(person("Inner", None).insert(&mut *inner))
                })?;
                assert_eq!(inner.id, 1);
                assert_eq!(aw!(Person::query().count(&mut *tx))?, 1);
                Err::<(), _>(ambidex::Error::InvalidQuery("outer".into()))
            });
            expect_err!(result, ambidex::Error::InvalidQuery(_));
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            Ok(())
        });

        scenario!(many_dropped_transactions_leak_nothing, |db| {
            aw!(Person::create_table(&db))?;
            for i in 0..20 {
                let mut tx = aw!(db.begin())?;
                aw!(person(&format!("p{i}"), None).insert(&mut tx))?;
                drop(tx);
            }
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            // No connection is lost and none is left inside a transaction.
            aw!(Person::insert_many(&people(), &db))?;
            let mut tx = aw!(db.begin())?;
            aw!(person("Zed", None).insert(&mut tx))?;
            aw!(tx.commit())?;
            assert_eq!(all_names!(db), ["Ada", "Bob", "Cy", "Dee", "eve", "Zed"]);
            Ok(())
        });

        scenario!(insert_many_in_rolled_back_tx_leaves_nothing, |db| {
            aw!(Person::create_table(&db))?;
            let rows: Vec<Person> = (0..2_500)
                .map(|i| person(&format!("p{i}"), Some(i)))
                .collect();
            let mut tx = aw!(db.begin())?;
            assert_eq!(aw!(Person::insert_many(&rows, &mut tx))?, 2_500);
            assert_eq!(aw!(Person::query().count(&mut tx))?, 2_500);
            aw!(tx.rollback())?;
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            Ok(())
        });

        scenario!(failed_insert_many_inside_tx_keeps_earlier_work, |db| {
            aw!(Person::create_table(&db))?;
            let n: u64 = in_tx!(db, |tx| {
                aw!(person("Ada", None).insert(&mut *tx))?;
                let mut rows: Vec<Person> =
                    (0..1_500).map(|i| person(&format!("p{i}"), None)).collect();
                rows[1_200].email = "ada@example.com".into();
                expect_err!(
                    aw!(Person::insert_many(&rows, &mut *tx)),
                    ambidex::Error::UniqueViolation { .. }
                );
                // Only the failed batch was undone; the transaction goes on.
                assert_eq!(aw!(Person::query().count(&mut *tx))?, 1);
                aw!(person("Bob", None).insert(&mut *tx))?;
                aw!(Person::query().count(&mut *tx))
            })?;
            assert_eq!(n, 2);
            let rows = aw!(Person::query().order_by(Person::NAME.asc()).all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Bob"]);
            Ok(())
        });
    };
}
