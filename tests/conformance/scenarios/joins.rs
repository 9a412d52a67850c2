//! Joins (`ambidex::Joined`): inner and left joins along `belongs_to` in both directions,
//! many-to-many through the link model, explicit column joins, a self-join through an
//! alias, and grouping, ordering and selecting across the joined models. Every expected
//! value is written out here, from the blog `seed_blog!` makes (relation.rs):
//!
//! | author | posts | comments | tags |
//! | --- | --- | --- | --- |
//! | Ada | A1, A2 | A1: "nice", "more" | A1: rust, sql |
//! | Bo | B1 | B1: "meh" | B1: rust |
//! | Cy | (none) | | |
//!
//! and the staff `seed_chain!` makes: Grace (no manager), Alan (managed by Grace), Bob
//! (managed by Alan).

/// Creates the employee table with Grace, Alan and Bob.
macro_rules! seed_chain {
    ($db:ident) => {{
        aw!(Employee::create_table(&$db))?;
        let grace = aw!(Employee {
            id: 0,
            name: "Grace".into(),
            manager_id: None
        }
        .insert(&$db))?;
        let alan = aw!(Employee {
            id: 0,
            name: "Alan".into(),
            manager_id: Some(grace.id)
        }
        .insert(&$db))?;
        aw!(Employee {
            id: 0,
            name: "Bob".into(),
            manager_id: Some(alan.id)
        }
        .insert(&$db))?;
    }};
}

macro_rules! joins_scenarios {
    () => {
        scenario!(inner_join_reads_the_child_with_its_parent, |db| {
            let (authors, posts, _tags) = seed_blog!(db);
            let rows = aw!(Post::query()
                .join(Post::AUTHOR)
                .order_by(Post::TITLE.asc())
                .all(&db))?;
            assert_eq!(
                rows,
                [
                    (posts[0].clone(), authors[0].clone()),
                    (posts[2].clone(), authors[0].clone()),
                    (posts[1].clone(), authors[1].clone()),
                ]
            );
            // A condition on either model; the same column name (`id`) in both tables
            // is no clash.
            let bo = aw!(Post::query()
                .join(Post::AUTHOR)
                .filter(Author::NAME.eq("Bo"))
                .filter(Post::ID.gt(0))
                .one(&db))?;
            assert_eq!(bo, (posts[1].clone(), authors[1].clone()));
            let none = aw!(Post::query()
                .join(Post::AUTHOR)
                .filter(Author::NAME.eq("Cy"))
                .first(&db))?;
            assert_eq!(none, None);
            Ok(())
        });

        scenario!(left_join_keeps_parents_without_children_as_none, |db| {
            let (authors, posts, _tags) = seed_blog!(db);
            let rows = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .order_by(Author::NAME.asc())
                .order_by(Post::TITLE.asc())
                .all(&db))?;
            assert_eq!(
                rows,
                [
                    (authors[0].clone(), Some(posts[0].clone())),
                    (authors[0].clone(), Some(posts[2].clone())),
                    (authors[1].clone(), Some(posts[1].clone())),
                    (authors[2].clone(), None),
                ]
            );
            // A left-joined model's columns select as `Option`s.
            let titles: Vec<(String, Option<String>)> = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .order_by(Author::NAME.asc())
                .order_by(Post::TITLE.asc())
                .select((Author::NAME, Post::TITLE))
                .all(&db))?;
            assert_eq!(
                titles,
                [
                    ("Ada".to_string(), Some("A1".to_string())),
                    ("Ada".to_string(), Some("A2".to_string())),
                    ("Bo".to_string(), Some("B1".to_string())),
                    ("Cy".to_string(), None),
                ]
            );
            // The complement of a condition on the missing side holds there (two-valued
            // logic), and an ascending order puts the missing rows first on every
            // backend.
            let not_a1: Vec<(String, Option<String>)> = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .filter(Post::TITLE.ne("A1"))
                .order_by(Post::TITLE.asc())
                .select((Author::NAME, Post::TITLE))
                .all(&db))?;
            assert_eq!(
                not_a1,
                [
                    ("Cy".to_string(), None),
                    ("Ada".to_string(), Some("A2".to_string())),
                    ("Bo".to_string(), Some("B1".to_string())),
                ]
            );
            let missing: Vec<String> = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .filter_missing::<Post, _>()
                .select(Author::NAME)
                .all(&db))?;
            assert_eq!(missing, ["Cy"]);
            Ok(())
        });

        scenario!(joined_groups_count_and_filter_per_parent, |db| {
            seed_blog!(db);
            // Posts per author, zero included: COUNT of a left-joined column skips the
            // missing rows.
            let per_author: Vec<(String, i64)> = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .select((Author::NAME, Post::ID.count()))
                .group_by(Author::NAME)
                .order_by(Author::NAME.asc())
                .all(&db))?;
            assert_eq!(
                per_author,
                [
                    ("Ada".to_string(), 2),
                    ("Bo".to_string(), 1),
                    ("Cy".to_string(), 0)
                ]
            );
            // Three models, a condition on the last and a HAVING on its count.
            let commented: Vec<(String, i64)> = aw!(Author::query()
                .join(Post::AUTHOR)
                .join(Comment::POST)
                .select((Author::NAME, ambidex::count::<Comment>()))
                .group_by(Author::NAME)
                .having(ambidex::count::<Comment>().ge(2))
                .order_by(ambidex::count::<Comment>().desc())
                .all(&db))?;
            assert_eq!(commented, [("Ada".to_string(), 2)]);
            // Whole models beside an aggregate.
            let with_counts: Vec<(Author, i64)> = aw!(Author::query()
                .left_join(Post::AUTHOR)
                .select((ambidex::all_of::<Author>(), Post::ID.count()))
                .group_by(Author::ID)
                .group_by(Author::NAME)
                .order_by(Author::ID.asc())
                .all(&db))?;
            let counts: Vec<(&str, i64)> = with_counts
                .iter()
                .map(|(a, n)| (a.name.as_str(), *n))
                .collect();
            assert_eq!(counts, [("Ada", 2), ("Bo", 1), ("Cy", 0)]);
            // A computed value over a joined model.
            let shouted: Vec<String> = aw!(Comment::query()
                .join(Comment::POST)
                .join(Post::AUTHOR)
                .filter(Author::NAME.eq("Ada"))
                .order_by(Comment::BODY.asc())
                .select(Comment::BODY.upper())
                .all(&db))?;
            assert_eq!(shouted, ["MORE", "NICE"]);
            Ok(())
        });

        scenario!(many_to_many_joins_through_the_link_model, |db| {
            seed_blog!(db);
            let rust: Vec<String> = aw!(Post::query()
                .join_through(PostTag::TAG.through(PostTag::POST))
                .filter(Tag::NAME.eq("rust"))
                .order_by(Post::TITLE.asc())
                .select(Post::TITLE)
                .all(&db))?;
            assert_eq!(rust, ["A1", "B1"]);
            let per_tag: Vec<(String, i64)> = aw!(Tag::query()
                .join_through(PostTag::POST.through(PostTag::TAG))
                .select((Tag::NAME, ambidex::count::<Post>()))
                .group_by(Tag::NAME)
                .order_by(Tag::NAME.asc())
                .all(&db))?;
            assert_eq!(per_tag, [("rust".to_string(), 2), ("sql".to_string(), 1)]);
            let rows = aw!(Post::query()
                .join_through(PostTag::TAG.through(PostTag::POST))
                .filter(Post::TITLE.eq("B1"))
                .all(&db))?;
            assert_eq!(rows.len(), 1);
            let (post, link, tag) = &rows[0];
            assert_eq!((post.title.as_str(), tag.name.as_str()), ("B1", "rust"));
            assert_eq!((link.post_id, link.tag_id), (post.id, tag.id));
            Ok(())
        });

        scenario!(join_on_two_columns_without_a_relation, |db| {
            seed_blog!(db);
            let titles: Vec<String> = aw!(Post::query()
                .join_on(Author::ID, Post::AUTHOR_ID)
                .filter(Author::NAME.eq("Ada"))
                .order_by(Post::TITLE.desc())
                .select(Post::TITLE)
                .all(&db))?;
            assert_eq!(titles, ["A2", "A1"]);
            let rows: Vec<(String, Option<String>)> = aw!(Author::query()
                .left_join_on(Post::AUTHOR_ID, Author::ID)
                .filter(Author::NAME.ne("Ada"))
                .order_by(Author::NAME.asc())
                .select((Author::NAME, Post::TITLE))
                .all(&db))?;
            assert_eq!(
                rows,
                [
                    ("Bo".to_string(), Some("B1".to_string())),
                    ("Cy".to_string(), None)
                ]
            );
            Ok(())
        });

        scenario!(self_join_through_an_alias, |db| {
            seed_chain!(db);
            let pairs: Vec<(String, Option<String>)> = aw!(Employee::query()
                .left_join_as::<Boss>(Employee::MANAGER)
                .order_by(Employee::NAME.asc())
                .select((Employee::NAME, Employee::NAME.of::<Boss>()))
                .all(&db))?;
            assert_eq!(
                pairs,
                [
                    ("Alan".to_string(), Some("Grace".to_string())),
                    ("Bob".to_string(), Some("Alan".to_string())),
                    ("Grace".to_string(), None),
                ]
            );
            let rows = aw!(Employee::query()
                .join_as::<Boss>(Employee::MANAGER)
                .filter(Employee::NAME.of::<Boss>().eq("Grace"))
                .all(&db))?;
            assert_eq!(rows.len(), 1);
            let (report, boss) = &rows[0];
            assert_eq!(
                (report.name.as_str(), boss.name.as_str()),
                ("Alan", "Grace")
            );
            assert_eq!(report.manager_id, Some(boss.id));
            // The same table twice without an alias is refused, not ambiguous SQL.
            expect_err!(
                aw!(Employee::query()
                    .join_on(Employee::ID, Employee::MANAGER_ID)
                    .all(&db)),
                ambidex::Error::InvalidQuery(_)
            );
            Ok(())
        });
        scenario!(a_locking_join_reads_what_the_plain_join_reads, |db| {
            let (authors, posts, _tags) = seed_blog!(db);
            // Outside a transaction the lock would protect nothing: refused.
            match aw!(Post::query().join(Post::AUTHOR).for_update().all(&db)) {
                Err(ambidex::Error::InvalidQuery(message)) => {
                    assert!(message.contains("transaction"), "{message}")
                }
                other => panic!("expected InvalidQuery, got {other:?}"),
            }
            let (locked, only_posts, parents, with_none) = in_tx!(db, |tx| {
                let locked = aw!(Post::query()
                    .join(Post::AUTHOR)
                    .order_by(Post::TITLE.asc())
                    .for_update()
                    .all(&mut *tx))?;
                let only_posts = aw!(Post::query()
                    .join(Post::AUTHOR)
                    .filter(Author::NAME.eq("Bo"))
                    .for_update()
                    .of::<Post, _>()
                    .nowait()
                    .one(&mut *tx))?;
                let parents = aw!(Post::query()
                    .join(Post::AUTHOR)
                    .order_by(Post::TITLE.desc())
                    .for_share()
                    .of::<Author, _>()
                    .first(&mut *tx))?;
                // A left join names what it locks: its inner side.
                let with_none = aw!(Author::query()
                    .left_join(Post::AUTHOR)
                    .order_by(Author::NAME.asc())
                    .order_by(Post::TITLE.asc())
                    .for_update()
                    .of::<Author, _>()
                    .skip_locked()
                    .all(&mut *tx))?;
                Ok((locked, only_posts, parents, with_none))
            })?;
            assert_eq!(
                locked,
                [
                    (posts[0].clone(), authors[0].clone()),
                    (posts[2].clone(), authors[0].clone()),
                    (posts[1].clone(), authors[1].clone()),
                ]
            );
            assert_eq!(only_posts, (posts[1].clone(), authors[1].clone()));
            assert_eq!(parents, Some((posts[1].clone(), authors[1].clone())));
            let shape: Vec<(&str, Option<&str>)> = with_none
                .iter()
                .map(|(a, p)| (a.name.as_str(), p.as_ref().map(|p| p.title.as_str())))
                .collect();
            assert_eq!(
                shape,
                [
                    ("Ada", Some("A1")),
                    ("Ada", Some("A2")),
                    ("Bo", Some("B1")),
                    ("Cy", None)
                ]
            );
            // Without `of`, a left join's lock would fall on rows that may be missing:
            // refused on every backend (PostgreSQL cannot lock an outer join's nullable side).
            let refused = in_tx!(db, |tx| {
                aw!(Author::query()
                    .left_join(Post::AUTHOR)
                    .for_update()
                    .all(&mut *tx))
            });
            match refused {
                Err(ambidex::Error::InvalidQuery(message)) => {
                    assert!(message.contains("of::<"), "{message}")
                }
                other => panic!("expected InvalidQuery, got {other:?}"),
            }
            Ok(())
        });

        scenario!(
            a_locking_join_locks_the_named_models_rows_until_commit,
            |db| {
                let (authors, posts, _tags) = seed_blog!(db);
                let (a1, ada) = (posts[0].clone(), authors[0].clone());
                let mut holder = aw!(db.begin())?;
                // By key: InnoDB locks every row a locking read scans.
                let held = aw!(Post::query()
                    .filter(Post::ID.eq(a1.id))
                    .join(Post::AUTHOR)
                    .for_update()
                    .of::<Post, _>()
                    .one(&mut holder))?;
                assert_eq!(held, (a1.clone(), ada.clone()));
                if db.dialect() == ambidex::Dialect::Sqlite {
                    // No row locks: the holder took the database's write lock (see `Locked`).
                    aw!(holder.commit())?;
                    return Ok(());
                }
                // The named model's row is locked...
                let mut other = aw!(db.begin())?;
                expect_err!(
                    aw!(Post::find(a1.id).for_update().nowait().one(&mut other)),
                    ambidex::Error::Conflict { .. }
                );
                aw!(other.rollback())?;
                // ...the other posts are not...
                let mut other = aw!(db.begin())?;
                let b1 = aw!(Post::find(posts[1].id)
                    .for_update()
                    .nowait()
                    .one(&mut other))?;
                assert_eq!(b1.title, "B1");
                aw!(other.rollback())?;
                // ...and the joined author is locked only where the backend cannot name the
                // rows to lock: PostgreSQL locks the posts row alone (`FOR UPDATE OF`), MariaDB
                // (no `OF`) every row the join read.
                let mut other = aw!(db.begin())?;
                let author = aw!(Author::find(ada.id).for_update().nowait().one(&mut other));
                match db.dialect() {
                    ambidex::Dialect::Postgres => assert_eq!(author?, ada),
                    _ => assert!(
                        matches!(author, Err(ambidex::Error::Conflict { .. })),
                        "{author:?}"
                    ),
                }
                aw!(other.rollback())?;
                aw!(holder.commit())?;
                let mut other = aw!(db.begin())?;
                let again = aw!(Post::find(a1.id).for_update().nowait().one(&mut other))?;
                assert_eq!(again, a1);
                aw!(other.commit())?;
                Ok(())
            }
        );
    };
}
