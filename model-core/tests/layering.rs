//! The layering of `model-core/src`, checked: each layer imports only the layers below it.
//!
//! [`LAYERS`] is the one list of the allowed order (ARCHITECTURE.md and the crate docs
//! point here). The test reads every source file, takes each path that starts with
//! `crate::` (in `use` lines, grouped `use crate::{..}` lines and inline paths, `$crate::`
//! in macros too), and fails on a path that reaches a higher layer, or that goes through a
//! root re-export (`crate::Value`) instead of the module that owns the item: the root
//! (`lib.rs`) is the public map and may import anything; nothing else may lean on it.
//!
//! Not counted: comments (doc links are not dependencies) and the items under a
//! top-level `#[cfg(test)]` (a test module's fixtures may come from anywhere); code after
//! a test module is read.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom to top; the modules of one entry may import each other. A module
/// of `src/` belongs to the layer that names its top-level folder or file.
const LAYERS: &[(&str, &[&str])] = &[
    ("value", &["error", "value"]),
    ("query", &["query"]),
    ("engine", &["engine"]),
    ("model", &["model"]),
    ("schema", &["schema"]),
    ("sql", &["sql"]),
    ("ops", &["ops"]),
    ("migrate", &["migrate"]),
    ("url", &["url"]),
    ("routing", &["routing"]),
    ("sqlite_handle", &["sqlite_handle"]),
];

/// The layer index of a top-level module, if it is one.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// One import that breaks the layering.
#[derive(Debug, PartialEq)]
struct Violation {
    file: String,
    line: usize,
    path: String,
    why: String,
}

/// The code of a file without comments and without its `#[cfg(test)]` module, line by
/// line (string literals are kept: they hold no `crate::` paths in this crate).
fn code_lines(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_block_comment = false;
    // After a top-level `#[cfg(test)]`: the item it guards is skipped, a one-line item or
    // a `mod name {` block up to its closing `}` at column 0. Code after it is read.
    let (mut test_item_next, mut in_test_mod) = (false, false);
    for (i, raw) in source.lines().enumerate() {
        if in_test_mod {
            in_test_mod = raw != "}";
            continue;
        }
        if raw.trim_start() == "#[cfg(test)]" && !raw.starts_with(' ') {
            test_item_next = true;
            continue;
        }
        if test_item_next && !raw.trim().is_empty() && !raw.starts_with("#[") {
            test_item_next = false;
            let opens_block = raw.starts_with("mod ") || raw.starts_with("pub(crate) mod ");
            // `mod tests { ... }` on one line ends where it starts.
            in_test_mod = opens_block && raw.trim_end().ends_with('{');
            continue;
        }
        let mut line = String::new();
        let mut rest = raw;
        loop {
            if in_block_comment {
                match rest.find("*/") {
                    Some(end) => {
                        in_block_comment = false;
                        rest = &rest[end + 2..];
                    }
                    None => break,
                }
            } else {
                let line_comment = rest.find("//");
                let block_comment = rest.find("/*");
                match (line_comment, block_comment) {
                    (Some(l), Some(b)) if b < l => {
                        line.push_str(&rest[..b]);
                        in_block_comment = true;
                        rest = &rest[b + 2..];
                    }
                    (Some(l), _) => {
                        line.push_str(&rest[..l]);
                        break;
                    }
                    (None, Some(b)) => {
                        line.push_str(&rest[..b]);
                        in_block_comment = true;
                        rest = &rest[b + 2..];
                    }
                    (None, None) => {
                        line.push_str(rest);
                        break;
                    }
                }
            }
        }
        out.push((i + 1, line));
    }
    out
}

/// The first path segment of every `crate::` path in `code`, with the full path as
/// written (for messages). `use crate::{a::X, b}` gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // `crate` must be a whole word (`$crate` counts; `my_crate::` does not).
        if let Some(prev) = code[..start].chars().next_back()
            && (prev.is_alphanumeric() || prev == '_')
        {
            continue;
        }
        let rest = &code[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // A grouped import: the first segment of each top-level item.
            let mut depth = 0usize;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        item.push(c);
                    }
                    '}' if depth == 0 => break,
                    '}' => {
                        depth -= 1;
                        item.push(c);
                    }
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ => item.push(c),
                }
            }
            items.push(item);
            for item in items {
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                let first: String = item
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((first, format!("crate::{{{item}}}")));
            }
        } else {
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let first = path.split("::").next().unwrap_or("").to_string();
            found.push((first, format!("crate::{path}")));
        }
    }
    found
}

/// The top-level module a file of `src/` belongs to (`value/field.rs` is in `value`,
/// `error.rs` in `error`); `None` for `lib.rs`, the root.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    if first == "lib.rs" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every violation in one file's source.
fn check_source(file: &str, module: &str, source: &str) -> Vec<Violation> {
    let Some(own) = layer_of(module) else {
        return vec![Violation {
            file: file.into(),
            line: 0,
            path: module.into(),
            why: format!(
                "`{module}` is in no layer: add it to LAYERS in model-core/tests/layering.rs"
            ),
        }];
    };
    let mut violations = Vec::new();
    for (line, code) in code_lines(source) {
        for (first, path) in crate_paths(&code) {
            let why = match layer_of(&first) {
                Some(target) if target > own => format!(
                    "layer `{}` may not import layer `{}`, which is above it",
                    LAYERS[own].0, LAYERS[target].0
                ),
                Some(_) => continue,
                None => format!(
                    "`crate::{first}` is a root re-export: import the item from the module \
                     that owns it"
                ),
            };
            violations.push(Violation {
                file: file.into(),
                line,
                path,
                why,
            });
        }
    }
    violations
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_layer_imports_only_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 40,
        "expected model-core's sources, found {files:?}"
    );
    let mut per_layer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut violations = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).unwrap();
        let Some(module) = module_of(relative) else {
            continue;
        };
        if let Some(layer) = layer_of(&module) {
            *per_layer.entry(LAYERS[layer].0).or_default() += 1;
        }
        let source = fs::read_to_string(path).unwrap();
        violations.extend(check_source(
            &relative.display().to_string(),
            &module,
            &source,
        ));
    }
    // Every layer has files: a renamed folder must be renamed here too.
    for (name, _) in LAYERS {
        assert!(
            per_layer.contains_key(name),
            "layer `{name}` has no files in src/"
        );
    }
    let report: Vec<String> = violations
        .iter()
        .map(|v| format!("{}:{}: `{}`: {}", v.file, v.line, v.path, v.why))
        .collect();
    assert!(
        report.is_empty(),
        "{} import(s) break the layering (order: {}):\n{}",
        report.len(),
        LAYERS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(" < "),
        report.join("\n")
    );
}

#[test]
fn an_upward_import_is_caught() {
    let source = "use crate::value::Value;\nuse crate::ops::Collect;\n";
    let found = check_source("query/select.rs", "query", source);
    assert_eq!(
        found,
        vec![Violation {
            file: "query/select.rs".into(),
            line: 2,
            path: "crate::ops::Collect".into(),
            why: "layer `query` may not import layer `ops`, which is above it".into(),
        }]
    );
}

#[test]
fn grouped_inline_and_macro_paths_are_read() {
    let source = "use crate::{value::Value, sql::render};\n\
                  fn f() { crate::routing::run(); }\n\
                  macro_rules! m { () => { $crate::ops::Fail::new() } }\n";
    let found: Vec<String> = check_source("model/mod.rs", "model", source)
        .into_iter()
        .map(|v| v.path)
        .collect();
    assert_eq!(
        found,
        [
            "crate::{sql::render}",
            "crate::routing::run",
            "crate::ops::Fail::new"
        ]
    );
}

#[test]
fn root_re_exports_are_refused_and_comments_and_tests_ignored() {
    let source = "//! See [`crate::ops`].\n\
                  /// Uses [`crate::routing::Access`].\n\
                  fn f() -> crate::Value { todo() } // crate::ops\n\
                  #[cfg(test)]\n\
                  mod tests { use crate::ops::Collect; }\n\
                  #[cfg(test)]\n\
                  mod more {\n    use crate::ops::Collect;\n}\n\
                  #[cfg(test)]\n\
                  use crate::ops::Fixture;\n\
                  use crate::migrate::AfterTheTests;\n";
    let found = check_source("value/mod.rs", "value", source);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].line, 3);
    assert!(found[0].why.contains("root re-export"), "{}", found[0].why);
    // Code after a test module is read.
    assert_eq!(found[1].line, 12, "{found:?}");
    assert!(found[1].why.contains("`migrate`"), "{}", found[1].why);
}

#[test]
fn a_module_outside_every_layer_is_refused() {
    let found = check_source("newthing.rs", "newthing", "");
    assert_eq!(found.len(), 1);
    assert!(found[0].why.contains("in no layer"));
}
