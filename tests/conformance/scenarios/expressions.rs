//! Computed values (`ambidex::Computed`): comparisons between columns, arithmetic with
//! Rust's integer division and NULL for a division by zero, aggregates and grouping over
//! computed values, atomic updates (`set(col, col + 1)`), Unicode text functions,
//! `coalesce`/`nullif`/`abs` and `CASE`. Every expected value is written out here, from
//! the lines of `models::lines()`:
//!
//! | id | product | country | price | quantity | discount | weight | starts | ends |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | 1 | `Élan` | France | 250 | 4 | 50 | 1.5 | 9 | 17 |
//! | 2 | `  padded  ` | france | 1000 | 1 | NULL | 0.0 | 12 | 12 |
//! | 3 | `日本語` | Japan | -7 | 2 | -7 | -2.25 | 20 | 8 |
//! | 4 | `Ωmega` | Japan | 333 | 0 | 0 | 3.0 | -5 | 5 |
//! | 5 | `plain` | Chile | 10 | 3 | NULL | 7.0 | 0 | 1 |

/// Creates the lines table and inserts `models::lines()`.
macro_rules! seed_lines {
    ($db:ident) => {
        aw!(Line::create_table(&$db))?;
        aw!(Line::insert_many(&lines(), &$db))?;
    };
}

/// The ids of the lines a filter matches, in id order.
macro_rules! line_ids {
    ($db:ident, $filter:expr) => {
        aw!(Line::query()
            .filter($filter)
            .order_by(Line::ID.asc())
            .select(Line::ID)
            .all(&$db))?
    };
}

/// One computed value per line, in id order.
macro_rules! per_line {
    ($db:ident, $value:expr) => {
        aw!(Line::query()
            .order_by(Line::ID.asc())
            .select($value)
            .all(&$db))?
    };
}

macro_rules! expressions_scenarios {
    () => {
        scenario!(columns_compare_with_columns_and_computed_values, |db| {
            seed_lines!(db);
            assert_eq!(line_ids!(db, Line::ENDS.gt(Line::STARTS)), [1, 4, 5]);
            assert_eq!(line_ids!(db, Line::ENDS.eq(Line::STARTS)), [2]);
            assert_eq!(line_ids!(db, Line::ENDS.le(Line::STARTS)), [2, 3]);
            assert_eq!(line_ids!(db, Line::STARTS.ge(Line::ENDS)), [2, 3]);
            assert_eq!(line_ids!(db, Line::ENDS.gt(Line::STARTS + 5)), [1, 4]);
            // A NULL side: the comparison is false, and its complement true.
            assert_eq!(line_ids!(db, Line::DISCOUNT.eq(Line::PRICE)), [3]);
            assert_eq!(line_ids!(db, Line::DISCOUNT.ne(Line::PRICE)), [1, 2, 4, 5]);
            assert_eq!(line_ids!(db, Line::DISCOUNT.lt(Line::PRICE)), [1, 4]);
            assert_eq!(
                line_ids!(db, Line::DISCOUNT.lt(Line::PRICE).not()),
                [2, 3, 5]
            );
            assert_eq!(
                line_ids!(db, (Line::PRICE * Line::QUANTITY.cast::<i64>()).ge(1000)),
                [1, 2]
            );
            Ok(())
        });

        scenario!(arithmetic_is_typed_and_the_same_everywhere, |db| {
            seed_lines!(db);
            let totals: Vec<(i64, i64)> =
                per_line!(db, (Line::ID, Line::PRICE * Line::QUANTITY.cast::<i64>()));
            assert_eq!(totals, [(1, 1000), (2, 1000), (3, -14), (4, 0), (5, 30)]);
            let net: Vec<Option<i64>> = per_line!(db, Line::PRICE - Line::DISCOUNT);
            assert_eq!(net, [Some(200), None, Some(0), Some(333), None]);
            let negated: Vec<i64> = per_line!(db, -Line::PRICE);
            assert_eq!(negated, [-250, -1000, 7, -333, -10]);
            // The tree decides the order of operations, not the backend's precedence.
            let nested: Vec<i64> = per_line!(db, (Line::PRICE + 1) * 2 - 3);
            assert_eq!(nested, [499, 1999, -15, 665, 19]);
            let doubled: Vec<f64> = per_line!(db, Line::WEIGHT * 2.0);
            assert_eq!(doubled, [3.0, 0.0, -4.5, 6.0, 14.0]);
            let mixed: Vec<f64> = per_line!(db, Line::WEIGHT + Line::QUANTITY.cast::<f64>());
            assert_eq!(mixed, [5.5, 1.0, -0.25, 3.0, 10.0]);
            let shorts: Vec<i16> = per_line!(db, Line::ENDS - Line::STARTS);
            assert_eq!(shorts, [8, 0, -12, 10, 1]);
            // A Rust value on the left.
            let left: Vec<(i64, Option<i64>, f64)> = per_line!(
                db,
                (1000 - Line::PRICE, 1000 / Line::PRICE, 2.0 * Line::WEIGHT)
            );
            assert_eq!(
                left,
                [
                    (750, Some(4), 3.0),
                    (0, Some(1), 0.0),
                    (1007, Some(-142), -4.5),
                    (667, Some(3), 6.0),
                    (990, Some(100), 14.0),
                ]
            );
            // Ordering by a computed value (ties by id).
            let ranked: Vec<i64> = aw!(Line::query()
                .order_by((Line::PRICE * Line::QUANTITY.cast::<i64>()).desc())
                .order_by(Line::ID.asc())
                .select(Line::ID)
                .all(&db))?;
            assert_eq!(ranked, [1, 2, 5, 4, 3]);
            Ok(())
        });

        scenario!(
            integer_division_truncates_and_division_by_zero_is_null,
            |db| {
                seed_lines!(db);
                let quotients: Vec<Option<i64>> =
                    per_line!(db, Line::PRICE / Line::QUANTITY.cast::<i64>());
                assert_eq!(quotients, [Some(62), Some(1000), Some(-3), None, Some(3)]);
                let halves: Vec<Option<i16>> = per_line!(db, Line::STARTS / 2);
                assert_eq!(halves, [Some(4), Some(6), Some(10), Some(-2), Some(0)]);
                let ratios: Vec<Option<f64>> = per_line!(db, Line::WEIGHT / Line::WEIGHT);
                assert_eq!(ratios, [Some(1.0), None, Some(1.0), Some(1.0), Some(1.0)]);
                let quarters: Vec<Option<f64>> = per_line!(db, Line::WEIGHT / 4.0);
                assert_eq!(
                    quarters,
                    [
                        Some(0.375),
                        Some(0.0),
                        Some(-0.5625),
                        Some(0.75),
                        Some(1.75)
                    ]
                );
                assert_eq!(
                    line_ids!(db, (Line::PRICE / Line::QUANTITY.cast::<i64>()).gt(100)),
                    [2]
                );
                assert_eq!(
                    line_ids!(db, (Line::PRICE / Line::QUANTITY.cast::<i64>()).is_null()),
                    [4]
                );
                assert_eq!(
                    line_ids!(db, (Line::PRICE - Line::DISCOUNT).is_not_null()),
                    [1, 3, 4]
                );
                assert_eq!(
                    line_ids!(db, (Line::PRICE * 2).between(20, Line::PRICE + 500)),
                    [1, 4, 5]
                );
                let guarded: Vec<i64> = per_line!(
                    db,
                    (Line::PRICE / Line::QUANTITY.cast::<i64>()).coalesce(-1)
                );
                assert_eq!(guarded, [62, 1000, -3, -1, 3]);
                Ok(())
            }
        );

        scenario!(integer_overflow_is_an_error_not_a_wrapped_number, |db| {
            seed_lines!(db);
            // 4 * i32::MAX does not fit an i32: PostgreSQL refuses it in the statement,
            // MariaDB and SQLite compute it in 64 bits and decoding refuses it.
            let overflow = aw!(Line::query()
                .filter(Line::ID.eq(1))
                .select(Line::QUANTITY * i32::MAX)
                .all(&db));
            assert!(overflow.is_err(), "{overflow:?}");
            // One less than the limit is fine.
            let fits: Vec<i32> = aw!(Line::query()
                .filter(Line::ID.eq(2))
                .select(Line::QUANTITY * i32::MAX)
                .all(&db))?;
            assert_eq!(fits, [i32::MAX]);
            Ok(())
        });

        scenario!(aggregates_and_groups_over_computed_values, |db| {
            seed_lines!(db);
            let revenue = (Line::PRICE * Line::QUANTITY.cast::<i64>()).sum();
            let by_country: Vec<(String, Option<i64>)> = aw!(Line::query()
                .select((Line::COUNTRY.lower(), revenue.clone()))
                .group_by(Line::COUNTRY.lower())
                .order_by(revenue.clone().desc())
                .all(&db))?;
            assert_eq!(
                by_country,
                [
                    ("france".to_string(), Some(2000)),
                    ("chile".to_string(), Some(30)),
                    ("japan".to_string(), Some(-14)),
                ]
            );
            let positive: Vec<String> = aw!(Line::query()
                .select(Line::COUNTRY.lower())
                .group_by(Line::COUNTRY.lower())
                .having(revenue.gt(0))
                .order_by(Line::COUNTRY.lower().asc())
                .all(&db))?;
            assert_eq!(positive, ["chile", "france"]);
            let (avg, low, high, counted) = aw!(Line::query()
                .select((
                    (Line::WEIGHT * 2.0).avg(),
                    (Line::PRICE - Line::DISCOUNT).min(),
                    (Line::PRICE - Line::DISCOUNT).max(),
                    (Line::PRICE - Line::DISCOUNT).count(),
                ))
                .one(&db))?;
            let avg = avg.expect("an average");
            assert!((avg - 3.7).abs() < 1e-9, "{avg}");
            assert_eq!((low, high, counted), (Some(0), Some(333), 3));
            // A grouped value holding a bound value is refused before anything runs.
            let refused = aw!(Line::query()
                .select((Line::PRICE + 1, ambidex::count()))
                .group_by(Line::PRICE + 1)
                .all(&db));
            expect_err!(refused, ambidex::Error::InvalidQuery(_));
            Ok(())
        });

        scenario!(updates_compute_from_the_row_atomically, |db| {
            seed_lines!(db);
            let changed = aw!(Line::query()
                .filter(Line::QUANTITY.gt(0))
                .set(Line::QUANTITY, Line::QUANTITY + 1)
                .update(&db))?;
            assert_eq!(changed, 4);
            let quantities: Vec<i32> = per_line!(db, Line::QUANTITY);
            assert_eq!(quantities, [5, 2, 3, 0, 4]);
            // Every right-hand side reads the row as it was before the update, also
            // where MariaDB evaluates SET left to right (ambidex orders the assignments).
            aw!(Line::query()
                .filter(Line::ID.eq(1))
                .set(Line::PRICE, Line::PRICE * 2)
                .set(Line::DISCOUNT, Line::PRICE)
                .update(&db))?;
            let first = aw!(Line::get(1, &db))?;
            assert_eq!((first.price, first.discount), (500, Some(250)));
            // A nullable value needs a fallback before it goes into a NOT NULL column.
            let returned = aw!(Line::query()
                .filter(Line::ID.eq(5))
                .set(Line::QUANTITY, (Line::QUANTITY * 10 / 3).coalesce(0))
                .update_returning(&db))?;
            assert_eq!(returned.len(), 1);
            assert_eq!(returned[0].quantity, 13);
            assert_eq!(aw!(Line::get(5, &db))?.quantity, 13);
            // Swapping two columns: standard SQL reads the old row; MariaDB's left-to-right
            // SET cannot, so ambidex refuses it there rather than write a wrong row.
            let swap = aw!(Line::query()
                .filter(Line::ID.eq(3))
                .set(Line::STARTS, Line::ENDS)
                .set(Line::ENDS, Line::STARTS)
                .update(&db));
            let third = aw!(Line::get(3, &db))?;
            if db.dialect() == ambidex::Dialect::Mysql {
                expect_err!(swap, ambidex::Error::InvalidQuery(_));
                assert_eq!((third.starts, third.ends), (20, 8), "nothing written");
            } else {
                assert_eq!(swap?, 1);
                assert_eq!((third.starts, third.ends), (8, 20));
            }
            Ok(())
        });

        scenario!(text_functions_are_unicode_and_count_characters, |db| {
            seed_lines!(db);
            let rows: Vec<(String, String, i64, String)> = per_line!(
                db,
                (
                    Line::PRODUCT.lower(),
                    Line::PRODUCT.upper(),
                    Line::PRODUCT.length(),
                    Line::PRODUCT.trim(),
                )
            );
            let expected = [
                ("élan", "ÉLAN", 4, "Élan"),
                ("  padded  ", "  PADDED  ", 10, "padded"),
                ("日本語", "日本語", 3, "日本語"),
                ("ωmega", "ΩMEGA", 5, "Ωmega"),
                ("plain", "PLAIN", 5, "plain"),
            ]
            .map(|(l, u, n, t)| (l.to_string(), u.to_string(), n, t.to_string()));
            assert_eq!(rows, expected);
            assert_eq!(line_ids!(db, Line::PRODUCT.lower().eq("élan")), [1]);
            assert_eq!(line_ids!(db, Line::PRODUCT.upper().eq("ΩMEGA")), [4]);
            assert_eq!(line_ids!(db, Line::PRODUCT.trim().length().eq(6)), [2]);
            assert_eq!(line_ids!(db, Line::COUNTRY.lower().eq(Line::COUNTRY)), [2]);
            let joined: Vec<String> =
                per_line!(db, Line::COUNTRY.concat(":").concat(Line::PRODUCT));
            assert_eq!(joined[0], "France:Élan");
            assert_eq!(joined[3], "Japan:Ωmega");
            aw!(Line::query()
                .filter(Line::ID.eq(1))
                .set(Line::NOTE, Some("gift".to_string()))
                .update(&db))?;
            let notes: Vec<Option<String>> = per_line!(db, Line::NOTE.concat(" wrap"));
            assert_eq!(
                notes,
                [Some("gift wrap".to_string()), None, None, None, None]
            );
            let lengths: Vec<Option<i64>> = per_line!(db, Line::NOTE.length());
            assert_eq!(lengths, [Some(4), None, None, None, None]);
            Ok(())
        });

        scenario!(coalesce_nullif_abs_and_case, |db| {
            seed_lines!(db);
            let discounts: Vec<i64> = per_line!(db, Line::DISCOUNT.coalesce(0));
            assert_eq!(discounts, [50, 0, -7, 0, 0]);
            let fallback: Vec<i64> = per_line!(db, Line::DISCOUNT.coalesce(Line::PRICE));
            assert_eq!(fallback, [50, 1000, -7, 0, 10]);
            let unless: Vec<Option<i64>> = per_line!(db, Line::PRICE.nullif(1000));
            assert_eq!(unless, [Some(250), None, Some(-7), Some(333), Some(10)]);
            let magnitudes: Vec<(i64, f64)> =
                per_line!(db, (Line::PRICE.abs(), Line::WEIGHT.abs()));
            assert_eq!(
                magnitudes,
                [(250, 1.5), (1000, 0.0), (7, 2.25), (333, 3.0), (10, 7.0)]
            );
            let size: ambidex::Computed<Line, String> = ambidex::when(Line::QUANTITY.eq(0), "none")
                .when(Line::QUANTITY.lt(3), "few")
                .otherwise("many");
            let sizes: Vec<String> = per_line!(db, size.clone());
            assert_eq!(sizes, ["many", "few", "few", "none", "many"]);
            assert_eq!(line_ids!(db, size.eq("few")), [2, 3]);
            let charged: Vec<i64> = per_line!(
                db,
                ambidex::when(Line::DISCOUNT.is_null(), Line::PRICE).otherwise(Line::PRICE * 2)
            );
            assert_eq!(charged, [500, 1000, -14, 666, 10]);
            // A NULL condition does not hold: `discount > 0` is NULL for lines 2 and 5.
            let flagged: Vec<i32> =
                per_line!(db, ambidex::when(Line::DISCOUNT.gt(0), 1).otherwise(0));
            assert_eq!(flagged, [1, 0, 0, 0, 0]);
            Ok(())
        });
    };
}
