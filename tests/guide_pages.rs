//! The guide cannot rot quietly (issue 23): every page `docs/guide/SUMMARY.md` lists
//! exists, every page of `docs/guide/` is listed there and included as a doctest item in
//! `src/lib.rs` (so `cargo test` compiles and runs its Rust blocks), every relative link of
//! the README and the guide points at a file that exists, and the README stays a landing
//! page (under 300 lines). Reads files only; builds nothing else.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn guide() -> PathBuf {
    root().join("docs/guide")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The targets of the Markdown links `[text](target)` and images `![alt](target)` in
/// `text`, outside fenced code blocks and inline code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Inline code holds no links: drop every code span.
        let prose = without_code_spans(line);
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            match after.find(')') {
                Some(end) => {
                    targets.push(after[..end].trim().to_string());
                    rest = &after[end..];
                }
                None => break,
            }
        }
    }
    targets
}

/// `line` with its code spans replaced by a space. As in CommonMark, a span opens with a
/// run of backticks and closes at the next run of the same length (``` ``a `b` c`` ```);
/// a run that is never closed is literal text.
fn without_code_spans(line: &str) -> String {
    let bytes = line.as_bytes();
    let run_at = |i: usize| bytes[i..].iter().take_while(|&&b| b == b'`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            let next = line[i..].find('`').map_or(line.len(), |n| i + n);
            out.push_str(&line[i..next]);
            i = next;
            continue;
        }
        let open = run_at(i);
        let mut j = i + open;
        let close = loop {
            match line[j..].find('`') {
                None => break None,
                Some(n) => {
                    let run = run_at(j + n);
                    if run == open {
                        break Some(j + n + run);
                    }
                    j += n + run;
                }
            }
        };
        match close {
            Some(end) => {
                out.push(' ');
                i = end;
            }
            None => {
                out.push_str(&line[i..i + open]);
                i += open;
            }
        }
    }
    out
}

/// The anchor GitHub and mdBook give a heading: lower case, spaces as `-`, punctuation
/// other than `-` and `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of the headings of a Markdown text (outside fenced code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.insert(slug(line.trim_start_matches('#')));
        }
    }
    found
}

/// The relative links of `text` (in `file`) whose file does not exist, or whose `#anchor`
/// names no heading of the Markdown page it points at.
fn broken_links(file: &Path, text: &str) -> Vec<String> {
    let dir = file.parent().expect("a file has a folder");
    link_targets(text)
        .into_iter()
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        .filter(|t| {
            let (path, anchor) = t.split_once('#').unwrap_or((t, ""));
            let target = if path.is_empty() {
                file.to_path_buf()
            } else {
                dir.join(path)
            };
            if !target.exists() {
                return true;
            }
            let markdown = target.extension().is_some_and(|e| e == "md");
            !anchor.is_empty() && markdown && !anchors(&read(&target)).contains(anchor)
        })
        .collect()
}

/// The pages `SUMMARY.md` lists, in order.
fn summary_pages() -> Vec<String> {
    link_targets(&read(&guide().join("SUMMARY.md")))
}

/// The Markdown pages in `docs/guide/` (not its asset folders), SUMMARY.md aside.
fn guide_pages() -> BTreeSet<String> {
    std::fs::read_dir(guide())
        .expect("docs/guide exists")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "SUMMARY.md")
        .collect()
}

#[test]
fn every_page_in_the_summary_exists() {
    let listed = summary_pages();
    assert!(listed.len() >= 15, "SUMMARY.md lists only {listed:?}");
    let missing: Vec<&String> = listed
        .iter()
        .filter(|p| !guide().join(p).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "SUMMARY.md lists pages that do not exist: {missing:?}"
    );
    assert_eq!(listed[1], "tutorial.md", "the tutorial is the second entry");
}

#[test]
fn every_guide_page_is_in_the_summary() {
    let listed: BTreeSet<String> = summary_pages().into_iter().collect();
    let unlisted: Vec<String> = guide_pages()
        .into_iter()
        .filter(|p| !listed.contains(p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "pages missing from SUMMARY.md: {unlisted:?}"
    );
}

#[test]
fn every_page_and_the_readme_run_as_doctests() {
    let lib = read(&root().join("src/lib.rs"));
    let mut pages: Vec<String> = guide_pages()
        .into_iter()
        .map(|p| format!("\"../docs/guide/{p}\""))
        .collect();
    pages.push("\"../README.md\"".to_string());
    let missing: Vec<&String> = pages.iter().filter(|p| !lib.contains(p.as_str())).collect();
    assert!(
        missing.is_empty(),
        "pages not included as doctest items in src/lib.rs (`pages_as_doctests!`): {missing:?}"
    );
}

#[test]
fn relative_links_point_at_files_that_exist() {
    let mut files = vec![root().join("README.md"), guide().join("SUMMARY.md")];
    files.extend(guide_pages().into_iter().map(|p| guide().join(p)));
    let broken: Vec<String> = files
        .iter()
        .flat_map(|f| {
            broken_links(f, &read(f))
                .into_iter()
                .map(move |l| format!("{}: {l}", f.strip_prefix(root()).unwrap().display()))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "links to files that do not exist: {broken:#?}"
    );
}

#[test]
fn the_readme_is_a_landing_page() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(
        lines < 300,
        "README.md has {lines} lines; move detail into docs/guide/"
    );
}

#[test]
fn the_link_checker_finds_what_it_should() {
    let text = "See [a](a.md#x), ![img](perf/c.svg), `[not](code.md)`, [web](https://x.y/z).\n\
                ``[`not`](either.md)`` and [b](b.md), an open ` tick [c](c.md)\n\
                ```text\n[fenced](f.md)\n```\n";
    assert_eq!(
        link_targets(text),
        ["a.md#x", "perf/c.svg", "https://x.y/z", "b.md", "c.md"]
    );
    let here = guide().join("SUMMARY.md");
    assert_eq!(
        broken_links(
            &here,
            "[ok](models.md#attributes) [gone](no-such-page.md) [top](#summary) [no](#x) \
             [bad anchor](models.md#no-such-heading)"
        ),
        ["no-such-page.md", "#x", "models.md#no-such-heading"]
    );
    assert_eq!(
        slug(" `#[ambidex::dual]`: your own data layer, written once"),
        "ambidexdual-your-own-data-layer-written-once"
    );
}
