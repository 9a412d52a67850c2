//! Composite primary keys: `get`, `find`, `update`, `delete`, upserts, conflicts and
//! streams by a key of two columns, the same as by one.

/// Creates `memberships` with three rows: team 1 has ada and bob, team 2 has ada.
macro_rules! seed_memberships {
    ($db:ident) => {
        aw!(Membership::create_table(&$db))?;
        for m in [
            membership(1, "ada", "owner"),
            membership(1, "bob", "member"),
            membership(2, "ada", "member"),
        ] {
            aw!(m.insert(&$db))?;
        }
    };
}

macro_rules! composite_key_scenarios {
    () => {
        scenario!(composite_key_get_find_update_delete, |db| {
            seed_memberships!(db);
            let ada1 = aw!(Membership::get((1, "ada"), &db))?;
            assert_eq!(ada1, membership(1, "ada", "owner"));
            // The same member in another team is another row.
            assert_eq!(aw!(Membership::get((2, "ada"), &db))?.role, "member");
            expect_err!(
                aw!(Membership::get((2, "bob"), &db)),
                Error::NotFound { .. }
            );
            assert_eq!(
                aw!(Membership::find((1, "bob")).first(&db))?.map(|m| m.role),
                Some("member".to_string())
            );
            assert_eq!(aw!(Membership::find((3, "bob")).first(&db))?, None);

            let promoted = Membership {
                role: "admin".into(),
                ..ada1.clone()
            };
            aw!(promoted.update(&db))?;
            assert_eq!(aw!(Membership::get((1, "ada"), &db))?.role, "admin");
            // The update named one row by both columns: team 2's ada is untouched.
            assert_eq!(aw!(Membership::get((2, "ada"), &db))?.role, "member");
            expect_err!(
                aw!(membership(9, "ada", "x").update(&db)),
                Error::NotFound { .. }
            );

            aw!(promoted.delete(&db))?;
            expect_err!(aw!(promoted.delete(&db)), Error::NotFound { .. });
            assert_eq!(aw!(Membership::query().count(&db))?, 2);
            assert_eq!(aw!(Membership::get((2, "ada"), &db))?.member, "ada");
            Ok(())
        });

        scenario!(composite_key_conflicts_on_both_columns_only, |db| {
            seed_memberships!(db);
            expect_err!(
                aw!(membership(1, "bob", "again").insert(&db)),
                Error::UniqueViolation { .. }
            );
            aw!(membership(2, "bob", "member").insert(&db))?;
            assert_eq!(
                aw!(Membership::query()
                    .filter(Membership::MEMBER.eq("bob"))
                    .count(&db))?,
                2
            );
            Ok(())
        });

        scenario!(composite_key_upsert_and_insert_or_ignore, |db| {
            seed_memberships!(db);
            let updated = aw!(membership(1, "bob", "admin").upsert(&db))?;
            assert_eq!(updated, membership(1, "bob", "admin"));
            let inserted = aw!(membership(3, "cy", "owner").upsert(&db))?;
            assert_eq!(inserted, membership(3, "cy", "owner"));
            assert_eq!(aw!(Membership::query().count(&db))?, 4);
            assert_eq!(aw!(Membership::get((1, "bob"), &db))?.role, "admin");
            assert_eq!(
                aw!(membership(3, "cy", "other").insert_or_ignore(&db))?,
                None
            );
            assert_eq!(aw!(Membership::get((3, "cy"), &db))?.role, "owner");
            Ok(())
        });

        scenario!(composite_key_stream_in_key_order, |db| {
            aw!(Membership::create_table(&db))?;
            let rows: Vec<Membership> = (0..2_200)
                .map(|i| membership(i % 3, &format!("m{:04}", 2_200 - i), "member"))
                .collect();
            aw!(Membership::insert_many(&rows, &db))?;
            let streamed = stream_all!(Membership::query().stream(&db))?;
            let all = aw!(Membership::query()
                .order_by(Membership::TEAM.asc())
                .order_by(Membership::MEMBER.asc())
                .all(&db))?;
            assert_eq!(streamed.len(), 2_200);
            assert_eq!(streamed, all);
            Ok(())
        });
    };
}
