//! Errors: constraint violations, undecodable rows, queries that cannot run, the raw
//! escape hatch, and what errors say when printed.

macro_rules! errors_scenarios {
    () => {
        scenario!(unique_violation_names_the_column, |db| {
            seed_people!(db);
            let dup = person("Ada", Some(1));
            let err = aw!(dup.insert(&db)).expect_err("a second ada@example.com");
            assert!(!err.is_retryable());
            match err {
                ambidex::Error::UniqueViolation {
                    constraint,
                    message,
                } => {
                    assert!(constraint.contains("email"), "constraint {constraint:?}");
                    assert!(!message.is_empty());
                }
                other => panic!("expected UniqueViolation, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(aw!(Person::get(1, &db))?.age, Some(36));
            Ok(())
        });

        scenario!(unique_violation_on_instance_update, |db| {
            seed_people!(db);
            let mut bob = aw!(Person::get(2, &db))?;
            bob.email = "ada@example.com".into();
            bob.age = Some(99);
            match aw!(bob.update(&db)) {
                Err(ambidex::Error::UniqueViolation { constraint, .. }) => {
                    assert!(constraint.contains("email"), "constraint {constraint:?}");
                }
                other => panic!("expected UniqueViolation, got {other:?}"),
            }
            let stored = aw!(Person::get(2, &db))?;
            assert_eq!(
                (stored.email.as_str(), stored.age),
                ("bob@example.com", Some(17))
            );
            Ok(())
        });

        scenario!(not_null_violation_via_raw_sql, |db| {
            aw!(Person::create_table(&db))?;
            let insert = || {
                ambidex::raw(concat!(
                    "INSERT INTO person (name, email, age, score, active, nickname) ",
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ))
            };
            let result = aw!(insert()
                .bind(None::<String>)
                .bind("nobody@example.com")
                .bind(None::<i32>)
                .bind(0.0)
                .bind(true)
                .bind(None::<String>)
                .execute(&db));
            match result {
                Err(ambidex::Error::NotNullViolation { column, .. }) => {
                    assert!(column.contains("name"), "column {column:?}");
                }
                other => panic!("expected NotNullViolation, got {other:?}"),
            }
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            // The same statement with a name goes in: the NULL was the only problem.
            let n = aw!(insert()
                .bind(Some("Nob".to_string()))
                .bind("nobody@example.com")
                .bind(None::<i32>)
                .bind(0.0)
                .bind(true)
                .bind(None::<String>)
                .execute(&db))?;
            assert_eq!(n, 1);
            assert_eq!(all_names!(db), ["Nob"]);
            Ok(())
        });

        scenario!(decode_null_into_non_option_field, |db| {
            aw!(Wide::create_table(&db))?;
            aw!(Wide {
                id: 1,
                value: None,
                real: None
            }
            .insert(&db))?;
            match aw!(Narrow::get(1, &db)) {
                Err(ambidex::Error::Decode {
                    model,
                    field,
                    column,
                    expected,
                    found,
                }) => {
                    assert_eq!(
                        (model, field, column, expected),
                        ("Narrow", "value", "value", "i32")
                    );
                    assert!(found.contains("NULL"), "found {found:?}");
                }
                other => panic!("expected Decode, got {other:?}"),
            }
            expect_err!(
                aw!(Narrow::query().all(&db)),
                ambidex::Error::Decode {
                    model: "Narrow",
                    field: "value",
                    ..
                }
            );
            // The row itself is fine: the model that allows NULL reads it.
            assert_eq!(
                aw!(Wide::get(1, &db))?,
                Wide {
                    id: 1,
                    value: None,
                    real: None
                }
            );
            Ok(())
        });

        scenario!(decode_integer_out_of_range, |db| {
            aw!(Wide::create_table(&db))?;
            aw!(Wide {
                id: 1,
                value: Some(1 << 40),
                real: None
            }
            .insert(&db))?;
            aw!(Wide {
                id: 2,
                value: Some(i32::MAX as i64),
                real: None
            }
            .insert(&db))?;
            match aw!(Narrow::get(1, &db)) {
                Err(ambidex::Error::Decode {
                    model,
                    field,
                    found,
                    ..
                }) => {
                    assert_eq!((model, field), ("Narrow", "value"));
                    assert!(found.contains("out of range"), "found {found:?}");
                    assert!(found.contains("1099511627776"), "found {found:?}");
                }
                other => panic!("expected Decode, got {other:?}"),
            }
            // At the edge of the range it decodes.
            assert_eq!(aw!(Narrow::get(2, &db))?.value, i32::MAX);
            expect_err!(
                aw!(Narrow::query().order_by(Narrow::ID.asc()).all(&db)),
                ambidex::Error::Decode {
                    model: "Narrow",
                    field: "value",
                    ..
                }
            );
            Ok(())
        });

        scenario!(decode_float_where_integer_expected, |db| {
            aw!(Wide::create_table(&db))?;
            aw!(Wide {
                id: 1,
                value: Some(2),
                real: Some(2.5)
            }
            .insert(&db))?;
            assert_eq!(aw!(Narrow::get(1, &db))?.value, 2);
            // The float column read in the integer's place. (Storing 2.5 in `value` with an
            // UPDATE only works on SQLite: PostgreSQL and MariaDB round it to 3.)
            let sql =
                "SELECT id, shared_values.real AS value, shared_values.real FROM shared_values";
            match aw!(ambidex::raw(sql).fetch_all::<Narrow, _>(&db)) {
                Err(ambidex::Error::Decode {
                    model,
                    field,
                    expected,
                    found,
                    ..
                }) => {
                    assert_eq!((model, field, expected), ("Narrow", "value", "i32"));
                    assert!(found.contains("2.5"), "found {found:?}");
                }
                other => panic!("expected Decode, got {other:?}"),
            }
            // Nor does the wider integer field take it, while the stored row stays readable.
            assert_eq!(aw!(Wide::get(1, &db))?.value, Some(2));
            expect_err!(
                aw!(ambidex::raw(sql).fetch_all::<Wide, _>(&db)),
                ambidex::Error::Decode {
                    model: "Wide",
                    field: "value",
                    ..
                }
            );
            Ok(())
        });

        scenario!(raw_with_wrong_number_of_binds_is_invalid_query, |db| {
            seed_people!(db);
            let sql = "UPDATE person SET nickname = ? WHERE name = ?";
            expect_err!(
                aw!(ambidex::raw(sql).bind("x").execute(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(ambidex::raw(sql)
                    .bind("x")
                    .bind("Ada")
                    .bind("y")
                    .execute(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(ambidex::raw(select_people(""))
                    .bind(1)
                    .fetch_all::<Person, _>(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            // Nothing ran.
            assert_eq!(
                aw!(Person::query()
                    .filter(Person::NICKNAME.is_not_null())
                    .count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(
            is_in_beyond_bind_limit_is_invalid_query_but_on_postgres,
            |db| {
                // PostgreSQL binds the list as one array, so its length is no bind limit's
                // business there; the others bind each value and refuse the statement.
                seed_people!(db);
                let many = || Person::AGE.is_in(0..70_000);
                if db.dialect() == ambidex::Dialect::Postgres {
                    let rows = aw!(Person::query()
                        .filter(many())
                        .order_by(Person::ID.asc())
                        .all(&db))?;
                    assert_eq!(names!(rows), ["Ada", "Bob", "Dee", "eve"]);
                    assert_eq!(
                        aw!(Person::query()
                            .filter(Person::AGE.not_in(0..70_000))
                            .count(&db))?,
                        1
                    );
                    let ids: Vec<i64> = (1..=70_000).collect();
                    assert_eq!(
                        aw!(Person::query().filter(Person::ID.is_in(ids)).count(&db))?,
                        5
                    );
                    let texts: Vec<String> = (0..70_000)
                        .map(|i| format!("n{i}"))
                        .chain(["Cy".to_string()])
                        .collect();
                    assert_eq!(
                        names!(aw!(Person::query()
                            .filter(Person::NAME.is_in(texts))
                            .all(&db))?),
                        ["Cy"]
                    );
                    aw!(Person::query()
                        .filter(many())
                        .set(Person::ACTIVE, false)
                        .update(&db))?;
                    assert_eq!(
                        aw!(Person::query().filter(Person::ACTIVE.eq(true)).count(&db))?,
                        1
                    );
                    aw!(Person::query().filter(many()).delete(&db))?;
                    assert_eq!(all_names!(db), ["Cy"]);
                    return Ok(());
                }
                expect_err!(
                    aw!(Person::query().filter(many()).all(&db)),
                    ambidex::Error::InvalidQuery(_)
                );
                expect_err!(
                    aw!(Person::query()
                        .filter(Person::AGE.not_in(0..70_000))
                        .count(&db)),
                    ambidex::Error::InvalidQuery(_)
                );
                expect_err!(
                    aw!(Person::query()
                        .filter(many())
                        .set(Person::ACTIVE, false)
                        .update(&db)),
                    ambidex::Error::InvalidQuery(_)
                );
                expect_err!(
                    aw!(Person::query().filter(many()).delete(&db)),
                    ambidex::Error::InvalidQuery(_)
                );
                assert_eq!(
                    aw!(Person::query().filter(Person::ACTIVE.eq(true)).count(&db))?,
                    5
                );
                // A long list under the limit works.
                let rows = aw!(Person::query()
                    .filter(Person::AGE.is_in(17..10_017))
                    .order_by(Person::ID.asc())
                    .all(&db))?;
                assert_eq!(names!(rows), ["Ada", "Bob", "Dee", "eve"]);
                Ok(())
            }
        );

        scenario!(raw_fetch_all_decodes_models, |db| {
            seed_people!(db);
            let rows = aw!(
                ambidex::raw(select_people("WHERE age = ? ORDER BY id DESC"))
                    .bind(17)
                    .fetch_all::<Person, _>(&db)
            )?;
            assert_eq!(names!(rows), ["eve", "Bob"]);
            assert_eq!(
                rows[1],
                Person {
                    id: 2,
                    ..person("Bob", Some(17))
                }
            );
            let none = aw!(ambidex::raw(select_people("WHERE age > ?"))
                .bind(1000)
                .fetch_all::<Person, _>(&db))?;
            assert!(none.is_empty());
            Ok(())
        });

        scenario!(raw_fetch_with_missing_columns_is_decode_error, |db| {
            seed_people!(db);
            expect_err!(
                aw!(ambidex::raw("SELECT id, name FROM person").fetch_all::<Person, _>(&db)),
                ambidex::Error::Decode {
                    model: "Person",
                    ..
                }
            );
            Ok(())
        });

        scenario!(raw_execute_returns_affected_rows, |db| {
            seed_people!(db);
            let n = aw!(ambidex::raw("UPDATE person SET nickname = ? WHERE age = ?")
                .bind("teen")
                .bind(17)
                .execute(&db))?;
            assert_eq!(n, 2);
            let teens = aw!(Person::query()
                .filter(Person::NICKNAME.eq("teen"))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(teens), ["Bob", "eve"]);
            assert_eq!(
                aw!(ambidex::raw("DELETE FROM person WHERE age IS NULL").execute(&db))?,
                1
            );
            assert_eq!(
                aw!(ambidex::raw("UPDATE person SET score = 1 WHERE age > ?")
                    .bind(1000)
                    .execute(&db))?,
                0
            );
            assert_eq!(all_names!(db), ["Ada", "Bob", "Dee", "eve"]);
            Ok(())
        });

        scenario!(raw_binds_hostile_values_as_values, |db| {
            seed_people!(db);
            let evil = "x'); DROP TABLE person; --";
            let n = aw!(
                ambidex::raw("UPDATE person SET nickname = ? WHERE name = ?")
                    .bind(evil)
                    .bind("Ada")
                    .execute(&db)
            )?;
            assert_eq!(n, 1);
            assert_eq!(aw!(Person::get(1, &db))?.nickname.as_deref(), Some(evil));
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            // A classic injection matches nothing when bound.
            let rows = aw!(ambidex::raw(select_people("WHERE name = ?"))
                .bind("Ada' OR '1'='1")
                .fetch_all::<Person, _>(&db))?;
            assert!(rows.is_empty(), "{rows:?}");
            let rows = aw!(ambidex::raw(select_people("WHERE nickname = ?"))
                .bind(evil)
                .fetch_all::<Person, _>(&db))?;
            assert_eq!(names!(rows), ["Ada"]);
            Ok(())
        });

        scenario!(raw_question_mark_inside_quotes_is_literal, |db| {
            seed_people!(db);
            aw!(person("?", None).insert(&db))?;
            let rows = aw!(ambidex::raw(select_people(
                "WHERE name = '?' OR name = ? ORDER BY id"
            ))
            .bind("Bob")
            .fetch_all::<Person, _>(&db))?;
            assert_eq!(names!(rows), ["Bob", "?"]);
            Ok(())
        });

        scenario!(raw_sql_error_is_database_error, |db| {
            seed_people!(db);
            expect_err!(
                aw!(ambidex::raw("SELEKT 1").execute(&db)),
                ambidex::Error::Database { .. }
            );
            match aw!(ambidex::raw("UPDATE no_such_table SET x = ?")
                .bind(1)
                .execute(&db))
            {
                Err(ambidex::Error::Database { message, .. }) => {
                    assert!(message.contains("no_such_table"), "{message}");
                }
                other => panic!("expected Database, got {other:?}"),
            }
            // The handle still works.
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(error_messages_say_what_failed, |db| {
            seed_people!(db);
            let not_found = aw!(Person::get(99, &db))
                .expect_err("no person 99")
                .to_string();
            assert!(
                not_found.contains("Person") && not_found.contains("person"),
                "{not_found}"
            );
            let multiple = aw!(Person::query().filter(Person::AGE.eq(17)).one(&db))
                .expect_err("two people are 17")
                .to_string();
            assert!(multiple.contains("Person"), "{multiple}");
            let unique = aw!(person("Bob", None).insert(&db))
                .expect_err("a second Bob")
                .to_string();
            assert!(unique.contains("email"), "{unique}");
            let binds = aw!(ambidex::raw("SELECT ?, ?").bind(1).execute(&db))
                .expect_err("one bind for two")
                .to_string();
            assert!(binds.contains('2') && binds.contains('1'), "{binds}");
            aw!(Wide::create_table(&db))?;
            aw!(Wide {
                id: 7,
                value: None,
                real: None
            }
            .insert(&db))?;
            let decode = aw!(Narrow::get(7, &db))
                .expect_err("NULL for an i32")
                .to_string();
            for part in ["Narrow", "value", "i32", "NULL"] {
                assert!(decode.contains(part), "{part:?} missing from {decode}");
            }
            let update = aw!(Person::query()
                .limit(1)
                .set(Person::ACTIVE, false)
                .update(&db))
            .expect_err("limit")
            .to_string();
            assert!(update.contains("limit"), "{update}");
            Ok(())
        });

        scenario!(foreign_key_violation_names_the_constraint, |db| {
            aw!(ambidex::raw("CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)").execute(&db))?;
            aw!(ambidex::raw(
                "CREATE TABLE fk_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, \
                 CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES fk_parent (id))"
            )
            .execute(&db))?;
            aw!(ambidex::raw("INSERT INTO fk_parent (id) VALUES (?)")
                .bind(1)
                .execute(&db))?;
            aw!(
                ambidex::raw("INSERT INTO fk_child (id, parent_id) VALUES (?, ?)")
                    .bind(1)
                    .bind(1)
                    .execute(&db)
            )?;
            let orphan = aw!(
                ambidex::raw("INSERT INTO fk_child (id, parent_id) VALUES (?, ?)")
                    .bind(2)
                    .bind(2)
                    .execute(&db)
            );
            match orphan {
                Err(ambidex::Error::ForeignKeyViolation { constraint, .. }) => {
                    // SQLite names no constraint; the servers do.
                    if db.dialect() != ambidex::Dialect::Sqlite {
                        assert!(constraint.contains("fk_child_parent"), "{constraint}");
                    }
                }
                other => panic!("expected ForeignKeyViolation, got {other:?}"),
            }
            expect_err!(
                aw!(ambidex::raw("DELETE FROM fk_parent WHERE id = ?")
                    .bind(1)
                    .execute(&db)),
                ambidex::Error::ForeignKeyViolation { .. }
            );
            Ok(())
        });

        scenario!(check_violation_names_the_constraint, |db| {
            aw!(ambidex::raw(
                "CREATE TABLE stock (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, \
                 CONSTRAINT stock_qty_positive CHECK (qty > 0))"
            )
            .execute(&db))?;
            aw!(ambidex::raw("INSERT INTO stock (id, qty) VALUES (?, ?)")
                .bind(1)
                .bind(5)
                .execute(&db))?;
            match aw!(ambidex::raw("INSERT INTO stock (id, qty) VALUES (?, ?)")
                .bind(2)
                .bind(0)
                .execute(&db))
            {
                Err(ambidex::Error::CheckViolation { constraint, .. }) => {
                    assert!(constraint.contains("stock_qty_positive"), "{constraint}");
                }
                other => panic!("expected CheckViolation, got {other:?}"),
            }
            Ok(())
        });
    };
}
