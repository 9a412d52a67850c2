//! Writes that return rows: `update_returning` and `delete_returning`, with expected rows
//! written out, on one-column and composite keys, alone and inside a transaction that
//! then rolls back. PostgreSQL and SQLite send `RETURNING`; MySQL/MariaDB lock, write by
//! key and read back (`ambidex_core::ops::returning`): the results must be the same.

/// Sorts rows by their `id`, since `RETURNING`'s order is unspecified.
macro_rules! by_id {
    ($rows:expr) => {{
        let mut rows: Vec<Person> = $rows;
        rows.sort_by_key(|p| p.id);
        rows
    }};
}

macro_rules! returning_scenarios {
    () => {
        scenario!(update_returning_gives_the_rows_as_stored, |db| {
            seed_people!(db);
            let updated = aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .set(Person::SCORE, 2.5)
                .set(Person::NICKNAME, Some("teen".to_string()))
                .update_returning(&db))?;
            let updated = by_id!(updated);
            assert_eq!(names!(updated), ["Bob", "eve"]);
            for p in &updated {
                assert_eq!(p.score, 2.5);
                assert_eq!(p.nickname.as_deref(), Some("teen"));
                assert_eq!(p.age, Some(17));
                assert_eq!(aw!(Person::get(p.id, &db))?, *p, "returned = stored");
            }
            // The other rows are untouched.
            assert_eq!(
                aw!(Person::query().filter(Person::SCORE.eq(2.5)).count(&db))?,
                2
            );
            // No match: no rows, nothing written.
            let none = aw!(Person::query()
                .filter(Person::AGE.gt(200))
                .set(Person::SCORE, 9.0)
                .update_returning(&db))?;
            assert!(none.is_empty(), "{none:?}");
            assert_eq!(
                aw!(Person::query().filter(Person::SCORE.eq(9.0)).count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(update_returning_may_change_the_filtered_column, |db| {
            seed_people!(db);
            // The rows leave the filter's range: they are still the ones returned.
            let moved = by_id!(aw!(Person::query()
                .filter(Person::AGE.lt(18))
                .set(Person::AGE, Some(99))
                .update_returning(&db))?);
            assert_eq!(names!(moved), ["Bob", "eve"]);
            assert!(moved.iter().all(|p| p.age == Some(99)));
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.lt(18)).count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(delete_returning_gives_the_rows_as_they_were, |db| {
            seed_people!(db);
            let gone = by_id!(aw!(Person::query()
                .filter(Person::AGE.is_null().or(Person::AGE.gt(50)))
                .delete_returning(&db))?);
            assert_eq!(names!(gone), ["Cy", "Dee"]);
            assert_eq!(gone[0].age, None);
            assert_eq!(gone[1].age, Some(52));
            assert_eq!(all_names!(db), ["Ada", "Bob", "eve"]);
            let none = aw!(Person::query()
                .filter(Person::NAME.eq("nobody"))
                .delete_returning(&db))?;
            assert!(none.is_empty());
            assert_eq!(aw!(Person::query().count(&db))?, 3);
            Ok(())
        });

        scenario!(returning_writes_roll_back_with_their_transaction, |db| {
            seed_people!(db);
            let result: ambidex::Result<()> = in_tx!(db, |tx| {
                let changed = aw!(Person::query()
                    .filter(Person::NAME.eq("Ada"))
                    .set(Person::ACTIVE, false)
                    .update_returning(&mut *tx))?;
                assert_eq!(changed.len(), 1);
                assert!(!changed[0].active);
                let gone = aw!(Person::query()
                    .filter(Person::NAME.eq("Bob"))
                    .delete_returning(&mut *tx))?;
                assert_eq!(names!(gone), ["Bob"]);
                assert_eq!(aw!(Person::query().count(&mut *tx))?, 4);
                Err(ambidex::Error::InvalidQuery("undo".into()))
            });
            expect_err!(result, ambidex::Error::InvalidQuery(_));
            assert_eq!(all_names!(db), ["Ada", "Bob", "Cy", "Dee", "eve"]);
            assert!(aw!(Person::query().filter(Person::NAME.eq("Ada")).one(&db))?.active);
            Ok(())
        });

        scenario!(returning_writes_refuse_ordering_and_limits, |db| {
            seed_people!(db);
            expect_err!(
                aw!(Person::query()
                    .order_by(Person::ID.asc())
                    .limit(1)
                    .set(Person::SCORE, 1.0)
                    .update_returning(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(Person::query().limit(2).delete_returning(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(
                aw!(Person::query().filter(Person::SCORE.eq(1.0)).count(&db))?,
                0
            );
            Ok(())
        });

        scenario!(returning_writes_on_a_composite_key, |db| {
            seed_memberships!(db);
            let mut promoted = aw!(Membership::query()
                .filter(Membership::MEMBER.eq("ada"))
                .set(Membership::ROLE, "admin")
                .update_returning(&db))?;
            promoted.sort_by_key(|m| m.team);
            assert_eq!(
                promoted,
                [membership(1, "ada", "admin"), membership(2, "ada", "admin")]
            );
            let gone = aw!(Membership::query()
                .filter(Membership::TEAM.eq(1))
                .delete_returning(&db))?;
            let mut gone: Vec<String> = gone.into_iter().map(|m| m.member).collect();
            gone.sort();
            assert_eq!(gone, ["ada", "bob"]);
            assert_eq!(
                aw!(Membership::query().all(&db))?,
                [membership(2, "ada", "admin")]
            );
            Ok(())
        });
    };
}
