//! The attribute table of the crate docs (`src/lib.rs`, "Attributes") says what the derive
//! accepts (issue 19, item 18): every field attribute the derive parses has a row, and the
//! rows state the rules `codegen/src/check.rs` enforces.

/// The rows of the attribute table: `(attribute, on, meaning)`.
fn rows() -> Vec<(String, String, String)> {
    let docs = include_str!("../src/lib.rs");
    docs.lines()
        .filter_map(|l| l.strip_prefix("//! | `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            (cells.len() == 3).then(|| {
                let name = cells[0].trim_end_matches('`');
                let name = name.split(' ').next().unwrap_or(name);
                (name.to_string(), cells[1].to_string(), cells[2].to_string())
            })
        })
        .collect()
}

fn meaning(attribute: &str) -> String {
    rows()
        .into_iter()
        .find(|(name, _, _)| name == attribute)
        .unwrap_or_else(|| panic!("no row for `{attribute}` in the attribute table"))
        .2
}

#[test]
fn every_parsed_attribute_has_a_row() {
    let parser = include_str!("../codegen/src/attr.rs");
    let parsed: Vec<&str> = parser
        .split("is_ident(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| *name != "ambidex")
        .collect();
    assert!(
        parsed.contains(&"primary_key") && parsed.len() >= 10,
        "{parsed:?}"
    );
    for name in parsed {
        meaning(name);
    }
}

#[test]
fn the_rows_state_the_rules() {
    // Composite keys exist: several fields may be `primary_key`.
    let key = meaning("primary_key");
    assert!(!key.contains("exactly one"), "{key}");
    assert!(key.contains("composite"), "{key}");
    // `auto`: integer keys of one column, no default (check.rs).
    let auto = meaning("auto");
    assert!(
        auto.contains("i64") && auto.contains("one column"),
        "{auto}"
    );
    // `skip` stands alone; `relation` is needed without an `_id` suffix.
    assert!(meaning("skip").contains("alone"));
    assert!(meaning("relation").contains("_id"));
    assert!(meaning("belongs_to").contains("one column"));
}
