//! Rich field types (docs/guide/types.md): dates and times, UUIDs, JSON and exact decimals
//! round-trip exactly at their edges on every backend, filter and sort by their value, and
//! are refused (never rounded) where a backend could not store them exactly.

/// `round_trip_as!` for a [`crate::models::Rich`] row.
macro_rules! rich_round_trip {
    ($db:ident, $row:expr) => {
        round_trip_as!($db, Rich, $row)
    };
}

macro_rules! rich_types_scenarios {
    () => {
        #[allow(unused_imports)]
        use ambidex::types::Json;
        #[allow(unused_imports)]
        use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
        #[allow(unused_imports)]
        use rust_decimal::Decimal;
        #[allow(unused_imports)]
        use std::str::FromStr;
        #[allow(unused_imports)]
        use uuid::Uuid;

        scenario!(dates_and_times_round_trip_at_the_edges, |db| {
            aw!(Rich::create_table(&db))?;
            for (y, m, d, h, mi, s, us) in [
                (2024, 2, 29, 12, 34, 56, 789_012), // leap day
                (2000, 2, 29, 0, 0, 0, 0),          // leap day of a century leap year
                (1, 1, 1, 0, 0, 0, 0),              // the first storable instant
                (9999, 12, 31, 23, 59, 59, 999_999), // the last
                (1969, 12, 31, 23, 59, 59, 999_999), // just before the Unix epoch
                (1970, 1, 1, 0, 0, 0, 1),
                (2038, 1, 19, 3, 14, 8, 0), // past 32-bit Unix time
            ] {
                let local = ymd_hms_micro(y, m, d, h, mi, s, us);
                let back = rich_round_trip!(
                    db,
                    Rich {
                        day: local.date(),
                        local,
                        at: local.and_utc(),
                        oday: Some(local.date()),
                        olocal: Some(local),
                        oat: Some(local.and_utc()),
                        ..Default::default()
                    }
                );
                assert_eq!(back.at.timestamp_subsec_micros(), us, "microseconds kept");
                assert_eq!(back.day.day(), d);
            }
            Ok(())
        });

        scenario!(date_parts_and_days_are_utc_whatever_the_session_zone, |db| {
            aw!(Rich::create_table(&db))?;
            let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let last = ymd_hms_micro(2024, 2, 29, 23, 59, 59, 999_999);
            let first = ymd_hms_micro(1999, 12, 31, 0, 0, 0, 0);
            for (local, oday) in [(last, None), (first, Some(date(2000, 1, 1)))] {
                aw!(Rich {
                    day: local.date(),
                    local,
                    at: local.and_utc(),
                    oday,
                    ..Default::default()
                }
                .insert(&db))?;
            }
            // A session far from UTC (UTC+14, MariaDB's limit +13): parts of an instant are UTC's.
            let mut conn = aw!(db.acquire())?;
            let zone = match db.dialect() {
                ambidex::Dialect::Postgres => Some("SET TIME ZONE 'Pacific/Kiritimati'"),
                ambidex::Dialect::Mysql => Some("SET time_zone = '+13:00'"),
                _ => None,
            };
            if let Some(sql) = zone {
                aw!(ambidex::raw(sql).execute(&mut conn))?;
            }
            let parts = aw!(Rich::query()
                .order_by(Rich::ID.asc())
                .select((
                    Rich::AT.year(),
                    Rich::AT.month(),
                    Rich::AT.day(),
                    Rich::AT.date(),
                    Rich::LOCAL.day(),
                    Rich::LOCAL.date(),
                    Rich::ODAY.month(),
                    Rich::ODAY.date(),
                ))
                .all(&mut conn))?;
            assert_eq!(
                parts,
                [
                    (2024, 2, 29, date(2024, 2, 29), 29, date(2024, 2, 29), None, None),
                    (1999, 12, 31, date(1999, 12, 31), 31, date(1999, 12, 31), Some(1), Some(date(2000, 1, 1))),
                ]
            );
            let leap_days: Vec<i64> = aw!(Rich::query()
                .filter(Rich::DAY.month().eq(2).and(Rich::DAY.day().eq(29)))
                .select(Rich::ID)
                .all(&mut conn))?;
            assert_eq!(leap_days, [1]);
            let per_year: Vec<(i32, i64)> = aw!(Rich::query()
                .select((Rich::AT.year(), ambidex::count()))
                .group_by(Rich::AT.year())
                .order_by(Rich::AT.year().asc())
                .all(&mut conn))?;
            assert_eq!(per_year, [(1999, 1), (2024, 1)]);
            let on_the_day = aw!(Rich::query()
                .filter(Rich::AT.date().eq(date(2024, 2, 29)))
                .count(&mut conn))?;
            assert_eq!(on_the_day, 1);
            Ok(())
        });

        scenario!(utc_instants_ignore_the_offset_they_were_written_in, |db| {
            aw!(Rich::create_table(&db))?;
            // 23:30 on 28 Feb at +05:30 is 18:00 UTC; -09:30 pushes past midnight into the
            // leap day.
            let east = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
            let west = FixedOffset::west_opt(9 * 3600 + 1800).unwrap();
            let a = east
                .with_ymd_and_hms(2024, 2, 28, 23, 30, 0)
                .unwrap()
                .with_timezone(&Utc);
            let b = west
                .with_ymd_and_hms(2024, 2, 28, 23, 30, 0)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!((a.hour(), b.day()), (18, 29));
            let ra = rich_round_trip!(db, Rich { at: a, ..Default::default() });
            let rb = rich_round_trip!(db, Rich { at: b, ..Default::default() });
            assert_eq!(ra.at, a);
            assert_eq!(rb.at.to_rfc3339(), "2024-02-29T09:00:00+00:00");
            let found = aw!(Rich::query().filter(Rich::AT.eq(b)).all(&db))?;
            assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), [rb.id]);
            Ok(())
        });

        scenario!(times_filter_and_sort_chronologically, |db| {
            aw!(Rich::create_table(&db))?;
            // Inserted out of order, spanning the epoch and four-digit years.
            let instants = [
                ymd_hms_micro(2024, 2, 29, 0, 0, 0, 1),
                ymd_hms_micro(1969, 7, 20, 20, 17, 40, 0),
                ymd_hms_micro(9999, 1, 1, 0, 0, 0, 0),
                ymd_hms_micro(2024, 2, 29, 0, 0, 0, 0),
                ymd_hms_micro(999, 12, 31, 23, 59, 59, 999_999),
            ];
            for local in instants {
                aw!(Rich {
                    day: local.date(),
                    local,
                    at: local.and_utc(),
                    ..Default::default()
                }
                .insert(&db))?;
            }
            let mut sorted = instants.to_vec();
            sorted.sort();
            let by_at = aw!(Rich::query().order_by(Rich::AT.asc()).all(&db))?;
            assert_eq!(
                by_at.iter().map(|r| r.local).collect::<Vec<_>>(),
                sorted,
                "ORDER BY a DateTime<Utc> column"
            );
            let desc = aw!(Rich::query().order_by(Rich::LOCAL.desc()).all(&db))?;
            assert_eq!(desc.first().map(|r| r.local), sorted.last().copied());
            let leap_day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
            assert_eq!(
                aw!(Rich::query().filter(Rich::DAY.eq(leap_day)).count(&db))?,
                2
            );
            // One microsecond apart: gt must tell them apart.
            let later = aw!(Rich::query()
                .filter(Rich::AT.gt(ymd_hms_micro(2024, 2, 29, 0, 0, 0, 0).and_utc()))
                .order_by(Rich::AT.asc())
                .all(&db))?;
            assert_eq!(
                later.iter().map(|r| r.local).collect::<Vec<_>>(),
                [instants[0], instants[2]]
            );
            let in_1969 = aw!(Rich::query()
                .filter(Rich::DAY.between(
                    NaiveDate::from_ymd_opt(1969, 1, 1).unwrap(),
                    NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()
                ))
                .all(&db))?;
            assert_eq!(in_1969.len(), 1);
            // MIN / MAX of dates and instants come back as the same types.
            let (first_day, last_at, none) = aw!(Rich::query()
                .select((Rich::DAY.min(), Rich::AT.max(), Rich::ODAY.max()))
                .one(&db))?;
            assert_eq!(first_day, sorted.first().map(|t| t.date()));
            assert_eq!(last_at, sorted.last().map(|t| t.and_utc()));
            assert_eq!(none, None, "no row has an `oday`");
            Ok(())
        });

        scenario!(times_a_backend_cannot_store_are_refused_and_nanoseconds_truncated, |db| {
            aw!(Rich::create_table(&db))?;
            let nanos = NaiveDate::from_ymd_opt(2024, 2, 29)
                .unwrap()
                .and_hms_nano_opt(1, 2, 3, 456_789_123)
                .unwrap();
            let leap_second = NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_milli_opt(23, 59, 59, 1_500)
                .unwrap();
            let year_10000 = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
            let year_0 = NaiveDate::from_ymd_opt(0, 12, 31).unwrap();
            let rows = [
                (Rich { olocal: Some(leap_second), ..Default::default() }, "leap second"),
                (Rich { day: year_10000, ..Default::default() }, "0001 to 9999"),
                (Rich { oday: Some(year_0), ..Default::default() }, "0001 to 9999"),
                (
                    Rich {
                        at: year_10000.and_hms_opt(0, 0, 0).unwrap().and_utc(),
                        ..Default::default()
                    },
                    "0001 to 9999",
                ),
            ];
            for (row, why) in rows {
                match aw!(row.insert(&db)) {
                    Err(ambidex::Error::ValueOutOfRange { message }) => {
                        assert!(message.contains(why), "{message}")
                    }
                    other => panic!("expected ValueOutOfRange ({why}), got {other:?}"),
                }
            }
            // Refused in a filter too, before anything is sent.
            expect_err!(
                aw!(Rich::query().filter(Rich::DAY.eq(year_10000)).all(&db)),
                ambidex::Error::ValueOutOfRange { .. }
            );
            assert_eq!(aw!(Rich::query().count(&db))?, 0, "nothing was stored");
            // Nanoseconds are truncated to the microsecond (toward the past), in a write
            // and in a filter alike: the filter finds the row the same value was stored as.
            let stored =
                aw!(Rich { local: nanos, at: nanos.and_utc(), ..Default::default() }.insert(&db))?;
            let back = aw!(Rich::get(stored.id, &db))?;
            assert_eq!(stored, back, "insert returns the row as stored");
            assert_eq!(back.local.nanosecond(), 456_789_000);
            assert_eq!(back.at.nanosecond(), 456_789_000);
            assert_eq!(back.local.second(), 3);
            let found = aw!(Rich::query()
                .filter(Rich::LOCAL.eq(nanos))
                .filter(Rich::AT.eq(nanos.and_utc()))
                .all(&db))?;
            assert_eq!(found.len(), 1, "the filter truncates as the write did");
            // 999,999,999 ns stays in its second (truncation, not rounding up).
            let last_nano = NaiveDate::from_ymd_opt(2024, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 999_999_999)
                .unwrap();
            let stored = aw!(Rich { local: last_nano, ..Default::default() }.insert(&db))?;
            let back = aw!(Rich::get(stored.id, &db))?;
            assert_eq!(
                back.local,
                NaiveDate::from_ymd_opt(2024, 12, 31)
                    .unwrap()
                    .and_hms_micro_opt(23, 59, 59, 999_999)
                    .unwrap()
            );
            // `Utc::now()` is stored and found in one call (this is what it returns, with
            // nanoseconds; chrono's `clock` feature is not enabled in this build).
            let now = DateTime::<Utc>::from(std::time::SystemTime::now());
            let stored = aw!(Rich { at: now, ..Default::default() }.insert(&db))?;
            assert_eq!(
                aw!(Rich::query().filter(Rich::AT.eq(now)).one(&db))?.id,
                stored.id
            );
            Ok(())
        });

        scenario!(exact_times_refuse_what_would_be_lost, |db| {
            use ambidex::types::Exact;
            aw!(Stamp::create_table(&db))?;
            let micros = NaiveDate::from_ymd_opt(2024, 2, 29)
                .unwrap()
                .and_hms_micro_opt(1, 2, 3, 456_789)
                .unwrap();
            let time = chrono::NaiveTime::from_hms_micro_opt(4, 5, 6, 7).unwrap();
            let exact = Stamp {
                id: 0,
                at: Exact(micros.and_utc()),
                local: Some(Exact(micros)),
                time: Exact(time),
            };
            let stored = aw!(exact.clone().insert(&db))?;
            let back = aw!(Stamp::get(stored.id, &db))?;
            assert_eq!((back.at, back.local, back.time), (exact.at, exact.local, exact.time));
            assert_eq!(
                aw!(Stamp::query().filter(Stamp::AT.eq(Exact(micros.and_utc()))).count(&db))?,
                1
            );
            let nanos = micros.with_nanosecond(456_789_001).unwrap();
            let refused = [
                Stamp { at: Exact(nanos.and_utc()), ..exact.clone() },
                Stamp { local: Some(Exact(nanos)), ..exact.clone() },
                Stamp { time: Exact(nanos.time()), ..exact.clone() },
            ];
            for row in refused {
                match aw!(row.insert(&db)) {
                    Err(ambidex::Error::ValueOutOfRange { message }) => {
                        assert!(message.contains("sub-microsecond"), "{message}");
                        assert!(message.contains("Exact"), "{message}");
                    }
                    other => panic!("expected ValueOutOfRange, got {other:?}"),
                }
            }
            expect_err!(
                aw!(Stamp::query().filter(Stamp::AT.eq(Exact(nanos.and_utc()))).all(&db)),
                ambidex::Error::ValueOutOfRange { .. }
            );
            assert_eq!(aw!(Stamp::query().count(&db))?, 1, "nothing more was stored");
            Ok(())
        });

        scenario!(uuids_round_trip_and_key_rows, |db| {
            aw!(Token::create_table(&db))?;
            let ids = [
                Uuid::nil(),
                Uuid::max(),
                Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8),
                Uuid::from_u128(0x0000_0000_0000_0000_0000_0000_0000_0001),
            ];
            for (i, id) in ids.into_iter().enumerate() {
                let token = Token {
                    id,
                    issued: ymd_hms_micro(2024, 1, 1, 0, 0, i as u32, 0).and_utc(),
                    owner: (i % 2 == 0).then_some(ids[3]),
                };
                assert_eq!(aw!(token.insert(&db))?, token);
                assert_eq!(aw!(Token::get(id, &db))?, token);
            }
            let owned = aw!(Token::query()
                .filter(Token::OWNER.eq(ids[3]))
                .order_by(Token::ISSUED.asc())
                .all(&db))?;
            assert_eq!(owned.iter().map(|t| t.id).collect::<Vec<_>>(), [ids[0], ids[2]]);
            assert_eq!(
                aw!(Token::query().filter(Token::OWNER.is_null()).count(&db))?,
                2
            );
            assert_eq!(
                aw!(Token::query().filter(Token::ID.is_in(&ids[1..3])).count(&db))?,
                2
            );
            // Lists of uuids (one `uuid[]` array on PostgreSQL), negated and over a nullable
            // column, and of UTC instants (one placeholder per value on every backend).
            let q = |e| Token::query().filter(e);
            assert_eq!(aw!(q(Token::ID.not_in(&ids[1..3])).count(&db))?, 2);
            assert_eq!(aw!(q(Token::OWNER.is_in([ids[3], ids[1]])).count(&db))?, 2);
            assert_eq!(aw!(q(Token::OWNER.not_in([ids[3]])).count(&db))?, 2);
            assert_eq!(aw!(q(Token::OWNER.not_in([ids[0]])).count(&db))?, 4);
            assert_eq!(aw!(q(!Token::OWNER.is_in([ids[3]])).count(&db))?, 2);
            let second = |s| ymd_hms_micro(2024, 1, 1, 0, 0, s, 0).and_utc();
            let instants = [second(1), second(3), second(9)];
            assert_eq!(aw!(q(Token::ISSUED.is_in(instants)).count(&db))?, 2);
            assert_eq!(aw!(q(Token::ISSUED.not_in([second(1)])).count(&db))?, 3);
            // The key is unique, and a uuid key updates and deletes its row.
            let dup = Token {
                id: ids[2],
                issued: ymd_hms_micro(2025, 1, 1, 0, 0, 0, 0).and_utc(),
                owner: None,
            };
            expect_err!(aw!(dup.insert(&db)), ambidex::Error::UniqueViolation { .. });
            aw!(dup.update(&db))?;
            assert_eq!(aw!(Token::get(ids[2], &db))?, dup);
            aw!(dup.delete(&db))?;
            expect_err!(aw!(Token::get(ids[2], &db)), ambidex::Error::NotFound { .. });
            Ok(())
        });

        scenario!(nested_unicode_json_round_trips, |db| {
            aw!(Rich::create_table(&db))?;
            let doc = serde_json::json!({
                "naïve café": "日本語 — עברית — العربية — 😀👩🏽‍💻",
                "escapes": "quote \" backslash \\ newline \n tab \t \u{1} \u{7f} \u{2028}",
                "deep": {"a": [1, [2, [3, [4, {"b": [true, false, null]}]]]]},
                "numbers": [0, -1, i64::MIN, i64::MAX, u64::MAX, 1.5, -0.25, 1e-7],
                "empty": {"object": {}, "array": [], "string": ""},
                "'; DROP TABLE rich_types; --": "?",
            });
            let prefs = Prefs {
                theme: "dark 🌙".into(),
                tags: vec!["ä".into(), "\u{10ffff}".into(), String::new()],
                limits: [("日".to_string(), i64::MAX), ("".to_string(), -1)].into(),
                nested: Some(Box::new(Prefs {
                    theme: "inner".into(),
                    ..Default::default()
                })),
            };
            let back = rich_round_trip!(
                db,
                Rich {
                    doc: doc.clone(),
                    prefs: Json(prefs.clone()),
                    odoc: Some(serde_json::Value::Null),
                    oprefs: Some(Json(Prefs::default())),
                    ..Default::default()
                }
            );
            assert_eq!(back.doc, doc);
            assert_eq!(back.prefs.0, prefs);
            // JSON null is a value; SQL NULL is None.
            assert_eq!(back.odoc, Some(serde_json::Value::Null));
            let none = rich_round_trip!(db, Rich::default());
            assert_eq!((none.odoc, none.oprefs), (None, None));
            // A NUL character in a JSON string: PostgreSQL's jsonb cannot hold it and the
            // server refuses the row; the other backends keep it.
            let nul = serde_json::json!({"nul": "a\u{0}b"});
            let written = aw!(Rich { doc: nul.clone(), ..Default::default() }.insert(&db));
            if db.dialect() == ambidex::Dialect::Postgres {
                assert!(written.is_err(), "PostgreSQL stored a NUL in jsonb: {written:?}");
            } else {
                assert_eq!(aw!(Rich::get(written?.id, &db))?.doc, nul);
            }
            // Scalars and arrays are documents too.
            for doc in [
                serde_json::json!("just a string"),
                serde_json::json!(42),
                serde_json::json!([[], {}, [null]]),
            ] {
                rich_round_trip!(db, Rich { doc, ..Default::default() });
            }
            Ok(())
        });

        scenario!(json_nested_beyond_the_limit_is_refused_before_writing, |db| {
            aw!(Rich::create_table(&db))?;
            // `depth` arrays around an object: `[[..{"leaf": true}..]]`.
            let nested = |depth: usize| {
                let mut v = serde_json::json!({"leaf": true});
                for _ in 1..depth {
                    v = serde_json::json!([v]);
                }
                v
            };
            // 31 levels (MariaDB's limit) round-trip in every cell.
            let back = rich_round_trip!(db, Rich { doc: nested(31), ..Default::default() });
            assert_eq!(back.doc, nested(31));
            // 32, and 200 (beyond serde_json's read limit of 127): refused before anything
            // is sent, in a write and in a filter; nothing is stored and the table stays
            // readable.
            for depth in [32, 200] {
                match aw!(Rich { doc: nested(depth), ..Default::default() }.insert(&db)) {
                    Err(ambidex::Error::ValueOutOfRange { message }) => assert!(
                        message.contains(&format!("nested {depth} levels")),
                        "{message}"
                    ),
                    other => panic!("depth {depth}: expected ValueOutOfRange, got {other:?}"),
                }
                expect_err!(
                    aw!(Rich::query().filter(Rich::ODOC.eq(nested(depth))).all(&db)),
                    ambidex::Error::ValueOutOfRange { .. }
                );
            }
            let all = aw!(Rich::query().all(&db))?;
            assert_eq!(all.len(), 1, "only the 31-level row is stored, and it reads");
            Ok(())
        });

        scenario!(decimal_sums_are_exact_everywhere, |db| {
            aw!(Rich::create_table(&db))?;
            // 0.1 + 0.2 in doubles is 0.30000000000000004; a Decimal sum is exact, and so
            // is a sum with 28 fractional digits or 28 significant ones.
            let amounts = [
                ("0.1", Some("0.0000000000000000000000000001")),
                ("0.2", None),
                ("12345678901234567890.12345678", Some("-0.0000000000000000000000000001")),
                ("-12345678901234567890", None),
            ];
            for (amount, oamount) in amounts {
                aw!(Rich {
                    amount: Decimal::from_str(amount).unwrap(),
                    oamount: oamount.map(|a| Decimal::from_str(a).unwrap()),
                    ..Default::default()
                }
                .insert(&db))?;
            }
            let (total, ototal, low, high): (Option<Decimal>, Option<Decimal>, Option<Decimal>, Option<Decimal>) =
                aw!(Rich::query()
                    .select((Rich::AMOUNT.sum(), Rich::OAMOUNT.sum(), Rich::AMOUNT.min(), Rich::AMOUNT.max()))
                    .one(&db))?;
            assert_eq!(total, Some(Decimal::from_str("0.42345678").unwrap()));
            assert_eq!(ototal, Some(Decimal::ZERO));
            assert_eq!(low, Some(Decimal::from_str("-12345678901234567890").unwrap()));
            assert_eq!(high, Some(Decimal::from_str("12345678901234567890.12345678").unwrap()));
            // No value: NULL, as SUM.
            let none: Option<Decimal> = aw!(Rich::query()
                .filter(Rich::ID.eq(-1))
                .select(Rich::AMOUNT.sum())
                .one(&db))?;
            assert_eq!(none, None);
            // Per group, filtered.
            let small: Option<Decimal> = aw!(Rich::query()
                .filter(Rich::AMOUNT.lt(Decimal::ONE))
                .select(Rich::AMOUNT.sum())
                .one(&db))?;
            assert_eq!(small, Some(Decimal::from_str("-12345678901234567889.7").unwrap()));
            Ok(())
        });

        scenario!(decimals_keep_every_digit, |db| {
            aw!(Rich::create_table(&db))?;
            let d = |s: &str| Decimal::from_str(s).unwrap();
            for amount in [
                Decimal::MAX,
                Decimal::MIN,
                d("0.0000000000000000000000000001"), // the smallest step: scale 28
                d("-0.0000000000000000000000000001"),
                d("7.9228162514264337593543950335"), // 29 digits, scale 28
                d("12345678901234567890.12345678"),
                d("0.1"),
                d("-1.5"),
                Decimal::ZERO,
                d("100"),
            ] {
                let back = rich_round_trip!(
                    db,
                    Rich { amount, oamount: Some(amount), ..Default::default() }
                );
                // Equal and printed the same (values come back normalized).
                assert_eq!(back.amount.to_string(), amount.normalize().to_string());
                let found = aw!(Rich::query().filter(Rich::AMOUNT.eq(amount)).all(&db))?;
                assert_eq!(found.len(), 1, "{amount} finds its row by equality");
            }
            // The scale written does not matter: 1.50 is 1.5.
            let r = rich_round_trip!(db, Rich { amount: d("1.50"), ..Default::default() });
            assert_eq!(r.amount.to_string(), "1.5");
            assert_eq!(
                aw!(Rich::query().filter(Rich::AMOUNT.eq(d("1.5000"))).count(&db))?,
                1
            );
            Ok(())
        });

        scenario!(times_of_day_round_trip_compare_and_sort, |db| {
            use chrono::NaiveTime;
            aw!(Shift::create_table(&db))?;
            let t = |h, m, s, us| NaiveTime::from_hms_micro_opt(h, m, s, us).unwrap();
            let times = [
                t(23, 59, 59, 999_999),
                NaiveTime::MIN,
                t(12, 0, 0, 500_000),
                t(9, 30, 0, 0),
                t(0, 0, 0, 1),
            ];
            for (i, starts) in times.into_iter().enumerate() {
                let ends = (i % 2 == 0).then(|| t(23, 0, 0, 0));
                let back = aw!(Shift { id: 0, starts, ends }.insert(&db))?;
                assert_eq!((back.starts, back.ends), (starts, ends));
                assert_eq!(aw!(Shift::get(back.id, &db))?.starts, starts);
            }
            let mut want = times.to_vec();
            want.sort();
            let sorted: Vec<NaiveTime> = aw!(Shift::query().order_by(Shift::STARTS.asc()).all(&db))?
                .into_iter()
                .map(|s| s.starts)
                .collect();
            assert_eq!(sorted, want);
            assert_eq!(
                aw!(Shift::query().filter(Shift::STARTS.lt(t(12, 0, 0, 0))).count(&db))?,
                3
            );
            assert_eq!(aw!(Shift::query().filter(Shift::ENDS.is_null()).count(&db))?, 2);
            // Nanoseconds are truncated to the microsecond, as for a date and time.
            let nanos = NaiveTime::from_hms_nano_opt(1, 2, 3, 4_999).unwrap();
            let stored = aw!(Shift { id: 0, starts: nanos, ends: None }.insert(&db))?;
            let back = aw!(Shift::get(stored.id, &db))?;
            assert_eq!(back.starts, NaiveTime::from_hms_micro_opt(1, 2, 3, 4).unwrap());
            Ok(())
        });

        scenario!(decimals_compare_and_sort_by_value, |db| {
            aw!(Rich::create_table(&db))?;
            let d = |s: &str| Decimal::from_str(s).unwrap();
            // Text order would put "10" before "9" and "-9.5" after "-10".
            let values = ["10", "9", "-9.5", "-10", "0.25", "100.001", "0.3", "2", "-0.0000000000000000000000000001"];
            for v in values {
                aw!(Rich { amount: d(v), ..Default::default() }.insert(&db))?;
            }
            let mut want: Vec<Decimal> = values.iter().map(|v| d(v)).collect();
            want.sort();
            let sorted: Vec<Decimal> = aw!(Rich::query().order_by(Rich::AMOUNT.asc()).all(&db))?
                .into_iter()
                .map(|r| r.amount)
                .collect();
            assert_eq!(sorted, want);
            let big: Vec<Decimal> = aw!(Rich::query()
                .filter(Rich::AMOUNT.gt(d("2")))
                .order_by(Rich::AMOUNT.desc())
                .all(&db))?
            .into_iter()
            .map(|r| r.amount)
            .collect();
            assert_eq!(big, [d("100.001"), d("10"), d("9")]);
            assert_eq!(
                aw!(Rich::query().filter(Rich::AMOUNT.between(d("-10"), d("0.25"))).count(&db))?,
                4
            );
            let (lo, hi): (Option<Decimal>, Option<Decimal>) =
                aw!(Rich::query().select((Rich::AMOUNT.min(), Rich::AMOUNT.max())).one(&db))?;
            assert_eq!((lo, hi), (Some(d("-10")), Some(d("100.001"))));
            Ok(())
        });

        scenario!(rich_nulls_round_trip_and_filter, |db| {
            aw!(Rich::create_table(&db))?;
            let none = rich_round_trip!(db, Rich::default());
            let some = rich_round_trip!(
                db,
                Rich {
                    oday: Some(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
                    olocal: Some(ymd_hms_micro(2024, 2, 29, 1, 2, 3, 4)),
                    oat: Some(ymd_hms_micro(2024, 2, 29, 1, 2, 3, 4).and_utc()),
                    ouid: Some(Uuid::max()),
                    oamount: Some(Decimal::ONE),
                    odoc: Some(serde_json::json!({"k": "v"})),
                    oprefs: Some(Json(Prefs::default())),
                    ..Default::default()
                }
            );
            let ids = |rows: Vec<Rich>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
            assert_eq!(
                ids(aw!(Rich::query().filter(Rich::OAT.is_null()).all(&db))?),
                [none.id]
            );
            assert_eq!(
                ids(aw!(Rich::query().filter(Rich::OUID.is_not_null()).all(&db))?),
                [some.id]
            );
            assert_eq!(
                ids(aw!(Rich::query().filter(Rich::OAMOUNT.eq(Decimal::ONE)).all(&db))?),
                [some.id]
            );
            // Setting a value to NULL and back through an update by filter.
            let n = aw!(Rich::query()
                .filter(Rich::ID.eq(some.id))
                .set(Rich::OAT, None::<DateTime<Utc>>)
                .set(Rich::OUID, None::<Uuid>)
                .update(&db))?;
            assert_eq!(n, 1);
            let cleared = aw!(Rich::get(some.id, &db))?;
            assert_eq!((cleared.oat, cleared.ouid), (None, None));
            assert_eq!(cleared.oamount, Some(Decimal::ONE));
            Ok(())
        });

        scenario!(every_field_type_binds_in_raw_sql, |db| {
            // Issue 19, item 17: `raw(..).bind(..)` takes every type a model field can have
            // (rich types, derived enums and newtypes, `Option` of each) and binds it as the
            // model's own statements do: what raw SQL writes, the model reads back, and a
            // raw filter on each value finds the row.
            let q = |name: &str| match db.dialect() {
                ambidex::Dialect::Mysql => format!("`{name}`"),
                _ => format!("\"{name}\""),
            };
            // The quoted column names, and an INSERT of one row of them.
            let insert_sql = |table: &str, columns: &[&str]| {
                let names: Vec<String> = columns.iter().map(|c| q(c)).collect();
                let marks = vec!["?"; columns.len()].join(", ");
                let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", q(table), names.join(", "));
                (names, sql)
            };
            aw!(Rich::create_table(&db))?;
            let local = ymd_hms_micro(2024, 2, 29, 12, 34, 56, 789_012);
            let prefs = Json(Prefs {
                theme: "dark".into(),
                tags: vec!["ü?".into()],
                ..Default::default()
            });
            let row = Rich {
                id: 7,
                day: local.date(),
                local,
                at: local.and_utc(),
                uid: Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
                amount: Decimal::from_str("-12345.678901").unwrap(),
                doc: serde_json::json!({"a": [1, "two?"]}),
                prefs: prefs.clone(),
                oday: Some(local.date()),
                olocal: Some(local),
                oat: Some(local.and_utc()),
                ouid: Some(Uuid::max()),
                oamount: Some(Decimal::ONE),
                odoc: Some(serde_json::json!(null)),
                oprefs: None,
            };
            let columns = [
                "id", "day", "local", "at", "uid", "amount", "doc", "prefs", "oday", "olocal",
                "oat", "ouid", "oamount", "odoc", "oprefs",
            ];
            let (names, insert) = insert_sql("rich_types", &columns);
            let n = aw!(ambidex::raw(insert)
                .bind(row.id)
                .bind(row.day)
                .bind(row.local)
                .bind(row.at)
                .bind(row.uid)
                .bind(row.amount)
                .bind(row.doc.clone())
                .bind(row.prefs.clone())
                .bind(row.oday)
                .bind(row.olocal)
                .bind(row.oat)
                .bind(row.ouid)
                .bind(row.oamount)
                .bind(row.odoc.clone())
                .bind(row.oprefs.clone())
                .execute(&db))?;
            assert_eq!(n, 1);
            assert_eq!(aw!(Rich::get(7_i64, &db))?, row);
            let select = format!(
                "SELECT {} FROM {} WHERE {} = ? AND {} = ? AND {} = ? AND {} = ? AND {} = ?",
                names.join(", "),
                q("rich_types"),
                q("day"),
                q("local"),
                q("at"),
                q("uid"),
                q("oat"),
            );
            let found = aw!(ambidex::raw(select)
                .bind(row.day)
                .bind(row.local)
                .bind(row.at)
                .bind(row.uid)
                .bind(row.oat)
                .fetch_all::<Rich, _>(&db))?;
            assert_eq!(found, vec![row.clone()]);
            let scalars: Vec<(NaiveDate, DateTime<Utc>, Uuid, Decimal)> = aw!(ambidex::raw(
                format!("SELECT {}, {}, {}, {} FROM {}", q("day"), q("at"), q("uid"), q("amount"), q("rich_types"))
            )
            .fetch_rows(&db))?;
            assert_eq!(scalars, vec![(row.day, row.at, row.uid, row.amount)]);

            aw!(Ticket::create_table(&db))?;
            let ticket = Ticket {
                id: 3,
                status: Status::OnHold,
                ostatus: Some(Status::Closed),
                priority: Priority::Negative,
                opriority: None,
                email: Email("raw?@example.com".into()),
                cents: Cents { value: -250 },
                ocents: Some(Cents { value: i64::MAX }),
                order: OrderRef(Uuid::max()),
            };
            let columns = [
                "id", "status", "ostatus", "priority", "opriority", "email", "cents", "ocents",
                "order",
            ];
            let (names, insert) = insert_sql("tickets", &columns);
            aw!(ambidex::raw(insert)
                .bind(ticket.id)
                .bind(ticket.status)
                .bind(ticket.ostatus)
                .bind(ticket.priority)
                .bind(ticket.opriority)
                .bind(ticket.email.clone())
                .bind(ticket.cents)
                .bind(ticket.ocents)
                .bind(ticket.order)
                .execute(&db))?;
            let select = format!(
                "SELECT {} FROM {} WHERE {} = ? AND {} = ? AND {} = ? AND {} = ?",
                names.join(", "),
                q("tickets"),
                q("status"),
                q("email"),
                q("cents"),
                q("order"),
            );
            let found = aw!(ambidex::raw(select)
                .bind(Status::OnHold)
                .bind(Email("raw?@example.com".into()))
                .bind(Cents { value: -250 })
                .bind(OrderRef(Uuid::max()))
                .fetch_all::<Ticket, _>(&db))?;
            assert_eq!(found, vec![ticket]);
            Ok(())
        });

        scenario!(rich_values_update_in_place, |db| {
            aw!(Rich::create_table(&db))?;
            let mut row = rich_round_trip!(db, Rich::default());
            row.day = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
            row.at = ymd_hms_micro(2028, 2, 29, 23, 59, 59, 999_999).and_utc();
            row.uid = Uuid::max();
            row.amount = Decimal::from_str("-99.99").unwrap();
            row.doc = serde_json::json!({"updated": ["✓"]});
            aw!(row.update(&db))?;
            assert_eq!(aw!(Rich::get(row.id, &db))?, row);
            let n = aw!(Rich::query()
                .filter(Rich::UID.eq(Uuid::max()))
                .set(Rich::AMOUNT, Decimal::from_str("0.0000000000000000000000000001").unwrap())
                .update(&db))?;
            assert_eq!(n, 1);
            assert_eq!(
                aw!(Rich::get(row.id, &db))?.amount.to_string(),
                "0.0000000000000000000000000001"
            );
            Ok(())
        });

        scenario!(text_that_is_no_rich_value_fails_to_decode, |db| {
            aw!(RichText::create_table(&db))?;
            aw!(RichText { id: 1, value: "2023-02-29".into() }.insert(&db))?;
            aw!(RichText { id: 2, value: "2024-02-29".into() }.insert(&db))?;
            aw!(RichText { id: 3, value: "1.5e3".into() }.insert(&db))?;
            match aw!(TextAsDate::get(1, &db)) {
                Err(ambidex::Error::Decode { model, field, expected, found, .. }) => {
                    assert_eq!((model, field, expected), ("TextAsDate", "value", "NaiveDate"));
                    assert!(found.contains("2023-02-29"), "found {found:?}");
                }
                other => panic!("expected a decode error, got {other:?}"),
            }
            assert_eq!(
                aw!(TextAsDate::get(2, &db))?.value,
                NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
            );
            expect_err!(
                aw!(TextAsDecimal::get(3, &db)),
                ambidex::Error::Decode { model: "TextAsDecimal", field: "value", .. }
            );
            Ok(())
        });

        scenario!(derived_enums_and_newtypes_round_trip, |db| {
            aw!(Ticket::create_table(&db))?;
            let rows = [
                Ticket {
                    status: Status::OnHold,
                    ostatus: Some(Status::Closed),
                    priority: Priority::Max,
                    opriority: Some(Priority::Negative),
                    email: Email("ünïcode@example.com".into()),
                    cents: Cents { value: i64::MIN },
                    ocents: Some(Cents { value: i64::MAX }),
                    order: OrderRef(Uuid::max()),
                    ..Default::default()
                },
                Ticket {
                    email: Email("plain@example.com".into()),
                    priority: Priority::High,
                    ..Default::default()
                },
                Ticket {
                    status: Status::Closed,
                    priority: Priority::Negative,
                    email: Email("third@example.com".into()),
                    ..Default::default()
                },
            ];
            let mut stored = Vec::new();
            for row in rows {
                let back = aw!(row.insert(&db))?;
                assert_eq!(back, Ticket { id: back.id, ..row });
                assert_eq!(aw!(Ticket::get(back.id, &db))?, back);
                stored.push(back);
            }
            let ids = |rows: Vec<Ticket>| rows.into_iter().map(|t| t.id).collect::<Vec<_>>();
            assert_eq!(
                ids(aw!(Ticket::query().filter(Ticket::STATUS.eq(Status::OnHold)).all(&db))?),
                [stored[0].id]
            );
            assert_eq!(
                ids(aw!(Ticket::query()
                    .filter(Ticket::STATUS.is_in([Status::Active, Status::Closed]))
                    .order_by(Ticket::ID.asc())
                    .all(&db))?),
                [stored[1].id, stored[2].id]
            );
            // Integer enums sort by their discriminants.
            assert_eq!(
                ids(aw!(Ticket::query().order_by(Ticket::PRIORITY.asc()).all(&db))?),
                [stored[2].id, stored[1].id, stored[0].id]
            );
            assert_eq!(
                aw!(Ticket::query()
                    .filter(Ticket::PRIORITY.gt(Priority::Low))
                    .count(&db))?,
                2
            );
            assert_eq!(
                ids(aw!(Ticket::query()
                    .filter(Ticket::EMAIL.eq(Email("plain@example.com".into())))
                    .all(&db))?),
                [stored[1].id]
            );
            assert_eq!(
                aw!(Ticket::query().filter(Ticket::OSTATUS.is_null()).count(&db))?,
                2
            );
            // A newtype keeps its inner type's constraints: the email is unique.
            expect_err!(
                aw!(Ticket {
                    email: Email("plain@example.com".into()),
                    ..Default::default()
                }
                .insert(&db)),
                ambidex::Error::UniqueViolation { .. }
            );
            Ok(())
        });

        scenario!(stored_values_that_are_no_variant_fail_to_decode, |db| {
            aw!(RichText::create_table(&db))?;
            aw!(RichText { id: 1, value: "on hold ⏸".into() }.insert(&db))?;
            aw!(RichText { id: 2, value: "OnHold".into() }.insert(&db))?;
            assert_eq!(aw!(TextAsStatus::get(1, &db))?.value, Status::OnHold);
            match aw!(TextAsStatus::get(2, &db)) {
                Err(ambidex::Error::Decode { model, field, expected, found, .. }) => {
                    assert_eq!((model, field, expected), ("TextAsStatus", "value", "Status"));
                    assert!(found.contains("\"OnHold\""), "found {found:?}");
                    assert!(found.contains("\"on hold ⏸\""), "lists the variants: {found:?}");
                }
                other => panic!("expected a decode error, got {other:?}"),
            }
            let known = aw!(ambidex::raw("SELECT 1, 10").fetch_all::<IntAsPriority, _>(&db))?;
            assert_eq!(known[0].value, Priority::High);
            match aw!(ambidex::raw("SELECT 1, 2").fetch_all::<IntAsPriority, _>(&db)) {
                Err(ambidex::Error::Decode { field: "value", found, .. }) => {
                    assert!(found.contains("INTEGER 2"), "found {found:?}")
                }
                other => panic!("expected a decode error, got {other:?}"),
            }
            Ok(())
        });

        scenario!(server_values_decode_into_rich_types, |db| {
            // Values the server computes (not written by ambidex) decode through the same
            // path; a decimal a `Decimal` cannot hold exactly is refused, not rounded.
            if db.dialect() == ambidex::Dialect::Sqlite {
                return Ok(()); // no date or decimal types to compute with
            }
            let days = aw!(ambidex::raw(
                "SELECT 1, CAST('2024-02-29' AS DATE) UNION ALL SELECT 2, CAST('0001-01-01' AS DATE)"
            )
            .fetch_all::<TextAsDate, _>(&db))?;
            assert_eq!(
                days.iter().map(|r| r.value).collect::<Vec<_>>(),
                [
                    NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
                    NaiveDate::from_ymd_opt(1, 1, 1).unwrap()
                ]
            );
            let exact = aw!(ambidex::raw("SELECT 1, CAST(-12.50 AS DECIMAL(10, 2))")
                .fetch_all::<TextAsDecimal, _>(&db))?;
            assert_eq!(exact[0].value, Decimal::from_str("-12.5").unwrap());
            let too_fine = aw!(ambidex::raw(
                "SELECT 1, CAST(0.00000000000000000000000000001 AS DECIMAL(40, 30))"
            )
            .fetch_all::<TextAsDecimal, _>(&db));
            expect_err!(too_fine, ambidex::Error::Decode { field: "value", .. });
            Ok(())
        });
    };
}
