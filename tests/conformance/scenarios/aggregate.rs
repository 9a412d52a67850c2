//! Selecting columns into tuples, aggregates with `group_by` / `having`, `distinct`,
//! subqueries and raw rows: the same rows and types on every backend, checked against the
//! same computation done in Rust over the seeded people.

macro_rules! aggregate_scenarios {
    () => {
        scenario!(select_columns_into_tuples, |db| {
            seed_people!(db);
            let rows: Vec<(String, Option<i32>)> = aw!(Person::query()
                .filter(Person::NAME.ne("Cy"))
                .order_by(Person::NAME.asc())
                .select((Person::NAME, Person::AGE))
                .all(&db))?;
            let mut expected: Vec<(String, Option<i32>)> = people()
                .into_iter()
                .filter(|p| p.name != "Cy")
                .map(|p| (p.name, p.age))
                .collect();
            expected.sort();
            assert_eq!(rows, expected);
            let one: String = aw!(Person::query()
                .filter(Person::NAME.eq("Dee"))
                .select(Person::EMAIL)
                .one(&db))?;
            assert_eq!(one, "dee@example.com");
            let none = aw!(Person::query()
                .filter(Person::NAME.eq("Nobody"))
                .select(Person::EMAIL)
                .first(&db))?;
            assert_eq!(none, None);
            Ok(())
        });

        scenario!(aggregates_without_groups_have_one_row, |db| {
            seed_people!(db);
            let ages: Vec<i32> = people().iter().filter_map(|p| p.age).collect();
            let (n, with_age, distinct_ages, total, lowest, highest) = aw!(Person::query()
                .select((
                    ambidex::count(),
                    Person::AGE.count(),
                    Person::AGE.count_distinct(),
                    Person::AGE.sum(),
                    Person::AGE.min(),
                    Person::AGE.max(),
                ))
                .one(&db))?;
            assert_eq!(n, people().len() as i64);
            assert_eq!(with_age, ages.len() as i64);
            let mut d = ages.clone();
            d.sort();
            d.dedup();
            assert_eq!(distinct_ages, d.len() as i64);
            assert_eq!(total, Some(ages.iter().map(|&a| i64::from(a)).sum::<i64>()));
            assert_eq!(lowest, ages.iter().copied().min());
            assert_eq!(highest, ages.iter().copied().max());
            let avg: Option<f64> = aw!(Person::query().select(Person::AGE.avg()).one(&db))?;
            let expected = ages.iter().map(|&a| f64::from(a)).sum::<f64>() / ages.len() as f64;
            let avg = avg.expect("an average of some ages");
            assert!((avg - expected).abs() < 1e-9, "{avg} vs {expected}");
            Ok(())
        });

        scenario!(aggregates_of_no_rows_are_none_and_zero, |db| {
            seed_people!(db);
            let none = Person::query().filter(Person::NAME.eq("Nobody"));
            let (n, total, avg, max) = aw!(none
                .select((
                    ambidex::count(),
                    Person::SCORE.sum(),
                    Person::SCORE.avg(),
                    Person::NAME.max(),
                ))
                .one(&db))?;
            assert_eq!((n, total, avg, max), (0, None, None, None));
            Ok(())
        });

        scenario!(group_by_with_having_and_order_by_aggregate, |db| {
            seed_people!(db);
            let rows: Vec<(Option<i32>, i64)> = aw!(Person::query()
                .select((Person::AGE, ambidex::count()))
                .group_by(Person::AGE)
                .order_by(ambidex::count().desc())
                .order_by(Person::AGE.asc())
                .all(&db))?;
            // The same in Rust: groups by age (None is its own group), biggest first, then
            // by age with None first.
            let mut groups: std::collections::BTreeMap<Option<i32>, i64> = Default::default();
            for p in people() {
                *groups.entry(p.age).or_default() += 1;
            }
            let mut expected: Vec<(Option<i32>, i64)> = groups.into_iter().collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            assert_eq!(rows, expected);
            let crowded: Vec<(Option<i32>, i64)> = aw!(Person::query()
                .select((Person::AGE, ambidex::count()))
                .group_by(Person::AGE)
                .having(ambidex::count().gt(1))
                .all(&db))?;
            assert_eq!(
                crowded,
                expected
                    .iter()
                    .filter(|g| g.1 > 1)
                    .cloned()
                    .collect::<Vec<_>>()
            );
            Ok(())
        });

        scenario!(having_on_sums_and_averages, |db| {
            seed_people!(db);
            for (name, score) in [("Ada", 2.5), ("Bob", 1.0), ("eve", 4.0)] {
                aw!(Person::query()
                    .filter(Person::NAME.eq(name))
                    .set(Person::SCORE, score)
                    .update(&db))?;
            }
            let rows: Vec<(Option<i32>, Option<f64>, Option<f64>)> = aw!(Person::query()
                .select((Person::AGE, Person::SCORE.sum(), Person::SCORE.avg()))
                .group_by(Person::AGE)
                .having(Person::SCORE.sum().ge(2.5).and(ambidex::count().lt(3)))
                .order_by(Person::AGE.asc())
                .all(&db))?;
            assert_eq!(
                rows,
                vec![
                    (Some(17), Some(5.0), Some(2.5)),
                    (Some(36), Some(2.5), Some(2.5))
                ]
            );
            Ok(())
        });

        scenario!(distinct_rows, |db| {
            seed_people!(db);
            let ages: Vec<Option<i32>> = aw!(Person::query()
                .select(Person::AGE)
                .distinct()
                .order_by(Person::AGE.desc())
                .all(&db))?;
            let mut expected: Vec<Option<i32>> = people().iter().map(|p| p.age).collect();
            expected.sort();
            expected.dedup();
            expected.reverse();
            assert_eq!(ages, expected, "NULL sorts last descending");
            let page: Vec<Option<i32>> = aw!(Person::query()
                .select(Person::AGE)
                .distinct()
                .order_by(Person::AGE.asc())
                .limit(2)
                .offset(1)
                .all(&db))?;
            let mut asc = expected.clone();
            asc.reverse();
            assert_eq!(page, asc[1..3].to_vec());
            Ok(())
        });

        scenario!(subqueries_in_filters, |db| {
            seed_people!(db);
            aw!(Order::create_table(&db))?;
            let adults = aw!(Person::query().filter(Person::AGE.ge(18)).all(&db))?;
            for (n, p) in adults.iter().enumerate() {
                let o = Order {
                    id: p.id,
                    group: p.name.clone(),
                    selected: n as i32,
                };
                aw!(o.insert(&db))?;
            }
            // People whose id is some order's id.
            let with_orders = aw!(Person::query()
                .filter(Person::ID.is_in_query(Order::query().select(Order::ID)))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(with_orders, adults);
            let without = aw!(Person::query()
                .filter(Person::ID.not_in_query(Order::query().select(Order::ID)))
                .count(&db))?;
            assert_eq!(without as usize, people().len() - adults.len());
            // A filtered, limited subquery (MySQL needs it wrapped).
            let first_order = aw!(Person::query()
                .filter(
                    Person::ID.is_in_query(
                        Order::query()
                            .filter(Order::SELECTED.ge(0))
                            .order_by(Order::ID.asc())
                            .limit(1)
                            .select(Order::ID)
                    )
                )
                .all(&db))?;
            assert_eq!(first_order, adults[..1].to_vec());
            Ok(())
        });

        scenario!(not_in_query_is_the_exact_complement_with_nulls, |db| {
            seed_people!(db);
            // Ages that belong to someone named with a lowercase initial: {17}.
            let sub = || {
                Person::query()
                    .filter(Person::NAME.like("e%"))
                    .select(Person::AGE)
            };
            let inside = aw!(Person::query()
                .filter(Person::AGE.is_in_query(sub()))
                .count(&db))?;
            let outside = aw!(Person::query()
                .filter(Person::AGE.not_in_query(sub()))
                .count(&db))?;
            assert_eq!(inside, 2);
            assert_eq!(
                inside + outside,
                people().len() as u64,
                "Cy (no age) is outside"
            );
            Ok(())
        });

        scenario!(
            raw_question_marks_in_comments_and_literals_are_no_placeholders,
            |db| {
                // Issue 19, item 9: a `?` in a comment, a string or a quoted identifier is text,
                // as the dialect reads it; only the one in code takes the bound value.
                seed_people!(db);
                let (quoted, literal) = match db.dialect() {
                    ambidex::Dialect::Postgres => ("\"who?\"", "E'it\\'s ?' AND name <> $q$ ? $q$"),
                    ambidex::Dialect::Mysql => ("`who?`", "'it\\'s ?' AND name <> \"what?\""),
                    _ => ("[who?]", "'it''s ?' AND name <> 'what?'"),
                };
                let sql = format!(
                    "SELECT name AS {quoted} FROM person /* older than ? */ WHERE age > ? \
                 -- or ?\n AND name <> {literal} ORDER BY name"
                );
                let names: Vec<String> = aw!(ambidex::raw(sql).bind(20).fetch_rows(&db))?;
                let mut expected: Vec<String> = people()
                    .into_iter()
                    .filter(|p| p.age.is_some_and(|a| a > 20))
                    .map(|p| p.name)
                    .collect();
                expected.sort();
                assert_eq!(names, expected);
                Ok(())
            }
        );

        scenario!(raw_rows_decode_into_tuples_and_scalars, |db| {
            seed_people!(db);
            let rows: Vec<(String, Option<i32>)> = aw!(ambidex::raw(
                "SELECT name, age FROM person WHERE age > ? OR age IS NULL ORDER BY name"
            )
            .bind(20)
            .fetch_rows(&db))?;
            let mut expected: Vec<(String, Option<i32>)> = people()
                .into_iter()
                .filter(|p| p.age.is_none_or(|a| a > 20))
                .map(|p| (p.name, p.age))
                .collect();
            expected.sort();
            assert_eq!(rows, expected);
            let n: Vec<i64> = aw!(ambidex::raw("SELECT COUNT(*) FROM person").fetch_rows(&db))?;
            assert_eq!(n, vec![people().len() as i64]);
            // Too few columns, or the wrong type: typed decode errors, never a panic.
            let narrow =
                aw!(ambidex::raw("SELECT name FROM person").fetch_rows::<(String, i64), _>(&db));
            expect_err!(narrow, Error::Decode { .. });
            let wrong = aw!(ambidex::raw("SELECT name FROM person").fetch_rows::<i64, _>(&db));
            expect_err!(wrong, Error::Decode { .. });
            Ok(())
        });
    };
}
