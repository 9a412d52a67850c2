//! Streaming: the same rows as `all`, page after page, in key order or a chosen order,
//! with limits and offsets, refusing orders it cannot follow, and holding nothing when
//! dropped early.

/// Inserts `n` people named `p0`, `p1`... with ages cycling through 0..50.
macro_rules! seed_many {
    ($db:ident, $n:expr) => {{
        aw!(Person::create_table(&$db))?;
        let rows: Vec<Person> = (0..$n)
            .map(|i| person(&format!("p{i}"), Some((i % 50) as i32)))
            .collect();
        aw!(Person::insert_many(&rows, &$db))?;
    }};
}

macro_rules! stream_scenarios {
    () => {
        scenario!(stream_yields_what_all_returns_across_pages, |db| {
            seed_many!(db, 2_345);
            let q = || Person::query().filter(Person::AGE.lt(40));
            let streamed = stream_all!(q().stream(&db))?;
            let all = aw!(q().order_by(Person::ID.asc()).all(&db))?;
            assert_eq!(streamed.len(), all.len());
            assert!(streamed.len() > 1_000, "more than one page");
            assert_eq!(streamed, all);
            Ok(())
        });

        scenario!(stream_descending_with_limit_and_offset, |db| {
            seed_many!(db, 1_500);
            let q = || {
                Person::query()
                    .order_by(Person::ID.desc())
                    .offset(10)
                    .limit(1_200)
            };
            let streamed = stream_all!(q().stream(&db))?;
            assert_eq!(streamed, aw!(q().all(&db))?);
            assert_eq!(streamed.len(), 1_200);
            let empty = stream_all!(
                Person::query()
                    .filter(Person::NAME.eq("nobody"))
                    .stream(&db)
            )?;
            assert!(empty.is_empty());
            Ok(())
        });

        scenario!(stream_follows_order_by_with_ties_across_pages, |db| {
            aw!(Person::create_table(&db))?;
            let rows: Vec<Person> = (0..2_300)
                .map(|i| Person {
                    score: f64::from(i % 7),
                    ..person(&format!("q{i}"), None)
                })
                .collect();
            aw!(Person::insert_many(&rows, &db))?;
            // Seven scores, hundreds of rows each: page boundaries fall inside runs of
            // equal scores, where only the key orders the rows.
            let streamed = stream_all!(
                Person::query()
                    .filter(Person::ACTIVE.eq(true))
                    .order_by(Person::SCORE.desc())
                    .stream(&db)
            )?;
            let all = aw!(Person::query()
                .order_by(Person::SCORE.desc())
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(streamed.len(), 2_300);
            assert_eq!(streamed, all);
            let by_name = stream_all!(
                Person::query()
                    .order_by(Person::NAME.asc())
                    .limit(1_500)
                    .stream(&db)
            )?;
            assert_eq!(
                by_name,
                aw!(Person::query()
                    .order_by(Person::NAME.asc())
                    .limit(1_500)
                    .all(&db))?
            );
            Ok(())
        });

        scenario!(stream_refuses_an_order_it_cannot_follow, |db| {
            seed_many!(db, 3);
            // NULL ages have no place in a keyset sequence.
            let refused = stream_all!(Person::query().order_by(Person::AGE.asc()).stream(&db));
            expect_err!(refused, Error::InvalidQuery(_));
            Ok(())
        });

        scenario!(a_stream_dropped_early_holds_nothing, |db| {
            seed_many!(db, 1_100);
            for _ in 0..20 {
                let first = stream_take!(Person::query().stream(&db), 3)?;
                assert_eq!(first.len(), 3);
            }
            // A transaction still gets a connection, and sees every row.
            let n = in_tx!(db, |tx| { aw!(Person::query().count(&mut *tx)) })?;
            assert_eq!(n, 1_100);
            Ok(())
        });
    };
}
