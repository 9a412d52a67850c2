//! Relations: foreign keys in DDL with their delete rules, filters across a relation,
//! and eager loading (has-many, belongs-to, has-one, many-to-many, nested, self-reference)
//! checked against loading row by row.

/// Creates the relation tables (parents first) and a small blog: authors Ada (posts
/// "A1", "A2") and Bo (post "B1"), Cy with none; comments on A1 (two) and B1 (one);
/// tags rust (A1, B1) and sql (A1). Evaluates to (authors, posts, tags).
macro_rules! seed_blog {
    ($db:ident) => {{
        aw!(Author::create_table(&$db))?;
        aw!(Post::create_table(&$db))?;
        aw!(Comment::create_table(&$db))?;
        aw!(Tag::create_table(&$db))?;
        aw!(PostTag::create_table(&$db))?;
        let mut authors = Vec::new();
        for name in ["Ada", "Bo", "Cy"] {
            authors.push(aw!(Author {
                id: 0,
                name: name.into()
            }
            .insert(&$db))?);
        }
        let mut posts = Vec::new();
        for (author, title) in [(0, "A1"), (1, "B1"), (0, "A2")] {
            let post = Post {
                id: 0,
                author_id: authors[author].id,
                title: title.into(),
            };
            posts.push(aw!(post.insert(&$db))?);
        }
        for (post, body) in [(0, "nice"), (1, "meh"), (0, "more")] {
            let c = Comment {
                id: 0,
                post_id: posts[post].id,
                body: body.into(),
            };
            aw!(c.insert(&$db))?;
        }
        let mut tags = Vec::new();
        for name in ["rust", "sql"] {
            tags.push(aw!(Tag {
                id: 0,
                name: name.into()
            }
            .insert(&$db))?);
        }
        for (post, tag) in [(0, 0), (1, 0), (0, 1)] {
            let pt = PostTag {
                id: 0,
                post_id: posts[post].id,
                tag_id: tags[tag].id,
            };
            aw!(pt.insert(&$db))?;
        }
        (authors, posts, tags)
    }};
}

macro_rules! relation_scenarios {
    () => {
        scenario!(foreign_keys_refuse_orphans_and_apply_delete_rules, |db| {
            let (authors, posts, _tags) = seed_blog!(db);
            let orphan = Post {
                id: 0,
                author_id: 999_999,
                title: "orphan".into(),
            };
            expect_err!(aw!(orphan.insert(&db)), Error::ForeignKeyViolation { .. });
            // RESTRICT (the default): a post with comments cannot be deleted.
            expect_err!(aw!(posts[0].delete(&db)), Error::ForeignKeyViolation { .. });
            // CASCADE: deleting Bo deletes B1 (and B1's tag links), but B1's comment
            // restricts, so first remove it.
            aw!(Comment::query()
                .filter(Comment::POST_ID.eq(posts[1].id))
                .delete(&db))?;
            aw!(authors[1].delete(&db))?;
            assert!(aw!(Post::find(posts[1].id).first(&db))?.is_none());
            assert_eq!(
                aw!(PostTag::query()
                    .filter(PostTag::POST_ID.eq(posts[1].id))
                    .count(&db))?,
                0
            );
            assert_eq!(aw!(Post::query().count(&db))?, 2);
            Ok(())
        });

        scenario!(self_reference_sets_null_when_the_manager_goes, |db| {
            aw!(Employee::create_table(&db))?;
            let boss = aw!(Employee {
                id: 0,
                name: "Boss".into(),
                manager_id: None
            }
            .insert(&db))?;
            let mut staff = Vec::new();
            for name in ["Ann", "Ben"] {
                let e = Employee {
                    id: 0,
                    name: name.into(),
                    manager_id: Some(boss.id),
                };
                staff.push(aw!(e.insert(&db))?);
            }
            let managers = aw!(Employee::MANAGER.parents_of(&staff, &db))?;
            assert_eq!(managers, vec![Some(boss.clone()), Some(boss.clone())]);
            let reports = aw!(Employee::MANAGER.children_of(std::slice::from_ref(&boss), &db))?;
            assert_eq!(reports, vec![staff.clone()]);
            // The boss has no manager: `None`, not an error.
            let top = aw!(Employee::MANAGER.parents_of(std::slice::from_ref(&boss), &db))?;
            assert_eq!(top, vec![None]);
            aw!(boss.delete(&db))?;
            for e in &staff {
                assert_eq!(aw!(Employee::get(e.id, &db))?.manager_id, None);
            }
            Ok(())
        });

        scenario!(filters_across_a_relation, |db| {
            let (authors, posts, _tags) = seed_blog!(db);
            let by_a = aw!(Post::query()
                .filter(Post::AUTHOR.has(Author::NAME.starts_with("A")))
                .order_by(Post::ID.asc())
                .all(&db))?;
            assert_eq!(by_a, vec![posts[0].clone(), posts[2].clone()]);
            let not_by_a = aw!(Post::query()
                .filter(Post::AUTHOR.has(Author::NAME.starts_with("A")).not())
                .all(&db))?;
            assert_eq!(not_by_a, vec![posts[1].clone()]);
            // Two hops: comments on posts by Ada.
            let on_ada = aw!(Comment::query()
                .filter(Comment::POST.has(Post::AUTHOR.has(Author::NAME.eq("Ada"))))
                .count(&db))?;
            assert_eq!(on_ada, 2);
            // The other way: authors with a post titled like "A%", and authors with none.
            let writers = aw!(Author::query()
                .filter(Post::AUTHOR.has_child(Post::TITLE.starts_with("A")))
                .all(&db))?;
            assert_eq!(writers, vec![authors[0].clone()]);
            let idle = aw!(Author::query()
                .filter(Post::AUTHOR.has_child(Post::ID.gt(0)).not())
                .all(&db))?;
            assert_eq!(idle, vec![authors[2].clone()]);
            // Many-to-many: posts tagged "sql".
            let sql = aw!(Post::query()
                .filter(PostTag::TAG.through(PostTag::POST).has(Tag::NAME.eq("sql")))
                .all(&db))?;
            assert_eq!(sql, vec![posts[0].clone()]);
            Ok(())
        });

        scenario!(eager_loading_matches_row_by_row_loading, |db| {
            let (authors, _posts, _tags) = seed_blog!(db);
            // Authors -> posts -> comments, nested, one query per level.
            let posts = aw!(Post::AUTHOR.children_of(&authors, &db))?;
            assert_eq!(posts.len(), authors.len());
            for (author, theirs) in authors.iter().zip(&posts) {
                let expected = aw!(Post::query()
                    .filter(Post::AUTHOR_ID.eq(author.id))
                    .order_by(Post::ID.asc())
                    .all(&db))?;
                assert_eq!(theirs, &expected, "posts of {}", author.name);
            }
            assert!(posts[2].is_empty(), "Cy has no posts");
            let flat: Vec<Post> = posts.into_iter().flatten().collect();
            let comments = aw!(Comment::POST.children_of(&flat, &db))?;
            for (post, theirs) in flat.iter().zip(&comments) {
                let expected = aw!(Comment::query()
                    .filter(Comment::POST_ID.eq(post.id))
                    .order_by(Comment::ID.asc())
                    .all(&db))?;
                assert_eq!(theirs, &expected, "comments of {}", post.title);
            }
            // And back up: each comment's post, each post's author.
            let all_comments = aw!(Comment::query().order_by(Comment::ID.asc()).all(&db))?;
            let parents = aw!(Comment::POST.parents_of(&all_comments, &db))?;
            for (c, p) in all_comments.iter().zip(&parents) {
                assert_eq!(p.as_ref().map(|p| p.id), Some(c.post_id));
            }
            // Empty input: no rows, and nothing is asked.
            assert!(aw!(Post::AUTHOR.children_of(&[], &db))?.is_empty());
            Ok(())
        });

        scenario!(many_to_many_and_has_one, |db| {
            let (authors, posts, tags) = seed_blog!(db);
            let post_tags = PostTag::TAG.through(PostTag::POST);
            let related = aw!(post_tags.related_of(&posts, &db))?;
            assert_eq!(
                related,
                vec![tags.clone(), vec![tags[0].clone()], vec![]],
                "A1: rust, sql; B1: rust; A2: none"
            );
            let tag_posts = aw!(PostTag::POST.through(PostTag::TAG).related_of(&tags, &db))?;
            assert_eq!(
                tag_posts,
                vec![
                    vec![posts[0].clone(), posts[1].clone()],
                    vec![posts[0].clone()]
                ]
            );
            aw!(Profile::create_table(&db))?;
            let bio = aw!(Profile {
                id: 0,
                author_id: authors[1].id,
                bio: "hi".into()
            }
            .insert(&db))?;
            let profiles = aw!(Profile::OWNER.child_of(&authors, &db))?;
            assert_eq!(profiles, vec![None, Some(bio), None]);
            Ok(())
        });
    };
}
