//! Keyset pages (`query.page(size).after(cursor).fetch(&db)`): the pages of every order
//! shape (key order, ties, descending, text, mixed directions, filters), the last page's
//! `next` (also when the rows are an exact multiple of the size), bad cursors and sizes
//! refused, and rows seen exactly once while a writer inserts and deletes between pages.

/// Every page of `$q()` (a closure returning a query) with `$size` rows each, following
/// each `next` cursor through its text as a client would: the pages' rows, in order.
macro_rules! all_pages {
    ($db:ident, $q:expr, $size:expr) => {{
        let mut pages: Vec<Vec<Person>> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = aw!($q().page($size).after(cursor.as_deref()).fetch(&$db))?;
            pages.push(page.items);
            match page.next {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
            assert!(pages.len() < 10_000, "pages without end");
        }
        pages
    }};
}

/// The emails of each page (unique, unlike names).
macro_rules! page_emails {
    ($pages:expr) => {
        $pages
            .iter()
            .map(|p| p.iter().map(|r| r.email.as_str()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
}

/// Inserts people `p0`, `p1`... `p{n-1}` with ages 0, 1, ... and scores `i % 3`.
macro_rules! seed_pages {
    ($db:ident, $n:expr) => {{
        aw!(Person::create_table(&$db))?;
        let rows: Vec<Person> = (0..$n)
            .map(|i| Person {
                score: f64::from(i % 3),
                ..person(&format!("p{i}"), Some(i))
            })
            .collect();
        aw!(Person::insert_many(&rows, &$db))?;
    }};
}

/// Pages through 1,000 people (`o0000`..., scores `i % 10`) in order `$order` with 100
/// rows a page while, after each of the first 8 pages, a writer inserts 2 rows that sort
/// first (name `a..`, score 100) and 2 that sort last (name `z..`, score -1) in score and
/// name order, and deletes 2 of the original rows. Checks that every original row not
/// deleted is seen exactly once, that no row is seen twice, and that `$before` of the
/// 16 `a..` rows and `$after` of the 16 `z..` rows are seen.
macro_rules! page_under_writes {
    ($db:ident, $order:expr, $before:expr, $after:expr) => {{
        aw!(Person::create_table(&$db))?;
        let rows: Vec<Person> = (0..1_000)
            .map(|i| Person {
                score: f64::from(i % 10),
                ..person(&format!("o{i:04}"), None)
            })
            .collect();
        aw!(Person::insert_many(&rows, &$db))?;
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut deleted = std::collections::HashSet::new();
        let mut cursor: Option<ambidex::Cursor> = None;
        let mut pages = 0;
        loop {
            let page = aw!($order(Person::query())
                .page(100)
                .after(cursor.as_ref())
                .fetch(&$db))?;
            for row in &page.items {
                *seen.entry(row.name.clone()).or_default() += 1;
            }
            if pages < 8 {
                for j in 0..2 {
                    let first = Person {
                        score: 100.0,
                        ..person(&format!("a{pages}{j}"), None)
                    };
                    let last = Person {
                        score: -1.0,
                        ..person(&format!("z{pages}{j}"), None)
                    };
                    aw!(first.insert(&$db))?;
                    aw!(last.insert(&$db))?;
                }
                for i in [pages * 97 + 13, (pages * 97 + 600) % 1_000] {
                    let name = format!("o{i:04}");
                    let gone = aw!(Person::query()
                        .filter(Person::NAME.eq(name.as_str()))
                        .delete(&$db))?;
                    assert_eq!(gone, 1, "{name}");
                    deleted.insert(name);
                }
            }
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(deleted.len(), 16);
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "seen more than once: {twice:?}");
        let survivors = (0..1_000)
            .map(|i| format!("o{i:04}"))
            .filter(|n| !deleted.contains(n))
            .filter(|n| seen.get(n) == Some(&1))
            .count();
        assert_eq!(survivors, 984, "every original row not deleted, once");
        let count = |prefix: &str| seen.keys().filter(|n| n.starts_with(prefix)).count();
        assert_eq!(count("a"), $before, "rows inserted first in the order");
        assert_eq!(count("z"), $after, "rows inserted last in the order");
        assert!(pages >= 10, "{pages} pages");
    }};
}

macro_rules! page_scenarios {
    () => {
        scenario!(pages_in_key_order_end_with_no_next, |db| {
            seed_pages!(db, 10);
            let q = || Person::query();
            let by_three = all_pages!(db, q, 3);
            assert_eq!(
                page_emails!(by_three),
                [
                    vec!["p0@example.com", "p1@example.com", "p2@example.com"],
                    vec!["p3@example.com", "p4@example.com", "p5@example.com"],
                    vec!["p6@example.com", "p7@example.com", "p8@example.com"],
                    vec!["p9@example.com"],
                ]
            );
            // An exact multiple of the size: the last full page already says it is last.
            let first = aw!(Person::query().page(5).fetch(&db))?;
            assert_eq!(first.items.len(), 5);
            let second = aw!(Person::query()
                .page_after(first.next.as_ref(), 5)
                .fetch(&db))?;
            assert_eq!(names!(second.items), ["p5", "p6", "p7", "p8", "p9"]);
            assert_eq!(second.next, None);
            let whole = aw!(Person::query().page(10).fetch(&db))?;
            assert_eq!(whole.items.len(), 10);
            assert_eq!(whole.next, None);
            let none = aw!(Person::query()
                .filter(Person::NAME.eq("nobody"))
                .page(5)
                .fetch(&db))?;
            assert_eq!((none.items.len(), none.next), (0, None));
            Ok(())
        });

        scenario!(an_empty_table_is_one_empty_page, |db| {
            aw!(Person::create_table(&db))?;
            let page = aw!(Person::query()
                .order_by(Person::NAME.desc())
                .page_after(None, 20)
                .fetch(&db))?;
            assert!(page.items.is_empty());
            assert_eq!(page.next, None);
            Ok(())
        });

        scenario!(pages_follow_ties_descending_and_filters, |db| {
            seed_pages!(db, 9);
            // Scores 2, 1, 0 descending; the key orders equal scores; ages 8 and up are
            // filtered out on every page.
            let q = || {
                Person::query()
                    .filter(Person::AGE.lt(8))
                    .order_by(Person::SCORE.desc())
            };
            let pages = all_pages!(db, q, 3);
            assert_eq!(
                pages.iter().map(|p| names!(p)).collect::<Vec<_>>(),
                [
                    vec!["p2", "p5", "p1"],
                    vec!["p4", "p7", "p0"],
                    vec!["p3", "p6"],
                ]
            );
            let flat: Vec<Person> = pages.into_iter().flatten().collect();
            assert_eq!(
                flat,
                aw!(q().order_by(Person::ID.asc()).all(&db))?,
                "the same rows as all() in the same order"
            );
            // A column ordered by twice is two terms of one value; each keeps it, so the
            // pages are those of the first term alone.
            let twice = all_pages!(db, || q().order_by(Person::SCORE.asc()), 3);
            assert_eq!(
                twice.iter().map(|p| names!(p)).collect::<Vec<_>>(),
                [
                    vec!["p2", "p5", "p1"],
                    vec!["p4", "p7", "p0"],
                    vec!["p3", "p6"],
                ]
            );
            // Descending key order.
            let down = all_pages!(db, || Person::query().order_by(Person::ID.desc()), 4);
            assert_eq!(
                down.iter().map(|p| names!(p)).collect::<Vec<_>>(),
                [
                    vec!["p8", "p7", "p6", "p5"],
                    vec!["p4", "p3", "p2", "p1"],
                    vec!["p0"],
                ]
            );
            Ok(())
        });

        scenario!(pages_follow_text_order_and_mixed_directions, |db| {
            aw!(Person::create_table(&db))?;
            let rows = [
                ("apple", "apple", true),
                ("fig", "fig", false),
                ("cherry", "cherry", true),
                ("fig", "fig2", true),
                ("banana", "banana", false),
                ("date", "date", true),
                ("fig", "fig3", false),
            ];
            for (name, email, active) in rows {
                aw!(Person {
                    email: format!("{email}@example.com"),
                    active,
                    ..person(name, None)
                }
                .insert(&db))?;
            }
            let q = || {
                Person::query()
                    .order_by(Person::ACTIVE.desc())
                    .order_by(Person::NAME.asc())
            };
            let pages = all_pages!(db, q, 2);
            assert_eq!(
                page_emails!(pages),
                [
                    vec!["apple@example.com", "cherry@example.com"],
                    vec!["date@example.com", "fig2@example.com"],
                    vec!["banana@example.com", "fig@example.com"],
                    vec!["fig3@example.com"],
                ]
            );
            let by_name = all_pages!(db, || Person::query().order_by(Person::NAME.desc()), 3);
            assert_eq!(
                page_emails!(by_name),
                [
                    vec!["fig@example.com", "fig2@example.com", "fig3@example.com"],
                    vec![
                        "date@example.com",
                        "cherry@example.com",
                        "banana@example.com"
                    ],
                    vec!["apple@example.com"],
                ]
            );
            Ok(())
        });

        scenario!(bad_cursors_and_sizes_are_refused, |db| {
            seed_pages!(db, 6);
            let by_name = aw!(Person::query()
                .order_by(Person::NAME.asc())
                .page(2)
                .fetch(&db))?;
            let cursor = by_name.next.expect("a next page");
            let text = cursor.to_string();
            // The cursor's text round-trips.
            assert_eq!(text.parse::<ambidex::Cursor>()?, cursor);
            // A cursor of another order: refused, not the first page.
            for other in [
                Person::query().order_by(Person::SCORE.asc()),
                Person::query().order_by(Person::NAME.desc()),
                Person::query(),
            ] {
                expect_err!(
                    aw!(other.page_after(Some(&cursor), 2).fetch(&db)),
                    Error::InvalidQuery(_)
                );
            }
            // Truncated, tampered with in its header, not base64, empty.
            let truncated = &text[..text.len() - 3];
            let mut tampered = text.clone().into_bytes();
            tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(tampered).expect("ASCII");
            for bad in [truncated, tampered.as_str(), "not a cursor!", ""] {
                let refused = aw!(Person::query()
                    .order_by(Person::NAME.asc())
                    .page(2)
                    .after(Some(bad))
                    .fetch(&db));
                expect_err!(refused, Error::InvalidQuery(_));
            }
            // The same order with other filters: the cursor is a position, and the filters
            // still hold on its page.
            let filtered = aw!(Person::query()
                .filter(Person::AGE.ge(4))
                .order_by(Person::NAME.asc())
                .page(2)
                .after(Some(&text))
                .fetch(&db))?;
            assert_eq!(names!(filtered.items), ["p4", "p5"]);
            assert_eq!(filtered.next, None);
            // Sizes, limits and orders a page cannot have.
            for size in [0, ambidex::MAX_PAGE_SIZE + 1] {
                expect_err!(
                    aw!(Person::query().page(size).fetch(&db)),
                    Error::InvalidQuery(_)
                );
            }
            let most = aw!(Person::query().page(ambidex::MAX_PAGE_SIZE).fetch(&db))?;
            assert_eq!(most.items.len(), 6);
            expect_err!(
                aw!(Person::query().limit(3).page(2).fetch(&db)),
                Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(Person::query().offset(3).page(2).fetch(&db)),
                Error::InvalidQuery(_)
            );
            expect_err!(
                aw!(Person::query()
                    .order_by(Person::AGE.asc())
                    .page(2)
                    .fetch(&db)),
                Error::InvalidQuery(_)
            );
            Ok(())
        });

        scenario!(key_order_pages_see_each_row_once_under_writes, |db| {
            // New keys are larger than every key before them: all 32 new rows come after
            // the cursor, and are seen.
            page_under_writes!(db, |q: ambidex::Select<Person>| q, 16, 16);
            Ok(())
        });

        scenario!(score_order_pages_see_each_row_once_under_writes, |db| {
            // Score 100 sorts before every row (never seen), score -1 after (all seen).
            page_under_writes!(
                db,
                |q: ambidex::Select<Person>| q.order_by(Person::SCORE.desc()),
                0,
                16
            );
            Ok(())
        });

        scenario!(mixed_order_pages_see_each_row_once_under_writes, |db| {
            // Every row is active; names descending: `z..` before the cursor, `a..` after.
            page_under_writes!(
                db,
                |q: ambidex::Select<Person>| q
                    .order_by(Person::ACTIVE.asc())
                    .order_by(Person::NAME.desc()),
                16,
                0
            );
            Ok(())
        });
    };
}
