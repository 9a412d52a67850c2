//! Transaction options: isolation levels and read-only transactions where the backend has
//! them, refused with a clear error where it does not, never silently ignored.

macro_rules! tx_options_scenarios {
    () => {
        scenario!(every_isolation_level_opens_and_commits, |db| {
            seed_people!(db);
            for level in [
                ambidex::IsolationLevel::ReadUncommitted,
                ambidex::IsolationLevel::ReadCommitted,
                ambidex::IsolationLevel::RepeatableRead,
                ambidex::IsolationLevel::Serializable,
            ] {
                let mut tx = aw!(db.begin_with(ambidex::TxOptions::new().isolation(level)))?;
                aw!(person(&format!("{level:?}"), None).insert(&mut tx))?;
                aw!(tx.commit())?;
            }
            assert_eq!(aw!(Person::query().count(&db))?, 9);
            // The level applied to that transaction only: a plain one works as before.
            let mut tx = aw!(db.begin())?;
            aw!(person("plain", None).insert(&mut tx))?;
            aw!(tx.commit())?;
            Ok(())
        });

        scenario!(read_only_transactions_refuse_writes_or_are_refused, |db| {
            seed_people!(db);
            let options = ambidex::TxOptions::new()
                .isolation(ambidex::IsolationLevel::Serializable)
                .read_only();
            if db.dialect() == ambidex::Dialect::Sqlite {
                let refused = aw!(db.begin_with(options));
                expect_err!(refused, Error::InvalidQuery(_));
                // Refused before anything was opened: the pool is fine.
                assert_eq!(aw!(Person::query().count(&db))?, 5);
                return Ok(());
            }
            let mut tx = aw!(db.begin_with(options))?;
            assert_eq!(aw!(Person::query().count(&mut tx))?, 5, "reads work");
            let write = aw!(person("Zed", None).insert(&mut tx));
            assert!(
                write.is_err(),
                "a write in a read-only transaction: {write:?}"
            );
            aw!(tx.rollback())?;
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            // The next transaction on the same pool may write again.
            let mut tx = aw!(db.begin())?;
            aw!(person("Zed", None).insert(&mut tx))?;
            aw!(tx.commit())?;
            assert_eq!(aw!(Person::query().count(&db))?, 6);
            Ok(())
        });
    };
}
