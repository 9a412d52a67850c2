//! The order of text (issue 19, item 12): every cell compares and sorts text by its bytes
//! (code points, for UTF-8), whatever the database's default collation. The expected values
//! are written out from [`crate::models::words`]; in byte order they are
//!
//! `A B Z _x a "a b" ab b e f É é`
//!
//! while an ICU `en-US` PostgreSQL database, left to itself, sorts them
//! `_x a A "a b" ab b B e é É f Z`. CI runs the PostgreSQL cells once more on such a
//! database (`.ci/run`, `test_icu`).

/// Every text comparison ambidex renders, on the `words` table as it is: ordering both
/// ways, range filters against values and against another column, `between`, `min`/`max`,
/// a selected column, keyset pages, and the operations whose results must not change
/// (equality, `IN`, case mapping, case-insensitive LIKE).
macro_rules! check_byte_order {
    ($db:ident) => {{
        const BYTE_ORDER: [&str; 12] = [
            "A", "B", "Z", "_x", "a", "a b", "ab", "b", "e", "f", "É", "é",
        ];
        let texts = |rows: Vec<Word>| rows.into_iter().map(|w| w.text).collect::<Vec<_>>();
        let by_text = |e| Word::query().filter(e).order_by(Word::TEXT.asc());
        let asc = aw!(Word::query().order_by(Word::TEXT.asc()).all(&$db))?;
        assert_eq!(texts(asc), BYTE_ORDER);
        let desc = aw!(Word::query().order_by(Word::TEXT.desc()).all(&$db))?;
        let mut reversed = BYTE_ORDER.to_vec();
        reversed.reverse();
        assert_eq!(texts(desc), reversed);
        let top = aw!(Word::query().order_by(Word::TEXT.desc()).limit(3).all(&$db))?;
        assert_eq!(texts(top), ["é", "É", "f"]);

        assert_eq!(
            texts(aw!(by_text(Word::TEXT.lt("a")).all(&$db))?),
            ["A", "B", "Z", "_x"]
        );
        assert_eq!(
            texts(aw!(by_text(Word::TEXT.le("B")).all(&$db))?),
            ["A", "B"]
        );
        assert_eq!(
            texts(aw!(by_text(Word::TEXT.gt("e")).all(&$db))?),
            ["f", "É", "é"]
        );
        assert_eq!(texts(aw!(by_text(Word::TEXT.ge("é")).all(&$db))?), ["é"]);
        assert_eq!(
            texts(aw!(by_text(Word::TEXT.between("Z", "b")).all(&$db))?),
            ["Z", "_x", "a", "a b", "ab", "b"]
        );
        // Column against column: `pair` is "a" (NULL for "f").
        let below_pair = aw!(Word::query()
            .filter(Word::TEXT.lt(Word::PAIR))
            .order_by(Word::ID.asc())
            .all(&$db))?;
        assert_eq!(texts(below_pair), ["B", "_x", "Z", "A"]);

        let (low, high): (Option<String>, Option<String>) = aw!(Word::query()
            .select((Word::TEXT.min(), Word::TEXT.max()))
            .one(&$db))?;
        assert_eq!(low.as_deref(), Some("A"));
        assert_eq!(high.as_deref(), Some("é"));
        let capital: Option<String> = aw!(Word::query()
            .filter(Word::TEXT.gt("_"))
            .select(Word::TEXT.min())
            .one(&$db))?;
        assert_eq!(capital.as_deref(), Some("_x"));

        let selected: Vec<String> = aw!(Word::query()
            .filter(Word::TEXT.ne("a"))
            .order_by(Word::TEXT.desc())
            .select(Word::TEXT)
            .all(&$db))?;
        assert_eq!(
            selected,
            ["é", "É", "f", "e", "b", "ab", "a b", "_x", "Z", "B", "A"]
        );
        // DISTINCT: PostgreSQL wants each ORDER BY term among the selected items.
        let distinct: Vec<String> = aw!(Word::query()
            .select(Word::TEXT.lower())
            .distinct()
            .order_by(Word::TEXT.lower().desc())
            .limit(4)
            .all(&$db))?;
        assert_eq!(distinct, ["é", "z", "f", "e"]);
        let distinct_pairs: Vec<(String, Option<String>)> = aw!(Word::query()
            .filter(Word::TEXT.lt("a"))
            .select((Word::TEXT, Word::PAIR))
            .distinct()
            .order_by(Word::TEXT.asc())
            .all(&$db))?;
        let a = || Some("a".to_string());
        assert_eq!(
            distinct_pairs,
            [
                ("A".to_string(), a()),
                ("B".to_string(), a()),
                ("Z".to_string(), a()),
                ("_x".to_string(), a()),
            ]
        );
        let paged = stream_all!(Word::query().order_by(Word::TEXT.asc()).stream(&$db))?;
        assert_eq!(texts(paged), BYTE_ORDER);

        // A computed text orders by bytes too, and case mapping stays Unicode's.
        let lowered = aw!(Word::query()
            .order_by(Word::TEXT.lower().asc())
            .order_by(Word::ID.asc())
            .all(&$db))?;
        assert_eq!(
            texts(lowered),
            [
                "_x", "a", "A", "a b", "ab", "b", "B", "e", "f", "Z", "é", "É"
            ]
        );
        let upper: Vec<String> = aw!(Word::query()
            .filter(Word::ID.eq(6))
            .select(Word::TEXT.upper())
            .all(&$db))?;
        assert_eq!(upper, ["É"]);

        // Equality, IN and LIKE never depended on the collation: exact, accent- and
        // case-sensitive; ILIKE folds case (Unicode), not accents.
        let by_id = |e| Word::query().filter(e).order_by(Word::ID.asc());
        assert_eq!(texts(aw!(by_id(Word::TEXT.eq("e")).all(&$db))?), ["e"]);
        assert_eq!(
            texts(aw!(by_id(Word::TEXT.is_in(["a", "é"])).all(&$db))?),
            ["a", "é"]
        );
        assert_eq!(
            texts(aw!(by_id(Word::TEXT.like("a%")).all(&$db))?),
            ["a", "ab", "a b"]
        );
        // (ASCII only on SQLite, as documented.)
        let folded: &[&str] = match $db.dialect() {
            ambidex::Dialect::Sqlite => &["é"],
            _ => &["é", "É"],
        };
        assert_eq!(texts(aw!(by_id(Word::TEXT.ilike("é")).all(&$db))?), folded);
        assert_eq!(
            texts(aw!(by_id(Word::TEXT.ilike("A")).all(&$db))?),
            ["a", "A"]
        );
    }};
}

macro_rules! collation_scenarios {
    () => {
        scenario!(text_orders_by_bytes_in_tables_ambidex_creates, |db| {
            aw!(Word::create_table(&db))?;
            aw!(Word::insert_many(&words(), &db))?;
            check_byte_order!(db);
            // The collation ambidex gives its text columns is no change to migrate.
            let live = aw!(ambidex::migrate::read_schema(&db))?;
            let target = ambidex::schema::Schema::from_models(db.dialect(), &[Word::META])?;
            let changes =
                ambidex::schema::diff(&live, &target, &ambidex::schema::DiffOptions::new())?;
            assert_eq!(changes, []);
            Ok(())
        });

        scenario!(text_orders_by_bytes_in_tables_ambidex_did_not_create, |db| {
            // A table made by hand, its text columns in the database's default collation
            // (on MariaDB, ambidex's contract needs a binary collation on the column).
            let ddl = match db.dialect() {
                ambidex::Dialect::Mysql => {
                    "CREATE TABLE words (id BIGINT PRIMARY KEY, \
                     `text` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, \
                     pair LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)"
                }
                _ => "CREATE TABLE words (id BIGINT PRIMARY KEY, \"text\" TEXT NOT NULL, pair TEXT)",
            };
            aw!(ambidex::raw(ddl).execute(&db))?;
            aw!(Word::insert_many(&words(), &db))?;
            check_byte_order!(db);
            Ok(())
        });
    };
}
