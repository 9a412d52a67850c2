//! `docs/guide/tutorial.md` cannot drift from this crate: every block of the page that
//! shows a file (its first line names it: `// src/models.rs`, `# Cargo.toml`,
//! `-- migrations/.../up.sqlite.sql`) must appear verbatim in that file here, and every
//! other Rust block must be a doctest that runs (`cargo test -p ambidex --doc` includes the
//! page), so none may be `ignore`d.

use std::path::Path;

/// A fenced block of the page: its info string, its lines, the line it starts on.
struct Block {
    info: String,
    lines: Vec<String>,
    line: usize,
}

fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (n, line) in page.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                open = Some(Block {
                    info: line.trim_start().trim_start_matches('`').trim().to_string(),
                    lines: Vec::new(),
                    line: n + 1,
                })
            }
            (Some(_), true) => out.extend(open.take()),
            (Some(block), false) => block.lines.push(line.to_string()),
            (None, false) => {}
        }
    }
    assert!(open.is_none(), "the page ends inside a code block");
    out
}

/// The file a block shows, from its first line: `// src/x.rs`, `# Cargo.toml`, `-- migrations/..`.
fn shown_file(block: &Block) -> Option<String> {
    let first = block.lines.first()?.trim();
    let path = ["// ", "# ", "-- "]
        .iter()
        .find_map(|p| first.strip_prefix(p))?;
    let is_path = path == "Cargo.toml"
        || path == "build.rs"
        || ["src/", "tests/", "migrations/"]
            .iter()
            .any(|dir| path.starts_with(dir));
    (is_path && !path.contains(' ')).then(|| path.to_string())
}

/// `path = "..."` values differ between a reader's crate and this one (which lives in
/// ambidex's repository); everything else must match.
fn without_paths(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("path = \"") {
            Some(at) => {
                let rest = &line[at + 8..];
                let end = rest.find('"').map_or(rest.len(), |e| e + 1);
                format!("{}path = \"…\"{}", &line[..at], &rest[end..])
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_file_block_of_the_tutorial_is_the_example_s_code() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page_path = crate_dir.join("../../docs/guide/tutorial.md");
    let page = std::fs::read_to_string(&page_path).expect("docs/guide/tutorial.md");
    let mut shown = 0;
    let mut doctests = 0;
    for block in blocks(&page) {
        let is_rust = block.info == "rust" || block.info.starts_with("rust,");
        match shown_file(&block) {
            Some(path) => {
                let file = std::fs::read_to_string(crate_dir.join(&path))
                    .unwrap_or_else(|e| panic!("tutorial.md:{}: {path}: {e}", block.line));
                let body = block.lines[1..].join("\n");
                assert!(
                    without_paths(&file).contains(&without_paths(&body)),
                    "tutorial.md:{}: this block is not (or no longer) in examples/library/{path}; \
                     copy the file's current text into the page",
                    block.line
                );
                if is_rust {
                    assert!(
                        block.info.contains("ignore"),
                        "tutorial.md:{}: a block showing {path} is checked here, not run as a \
                         doctest: mark it ```rust,ignore",
                        block.line
                    );
                }
                shown += 1;
            }
            None if is_rust => {
                assert!(
                    !block.info.contains("ignore"),
                    "tutorial.md:{}: a Rust block that shows no file must run as a doctest",
                    block.line
                );
                doctests += 1;
            }
            None => {}
        }
    }
    // The page walks through the crate's files; fewer than this means the markers broke.
    assert!(
        shown >= 12,
        "only {shown} blocks of tutorial.md name a file"
    );
    assert!(doctests >= 1, "tutorial.md has no doctest");
}

#[test]
fn the_markers_are_read_as_meant() {
    let page = "text\n```rust,ignore\n// src/a.rs\nfn a() {}\n```\n```toml\n# Cargo.toml\nx = 1\n```\n```rust\n// a comment\n```\n";
    let found = blocks(page);
    assert_eq!(found.len(), 3);
    assert_eq!(shown_file(&found[0]).as_deref(), Some("src/a.rs"));
    assert_eq!(shown_file(&found[1]).as_deref(), Some("Cargo.toml"));
    assert_eq!(shown_file(&found[2]), None);
    assert_eq!(found[0].line, 2);
    assert_eq!(
        without_paths("ambidex = { path = \"../..\", features = [\"testing\"] }"),
        "ambidex = { path = \"…\", features = [\"testing\"] }"
    );
}
