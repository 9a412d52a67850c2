//! Bad input, the same in every cell: text that is not UTF-8, a table that lost a column
//! the model reads (schema drift) or gained one it does not know, hostile Unicode in values
//! and filters, and hostile identifiers (quotes, spaces, keywords) in table and column
//! names. NULL in a non-`Option` field, integers out of range and floats where integers
//! are expected are in `errors.rs`; ASCII hostile strings and NUL in `types.rs`.

macro_rules! bad_input_scenarios {
    () => {
        scenario!(invalid_utf8_text_is_decode_error_or_refused, |db| {
            aw!(Label::create_table(&db))?;
            let dialect = db.dialect();
            // The bytes C3 28: a two-byte lead followed by '(' is not UTF-8.
            let sql = match dialect {
                ambidex::Dialect::Sqlite => {
                    "INSERT INTO labels (id, text) VALUES (1, CAST(X'C328' AS TEXT))"
                }
                ambidex::Dialect::Postgres => {
                    "INSERT INTO labels (id, text) VALUES (1, convert_from('\\xc328'::bytea, 'UTF8'))"
                }
                _ => "INSERT INTO labels (id, text) VALUES (1, X'C328')",
            };
            let written = aw!(ambidex::raw(sql).execute(&db));
            if dialect == ambidex::Dialect::Sqlite {
                // SQLite stores whatever bytes it is given: reading them is the error.
                assert_eq!(written?, 1);
                match aw!(Label::get(1, &db)) {
                    Err(ambidex::Error::Decode {
                        model,
                        field,
                        column,
                        found,
                        ..
                    }) => {
                        assert_eq!((model, field, column), ("Label", "text", "text"));
                        assert!(!found.is_empty(), "the error says what was found");
                    }
                    other => panic!("expected Error::Decode for Label.text, got {other:?}"),
                }
            } else {
                // A UTF-8 server refuses the bytes (strict mode on MariaDB): nothing stored.
                assert!(
                    matches!(written, Err(ambidex::Error::Database { .. })),
                    "expected the server to refuse invalid UTF-8, got {written:?}"
                );
                assert_eq!(aw!(Label::query().count(&db))?, 0);
            }
            Ok(())
        });

        scenario!(missing_column_is_an_error_naming_it, |db| {
            // `shared_values` without the `real` column that `Wide` reads (schema drift).
            aw!(ambidex::raw(
                "CREATE TABLE shared_values (id BIGINT PRIMARY KEY, value BIGINT)"
            )
            .execute(&db))?;
            aw!(ambidex::raw("INSERT INTO shared_values (id, value) VALUES (1, 7)").execute(&db))?;
            // Every statement of the model fails the same way, in every cell: reads, writes,
            // filters.
            let drifted = |what: &str, result: ambidex::Result<()>| match result {
                Err(ambidex::Error::SchemaDrift {
                    model: Some("Wide"),
                    field: Some("real"),
                    table: Some("shared_values"),
                    column,
                    found,
                }) => {
                    assert_eq!(column, "real", "{what}");
                    assert!(found.contains("real"), "{what}: says what was found: {found}");
                }
                other => panic!("{what}: expected Error::SchemaDrift for Wide.real, got {other:?}"),
            };
            drifted("all", aw!(Wide::query().all(&db)).map(drop));
            drifted("first", aw!(Wide::query().first(&db)).map(drop));
            drifted("get", aw!(Wide::get(1, &db)).map(drop));
            drifted(
                "filter",
                aw!(Wide::query().filter(Wide::REAL.eq(1.5)).count(&db)).map(drop),
            );
            let row = Wide {
                id: 2,
                value: None,
                real: Some(1.5),
            };
            drifted("insert", aw!(row.clone().insert(&db)).map(drop));
            drifted("update", aw!(row.update(&db)).map(drop));
            // Raw SQL has no model: the error names the column only.
            let q = match db.dialect() {
                ambidex::Dialect::Mysql => "SELECT `nope` FROM shared_values",
                // SQLite would read an unknown double-quoted name as the string 'nope' if
                // ambidex did not turn that off on its connections.
                _ => "SELECT \"nope\" FROM shared_values",
            };
            match aw!(ambidex::raw(q).fetch_rows::<i64, _>(&db)) {
                Err(ambidex::Error::SchemaDrift {
                    model: None,
                    column,
                    ..
                }) => assert_eq!(column, "nope"),
                other => panic!("expected Error::SchemaDrift for `nope`, got {other:?}"),
            }
            // Nothing was written by the failed insert.
            let n: u64 = aw!(ambidex::raw("DELETE FROM shared_values").execute(&db))?;
            assert_eq!(n, 1);
            Ok(())
        });

        scenario!(extra_columns_are_ignored, |db| {
            // The table has a column `Wide` does not know, with a default.
            aw!(Wide::create_table(&db))?;
            aw!(ambidex::raw(
                "ALTER TABLE shared_values ADD COLUMN note VARCHAR(20) DEFAULT 'extra'"
            )
            .execute(&db))?;
            let row = Wide {
                id: 1,
                value: Some(-3),
                real: Some(0.25),
            };
            assert_eq!(aw!(row.clone().insert(&db))?, row);
            assert_eq!(aw!(Wide::get(1, &db))?, row);
            assert_eq!(aw!(Wide::query().all(&db))?, vec![row.clone()]);
            // The extra column got its default, untouched by the model.
            let labels = aw!(ambidex::raw("SELECT id, note AS text FROM shared_values")
                .fetch_all::<Label, _>(&db))?;
            assert_eq!(
                labels,
                [Label {
                    id: 1,
                    text: "extra".into()
                }]
            );
            Ok(())
        });

        scenario!(hostile_unicode_round_trips_and_filters_exactly, |db| {
            aw!(AllTypes::create_table(&db))?;
            let mut ids = Vec::new();
            for s in hostile_unicode() {
                let back = round_trip!(
                    db,
                    AllTypes {
                        text: s.to_string(),
                        otext: Some(format!("{s}{s}")),
                        ..Default::default()
                    }
                );
                assert_eq!(back.text.as_bytes(), s.as_bytes());
                ids.push(back.id);
            }
            for (s, id) in hostile_unicode().into_iter().zip(&ids) {
                let found = aw!(AllTypes::query().filter(AllTypes::TEXT.eq(s)).all(&db))?;
                assert_eq!(
                    found.iter().map(|r| r.id).collect::<Vec<_>>(),
                    [*id],
                    "{s:?}"
                );
            }
            Ok(())
        });

        scenario!(hostile_identifiers_round_trip, |db| {
            aw!(Weird::create_table(&db))?;
            let rows: Vec<Weird> = hostile_strings()
                .into_iter()
                .enumerate()
                .map(|(i, s)| Weird {
                    id: i as i64 + 1,
                    quoted: s.to_string(),
                    apostrophe: (i % 2 == 0).then(|| format!("{s}'")),
                    spaced: i as i32 - 3,
                })
                .collect();
            for row in &rows {
                assert_eq!(&aw!(row.clone().insert(&db))?, row);
            }
            assert_eq!(
                aw!(Weird::query().order_by(Weird::ID.asc()).all(&db))?,
                rows
            );
            let third = &rows[2];
            assert_eq!(
                aw!(Weird::query()
                    .filter(Weird::QUOTED.eq(third.quoted.as_str()))
                    .filter(Weird::SPACED.lt(0))
                    .all(&db))?,
                vec![third.clone()]
            );
            let mut changed = third.clone();
            changed.apostrophe = None;
            changed.spaced = 99;
            aw!(changed.update(&db))?;
            assert_eq!(aw!(Weird::get(third.id, &db))?, changed);
            aw!(changed.delete(&db))?;
            assert_eq!(aw!(Weird::query().count(&db))?, rows.len() as u64 - 1);
            Ok(())
        });
    };
}
