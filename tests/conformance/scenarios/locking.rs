//! Row locks: `for_update`, `for_share`, `skip_locked`, `nowait`, in every cell.
//!
//! What is the same everywhere: a locking read outside a transaction is refused
//! (`InvalidQuery`), inside one it returns the same rows as the plain read, and the lock
//! lasts until the transaction ends. Where rows are locked (PostgreSQL, MariaDB), a second
//! transaction skips them (`skip_locked`) or fails at once (`nowait`, `Conflict`, which is
//! retryable); SQLite locks the database instead (see `ambidex::Locked`), so no row is
//! skipped there and a second writer waits: its two-transaction scenario checks that the
//! first transaction holds the write lock, and `tests/row_locks.rs` races writers.

macro_rules! locking_scenarios {
    () => {
        scenario!(a_locking_read_outside_a_transaction_is_refused, |db| {
            seed_people!(db);
            for result in [
                aw!(Person::query().for_update().all(&db)).map(|_| ()),
                aw!(Person::query().for_share().first(&db)).map(|_| ()),
                aw!(Person::find(1).for_update().skip_locked().one(&db)).map(|_| ()),
            ] {
                match result {
                    Err(ambidex::Error::InvalidQuery(message)) => {
                        assert!(message.contains("transaction"), "{message}");
                    }
                    other => panic!("expected InvalidQuery, got {other:?}"),
                }
            }
            // Nothing was locked or written.
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            Ok(())
        });

        scenario!(a_locking_read_returns_the_rows_of_the_plain_read, |db| {
            seed_people!(db);
            let (teens, first, ada, adults): (Vec<Person>, Option<Person>, Person, Vec<Person>) =
                in_tx!(db, |tx| {
                    let teens = aw!(Person::query()
                        .filter(Person::AGE.eq(17))
                        .order_by(Person::NAME.asc())
                        .for_update()
                        .all(&mut *tx))?;
                    let first = aw!(Person::query()
                        .order_by(Person::ID.desc())
                        .for_share()
                        .first(&mut *tx))?;
                    let ada = aw!(Person::query()
                        .filter(Person::NAME.eq("Ada"))
                        .for_update()
                        .nowait()
                        .one(&mut *tx))?;
                    let adults = aw!(Person::query()
                        .filter(Person::AGE.ge(18))
                        .order_by(Person::AGE.asc())
                        .for_update()
                        .skip_locked()
                        .all(&mut *tx))?;
                    Ok((teens, first, ada, adults))
                })?;
            assert_eq!(names!(teens), ["Bob", "eve"]);
            assert_eq!(first.map(|p| p.name), Some("eve".to_string()));
            assert_eq!(ada.age, Some(36));
            assert_eq!(names!(adults), ["Ada", "Dee"]);
            Ok(())
        });

        scenario!(a_locked_row_is_skipped_or_refused_until_commit, |db| {
            seed_people!(db);
            let mut holder = aw!(db.begin())?;
            // By key: InnoDB locks every row a locking read scans, so a scan would lock all.
            let ada = aw!(Person::find(1).for_update().one(&mut holder))?;
            assert_eq!(ada.name, "Ada");
            if db.dialect() == ambidex::Dialect::Sqlite {
                // SQLite: the holder took the database's write lock, so a write from another
                // connection cannot start until it ends (it would wait, then Conflict).
                aw!(holder.commit())?;
                let mut next = aw!(db.begin())?;
                let again = aw!(Person::find(ada.id).for_update().nowait().one(&mut next))?;
                assert_eq!(again, ada);
                aw!(next.commit())?;
                return Ok(());
            }
            // Another transaction skips the locked row...
            let mut other = aw!(db.begin())?;
            let unlocked = aw!(Person::query()
                .order_by(Person::ID.asc())
                .for_update()
                .skip_locked()
                .all(&mut other))?;
            assert_eq!(names!(unlocked), ["Bob", "Cy", "Dee", "eve"]);
            aw!(other.rollback())?;
            // ...or fails at once with a retryable Conflict.
            let mut other = aw!(db.begin())?;
            let refused = aw!(Person::find(ada.id).for_update().nowait().one(&mut other));
            match &refused {
                Err(e @ ambidex::Error::Conflict { .. }) => assert!(e.is_retryable()),
                other => panic!("expected Conflict, got {other:?}"),
            }
            aw!(other.rollback())?;
            // A shared lock is refused too while the row is locked for update.
            let mut reader = aw!(db.begin())?;
            expect_err!(
                aw!(Person::find(ada.id).for_share().nowait().first(&mut reader)),
                ambidex::Error::Conflict { .. }
            );
            aw!(reader.rollback())?;
            // The lock ends with the holder's transaction.
            aw!(holder.commit())?;
            let mut other = aw!(db.begin())?;
            let now = aw!(Person::find(ada.id).for_update().nowait().one(&mut other))?;
            assert_eq!(now, ada);
            aw!(other.commit())?;
            Ok(())
        });

        scenario!(shared_locks_do_not_exclude_each_other, |db| {
            seed_people!(db);
            if db.dialect() == ambidex::Dialect::Sqlite {
                // One writer at a time: a shared lock is the write lock there.
                return Ok(());
            }
            let mut first = aw!(db.begin())?;
            let mut second = aw!(db.begin())?;
            let a = aw!(Person::find(1).for_share().one(&mut first))?;
            let b = aw!(Person::find(1).for_share().nowait().one(&mut second))?;
            assert_eq!(a, b);
            // But an exclusive lock is refused while they hold theirs.
            let mut writer = aw!(db.begin())?;
            expect_err!(
                aw!(Person::find(1).for_update().nowait().first(&mut writer)),
                ambidex::Error::Conflict { .. }
            );
            aw!(writer.rollback())?;
            aw!(first.commit())?;
            aw!(second.commit())?;
            Ok(())
        });
    };
}
