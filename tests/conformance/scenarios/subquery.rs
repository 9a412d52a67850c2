//! Partial models (some of a model's columns into a struct) and correlated `EXISTS`
//! subqueries, including a model correlated with itself.

/// Inserts `Boss` (no manager), `Ann` and `Ben` (managed by Boss) and `Cid` (managed by
/// Ann); evaluates to them in that order.
macro_rules! seed_staff {
    ($db:ident) => {{
        aw!(Employee::create_table(&$db))?;
        let boss = aw!(Employee {
            id: 0,
            name: "Boss".into(),
            manager_id: None
        }
        .insert(&$db))?;
        let ann = aw!(Employee {
            id: 0,
            name: "Ann".into(),
            manager_id: Some(boss.id)
        }
        .insert(&$db))?;
        let ben = aw!(Employee {
            id: 0,
            name: "Ben".into(),
            manager_id: Some(boss.id)
        }
        .insert(&$db))?;
        let cid = aw!(Employee {
            id: 0,
            name: "Cid".into(),
            manager_id: Some(ann.id)
        }
        .insert(&$db))?;
        [boss, ann, ben, cid]
    }};
}

/// The names of a list of employees.
macro_rules! employee_names {
    ($rows:expr) => {
        $rows
            .iter()
            .map(|e: &Employee| e.name.as_str())
            .collect::<Vec<_>>()
    };
}

macro_rules! subquery_scenarios {
    () => {
        scenario!(partial_model_reads_only_its_columns, |db| {
            seed_people!(db);
            let q = Person::query()
                .filter(Person::AGE.is_not_null())
                .order_by(Person::NAME.asc())
                .select_partial::<PersonSummary>();
            let sql = q.to_sql(ambidex::Dialect::Postgres)?;
            assert!(
                !sql.sql().contains("email") && sql.sql().contains("\"age\""),
                "only the partial model's columns are selected: {}",
                sql.sql()
            );
            let rows = aw!(q.all(&db))?;
            let got: Vec<(&str, Option<i32>)> =
                rows.iter().map(|p| (p.name.as_str(), p.years)).collect();
            assert_eq!(
                got,
                vec![
                    ("Ada", Some(36)),
                    ("Bob", Some(17)),
                    ("Dee", Some(52)),
                    ("eve", Some(17))
                ]
            );
            let ada = aw!(Person::query()
                .filter(Person::NAME.eq("Ada"))
                .select_partial::<PersonSummary>()
                .one(&db))?;
            assert_eq!(
                ada.id,
                aw!(Person::query().filter(Person::NAME.eq("Ada")).one(&db))?.id
            );
            // Beside an aggregate, grouped.
            let per_age = aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .select((ambidex::Partial::<PersonSummary>::new(), ambidex::count()))
                .group_by(Person::ID)
                .group_by(Person::NAME)
                .group_by(Person::AGE)
                .order_by(Person::NAME.asc())
                .all(&db))?;
            assert_eq!(per_age.len(), 2);
            assert_eq!((per_age[0].0.name.as_str(), per_age[0].1), ("Bob", 1));
            Ok(())
        });

        scenario!(correlated_exists_and_not_exists, |db| {
            let (authors, _posts, _tags) = seed_blog!(db);
            // Authors with a post titled like "A%": Ada only.
            let with_a = aw!(Author::query()
                .filter(
                    Post::query()
                        .filter(Post::TITLE.starts_with("A"))
                        .correlate(Post::AUTHOR_ID, Author::ID)
                        .exists()
                )
                .order_by(Author::ID.asc())
                .all(&db))?;
            assert_eq!(with_a, vec![authors[0].clone()]);
            // Authors with no post at all: Cy.
            let idle = aw!(Author::query()
                .filter(
                    Post::query()
                        .correlate(Post::AUTHOR_ID, Author::ID)
                        .not_exists()
                )
                .all(&db))?;
            assert_eq!(idle, vec![authors[2].clone()]);
            // Combined with other conditions, in counts, updates and deletes.
            let with_posts = || {
                Post::query()
                    .correlate(Post::AUTHOR_ID, Author::ID)
                    .exists()
            };
            assert_eq!(aw!(Author::query().filter(with_posts()).count(&db))?, 2);
            assert_eq!(
                aw!(Author::query()
                    .filter(with_posts().and(Author::NAME.ne("Ada")))
                    .count(&db))?,
                1
            );
            let renamed = aw!(Author::query()
                .filter(with_posts().not())
                .set(Author::NAME, "idle")
                .update(&db))?;
            assert_eq!(renamed, 1);
            assert_eq!(aw!(Author::get(authors[2].id, &db))?.name, "idle");
            Ok(())
        });

        scenario!(exists_correlates_a_model_with_itself, |db| {
            let [boss, ann, ben, cid] = seed_staff!(db);
            // Managers: employees whom some employee reports to.
            let managers = aw!(Employee::query()
                .filter(
                    Employee::query()
                        .correlate(Employee::MANAGER_ID, Employee::ID)
                        .exists()
                )
                .order_by(Employee::ID.asc())
                .all(&db))?;
            assert_eq!(employee_names!(managers), vec!["Boss", "Ann"]);
            // Employees whose manager also manages Ben (the link may be an `Option` column
            // on both sides; NULL links nothing, so Boss is not among them).
            let with_peer = aw!(Employee::query()
                .filter(
                    Employee::query()
                        .filter(Employee::NAME.eq("Ben"))
                        .correlate(Employee::MANAGER_ID, Employee::MANAGER_ID)
                        .exists()
                )
                .order_by(Employee::ID.asc())
                .all(&db))?;
            assert_eq!(employee_names!(with_peer), vec!["Ann", "Ben"]);
            let leaves = aw!(Employee::query()
                .filter(
                    Employee::query()
                        .correlate(Employee::MANAGER_ID, Employee::ID)
                        .not_exists()
                )
                .order_by(Employee::ID.asc())
                .all(&db))?;
            assert_eq!(leaves, vec![ben.clone(), cid.clone()]);
            let _ = (boss, ann);
            Ok(())
        });
    };
}
