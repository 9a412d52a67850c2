//! Reading: every operator with its NULL semantics, ordering, limits, counts and lookups.

macro_rules! query_scenarios {
    () => {
        scenario!(eq_matches_exactly, |db| {
            seed_people!(db);
            let rows = aw!(Person::query().filter(Person::NAME.eq("Ada")).all(&db))?;
            assert_eq!(names!(rows), ["Ada"]);
            assert_eq!(rows[0].age, Some(36));
            Ok(())
        });

        scenario!(ne_matches_null_rows, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.ne(17))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Cy", "Dee"]);
            Ok(())
        });

        scenario!(ordering_comparisons, |db| {
            seed_people!(db);
            let q = |e| Person::query().filter(e).order_by(Person::ID.asc());
            assert_eq!(names!(aw!(q(Person::AGE.lt(36)).all(&db))?), ["Bob", "eve"]);
            assert_eq!(
                names!(aw!(q(Person::AGE.le(36)).all(&db))?),
                ["Ada", "Bob", "eve"]
            );
            assert_eq!(names!(aw!(q(Person::AGE.gt(36)).all(&db))?), ["Dee"]);
            assert_eq!(names!(aw!(q(Person::AGE.ge(36)).all(&db))?), ["Ada", "Dee"]);
            Ok(())
        });

        scenario!(between_is_inclusive, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.between(17, 36))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Bob", "eve"]);
            let none = aw!(Person::query()
                .filter(Person::AGE.between(40, 30))
                .count(&db))?;
            assert_eq!(none, 0);
            Ok(())
        });

        scenario!(is_in_matches_listed_values, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.is_in([17, 52]))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Bob", "Dee", "eve"]);
            Ok(())
        });

        scenario!(is_in_empty_list_matches_nothing, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.is_in(Vec::<i32>::new()))
                .all(&db))?;
            assert!(rows.is_empty());
            Ok(())
        });

        scenario!(not_in_keeps_null_rows, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.not_in([17, 52]))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Cy"]);
            Ok(())
        });

        scenario!(not_in_empty_list_matches_all, |db| {
            seed_people!(db);
            assert_eq!(
                aw!(Person::query()
                    .filter(Person::AGE.not_in(Vec::<i32>::new()))
                    .count(&db))?,
                5
            );
            Ok(())
        });

        scenario!(in_lists_of_each_kind_agree_on_every_backend, |db| {
            // PostgreSQL binds these lists as one array (`= ANY($1)`, `<> ALL($1)`), the
            // others as one placeholder per value: the rows must be the same.
            seed_people!(db);
            let q = |e| Person::query().filter(e).order_by(Person::ID.asc());
            assert_eq!(
                names!(aw!(q(Person::ID.is_in([1_i64, 3, 99])).all(&db))?),
                ["Ada", "Cy"]
            );
            assert_eq!(
                names!(aw!(q(Person::NAME.is_in(["Dee", "Ada", "zed"])).all(&db))?),
                ["Ada", "Dee"]
            );
            assert_eq!(
                names!(aw!(q(Person::NAME.not_in(["Dee", "Ada"])).all(&db))?),
                ["Bob", "Cy", "eve"]
            );
            assert_eq!(aw!(q(Person::SCORE.is_in([0.0, 2.5])).count(&db))?, 5);
            assert_eq!(aw!(q(Person::ACTIVE.is_in([false])).count(&db))?, 0);
            // A nullable text column whose rows are all NULL: NOT IN keeps them.
            assert_eq!(aw!(q(Person::NICKNAME.not_in(["x"])).count(&db))?, 5);
            assert_eq!(aw!(q(Person::NICKNAME.is_in(["x"])).count(&db))?, 0);
            Ok(())
        });

        scenario!(in_lists_holding_null_keep_their_null_semantics, |db| {
            // The typed API takes no NULL into a list; the AST does, and PostgreSQL's array
            // then holds a NULL element, which must mean what the NULL in `IN (...)` means.
            seed_people!(db);
            let list = |ages: &[Option<i32>], negated: bool| {
                ambidex::Expr::<Person>::from_node(ambidex_core::ast::Node::In {
                    column: Person::AGE.column_ref(),
                    values: ages
                        .iter()
                        .map(|a| {
                            a.map_or(
                                ambidex::Value::Null(ambidex_core::ValueKind::I32),
                                ambidex::Value::I32,
                            )
                        })
                        .collect(),
                    negated,
                })
            };
            let q = |e| Person::query().filter(e).order_by(Person::ID.asc());
            // A NULL in the list matches no row, not even a NULL column.
            assert_eq!(
                names!(aw!(q(list(&[Some(17), None], false)).all(&db))?),
                ["Bob", "eve"]
            );
            assert_eq!(aw!(q(list(&[None], false)).count(&db))?, 0);
            // NOT IN a list holding a NULL is unknown for every value not listed, so only
            // the NULL column's row (which `not_in` keeps) remains.
            assert_eq!(
                names!(aw!(q(list(&[Some(17), None], true)).all(&db))?),
                ["Cy"]
            );
            assert_eq!(names!(aw!(q(list(&[None], true)).all(&db))?), ["Cy"]);
            // NOT over the list is the two-valued complement.
            assert_eq!(
                names!(aw!(q(!list(&[Some(17), None], false)).all(&db))?),
                ["Ada", "Cy", "Dee"]
            );
            assert_eq!(
                names!(aw!(q(!list(&[Some(17), None], true)).all(&db))?),
                ["Ada", "Bob", "Dee", "eve"]
            );
            // And over lists without NULLs, whose NULL rows `not_in` keeps.
            assert_eq!(
                names!(aw!(q(!Person::AGE.not_in([17, 36])).all(&db))?),
                ["Ada", "Bob", "eve"]
            );
            assert_eq!(
                names!(aw!(q(!Person::AGE.is_in([17, 36])).all(&db))?),
                ["Cy", "Dee"]
            );
            Ok(())
        });

        scenario!(in_lists_render_one_array_on_postgres, |db| {
            let pg = |n: i32| {
                Person::query()
                    .filter(Person::AGE.is_in(0..n))
                    .to_sql(ambidex::Dialect::Postgres)
            };
            let (short, long) = (pg(2)?, pg(500)?);
            assert!(
                short.sql().ends_with(r#"WHERE "age" = ANY($1)"#),
                "{}",
                short.sql()
            );
            assert_eq!(short.sql(), long.sql(), "one text for every length");
            assert_eq!(long.binds().len(), 1);
            let not_in = Person::query()
                .filter(Person::AGE.not_in([1, 2]))
                .to_sql(ambidex::Dialect::Postgres)?;
            assert!(
                not_in
                    .sql()
                    .ends_with(r#"WHERE ("age" <> ALL($1) OR "age" IS NULL)"#),
                "{}",
                not_in.sql()
            );
            let sqlite = Person::query()
                .filter(Person::AGE.is_in([1, 2]))
                .to_sql(ambidex::Dialect::Sqlite)?;
            assert!(
                sqlite.sql().ends_with(r#"WHERE "age" IN (?, ?)"#),
                "{}",
                sqlite.sql()
            );
            // And the handle in use runs it.
            seed_people!(db);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.is_in(0..500)).count(&db))?,
                4
            );
            Ok(())
        });

        scenario!(is_null_and_is_not_null, |db| {
            seed_people!(db);
            assert_eq!(
                names!(aw!(Person::query().filter(Person::AGE.is_null()).all(&db))?),
                ["Cy"]
            );
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.is_not_null()).count(&db))?,
                4
            );
            Ok(())
        });

        scenario!(comparisons_never_match_null, |db| {
            seed_people!(db);
            let lt = aw!(Person::query().filter(Person::AGE.lt(1000)).count(&db))?;
            let ge = aw!(Person::query().filter(Person::AGE.ge(0)).count(&db))?;
            assert_eq!((lt, ge), (4, 4));
            Ok(())
        });

        scenario!(like_is_case_sensitive, |db| {
            seed_people!(db);
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.like("E%"))
                    .all(&db))?),
                Vec::<&str>::new()
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.like("e_e"))
                    .all(&db))?),
                ["eve"]
            );
            Ok(())
        });

        scenario!(ilike_ignores_case, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::NAME.ilike("%E%"))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Dee", "eve"]);
            let rows = aw!(Person::query().filter(Person::NAME.icontains("A")).all(&db))?;
            assert_eq!(names!(rows), ["Ada"]);
            Ok(())
        });

        scenario!(starts_ends_contains, |db| {
            seed_people!(db);
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.starts_with("D"))
                    .all(&db))?),
                ["Dee"]
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.ends_with("ob"))
                    .all(&db))?),
                ["Bob"]
            );
            let rows = aw!(Person::query()
                .filter(Person::NAME.contains("e"))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Dee", "eve"]);
            Ok(())
        });

        scenario!(text_matching_treats_wildcards_literally, |db| {
            aw!(Person::create_table(&db))?;
            for name in ["50%", "5000", "a_b", "axb", "x*y", "x?y", "[z]"] {
                aw!(person(name, None).insert(&db))?;
            }
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.contains("%"))
                    .all(&db))?),
                ["50%"]
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.contains("_"))
                    .all(&db))?),
                ["a_b"]
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.contains("*"))
                    .all(&db))?),
                ["x*y"]
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.starts_with("["))
                    .all(&db))?),
                ["[z]"]
            );
            assert_eq!(
                names!(aw!(Person::query()
                    .filter(Person::NAME.ends_with("?y"))
                    .all(&db))?),
                ["x?y"]
            );
            Ok(())
        });

        scenario!(and_or_not_combine, |db| {
            seed_people!(db);
            let q = Person::AGE
                .eq(17)
                .and(Person::NAME.eq("Bob"))
                .or(Person::NAME.eq("Dee"));
            let rows = aw!(Person::query()
                .filter(q)
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Bob", "Dee"]);
            let rows = aw!(Person::query()
                .filter((Person::AGE.eq(17) | Person::AGE.eq(36)) & !Person::NAME.eq("eve"))
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Ada", "Bob"]);
            Ok(())
        });

        scenario!(not_of_unknown_matches_null_rows, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.gt(20).not())
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(rows), ["Bob", "Cy", "eve"]);
            Ok(())
        });

        scenario!(filters_chain_as_and, |db| {
            seed_people!(db);
            let rows = aw!(Person::query()
                .filter(Person::AGE.eq(17))
                .filter(Person::NAME.eq("eve"))
                .all(&db))?;
            assert_eq!(names!(rows), ["eve"]);
            Ok(())
        });

        scenario!(order_ascending_and_descending, |db| {
            seed_people!(db);
            assert_eq!(
                names!(aw!(Person::query().order_by(Person::NAME.asc()).all(&db))?),
                ["Ada", "Bob", "Cy", "Dee", "eve"]
            );
            assert_eq!(
                names!(aw!(Person::query().order_by(Person::NAME.desc()).all(&db))?),
                ["eve", "Dee", "Cy", "Bob", "Ada"]
            );
            Ok(())
        });

        scenario!(nulls_sort_first_ascending_last_descending, |db| {
            seed_people!(db);
            let asc = aw!(Person::query()
                .order_by(Person::AGE.asc())
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(asc), ["Cy", "Bob", "eve", "Ada", "Dee"]);
            let desc = aw!(Person::query()
                .order_by(Person::AGE.desc())
                .order_by(Person::ID.asc())
                .all(&db))?;
            assert_eq!(names!(desc), ["Dee", "Ada", "Bob", "eve", "Cy"]);
            Ok(())
        });

        scenario!(limit_and_offset_page, |db| {
            seed_people!(db);
            let page = aw!(Person::query()
                .order_by(Person::ID.asc())
                .limit(2)
                .offset(1)
                .all(&db))?;
            assert_eq!(names!(page), ["Bob", "Cy"]);
            let rest = aw!(Person::query()
                .order_by(Person::ID.asc())
                .offset(3)
                .all(&db))?;
            assert_eq!(names!(rest), ["Dee", "eve"]);
            assert!(aw!(Person::query().limit(0).all(&db))?.is_empty());
            assert!(aw!(Person::query().offset(50).all(&db))?.is_empty());
            Ok(())
        });

        scenario!(count_and_exists, |db| {
            seed_people!(db);
            assert_eq!(aw!(Person::query().count(&db))?, 5);
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.eq(17)).count(&db))?,
                2
            );
            assert_eq!(
                aw!(Person::query()
                    .order_by(Person::ID.asc())
                    .limit(3)
                    .offset(1)
                    .count(&db))?,
                3
            );
            assert!(aw!(Person::query()
                .filter(Person::NAME.eq("Dee"))
                .exists(&db))?);
            assert!(!aw!(Person::query()
                .filter(Person::NAME.eq("Zed"))
                .exists(&db))?);
            Ok(())
        });

        scenario!(get_finds_by_key, |db| {
            seed_people!(db);
            let dee = aw!(Person::get(4, &db))?;
            assert_eq!(dee.name, "Dee");
            assert_eq!(
                aw!(Person::find(4).first(&db))?.map(|p| p.name),
                Some("Dee".to_string())
            );
            Ok(())
        });

        scenario!(get_absent_is_not_found, |db| {
            seed_people!(db);
            match aw!(Person::get(99, &db)) {
                Err(ambidex::Error::NotFound { model, table }) => {
                    assert_eq!((model, table), ("Person", "person"));
                }
                other => panic!("expected NotFound, got {other:?}"),
            }
            assert_eq!(aw!(Person::find(99).first(&db))?, None);
            Ok(())
        });

        scenario!(first_returns_first_in_order_or_none, |db| {
            seed_people!(db);
            let oldest = aw!(Person::query().order_by(Person::AGE.desc()).first(&db))?;
            assert_eq!(oldest.map(|p| p.name), Some("Dee".to_string()));
            assert_eq!(
                aw!(Person::query().filter(Person::AGE.gt(100)).first(&db))?,
                None
            );
            Ok(())
        });

        scenario!(one_requires_exactly_one_row, |db| {
            seed_people!(db);
            assert_eq!(
                aw!(Person::query().filter(Person::NAME.eq("Bob")).one(&db))?.name,
                "Bob"
            );
            assert!(matches!(
                aw!(Person::query().filter(Person::NAME.eq("Zed")).one(&db)),
                Err(ambidex::Error::NotFound { .. })
            ));
            assert!(matches!(
                aw!(Person::query().filter(Person::AGE.eq(17)).one(&db)),
                Err(ambidex::Error::MultipleRows { model: "Person" })
            ));
            Ok(())
        });

        scenario!(empty_table_queries, |db| {
            aw!(Person::create_table(&db))?;
            assert!(aw!(Person::query().all(&db))?.is_empty());
            assert_eq!(aw!(Person::query().count(&db))?, 0);
            assert!(!aw!(Person::query().exists(&db))?);
            assert_eq!(aw!(Person::query().first(&db))?, None);
            Ok(())
        });

        scenario!(skipped_fields_load_as_default, |db| {
            aw!(Person::create_table(&db))?;
            let mut p = person("Sam", None);
            p.cached = Some("not a column".into());
            let stored = aw!(p.insert(&db))?;
            assert_eq!(stored.cached, None);
            assert_eq!(aw!(Person::get(stored.id, &db))?.cached, None);
            Ok(())
        });
    };
}
