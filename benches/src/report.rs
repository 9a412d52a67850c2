//! What a run writes: Markdown tables for the terminal and the guide's performance page,
//! and JSON with every round's raw times (the charts and any later analysis start from the
//! JSON, never from the rounded tables).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::harness::{Latency, Measurement, Spread};

/// A time per operation, in the unit that reads best.
pub fn time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.1} us")
    }
}

/// A ratio as `median (q1-q3)`.
pub fn ratio(s: Spread) -> String {
    format!("{:.2}x ({:.2}-{:.2})", s.median, s.q1, s.q3)
}

/// A latency distribution as `min / median / p99`.
pub fn latency(l: &Latency) -> String {
    let t = |s: f64| time(Duration::from_secs_f64(s));
    format!("{} / {} / {}", t(l.min), t(l.median), t(l.p99))
}

/// Bytes as MB with one decimal.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// A Markdown table per world: every contender's median time per operation and its ratio
/// to the baseline (the first contender), per backend and workload. A ratio above 1 means
/// the contender is slower than the baseline.
pub fn markdown(title: &str, results: &[Measurement]) -> String {
    table(title, results, |m, c, base| {
        let cell = match base {
            Some(b) if b != c => format!("{} ({})", time(m.median(c)), ratio(m.ratio(c, b))),
            _ => time(m.median(c)),
        };
        match &m.peak_heap {
            Some(peaks) => format!("{cell}, peak heap {}", megabytes(peaks[c])),
            None => cell,
        }
    })
}

/// A Markdown table per world like [`markdown`], each cell a contender's single-operation
/// latency over every timed round: `min / median / p99`.
pub fn latency_markdown(title: &str, results: &[Measurement]) -> String {
    table(title, results, |m, c, _| latency(&m.latency[c]))
}

/// The table per backend both reports share: a row per workload, a column per contender
/// (the first one named the baseline), each cell `cell(measurement, contender, baseline)`.
fn table(
    title: &str,
    results: &[Measurement],
    cell: impl Fn(&Measurement, usize, Option<usize>) -> String,
) -> String {
    let mut out = format!("\n### {title}\n");
    let mut backends: Vec<&str> = results.iter().map(|m| m.backend.as_str()).collect();
    backends.dedup();
    for backend in backends {
        let rows: Vec<&Measurement> = results.iter().filter(|m| m.backend == backend).collect();
        let mut names: Vec<&str> = Vec::new();
        for m in &rows {
            for c in &m.contenders {
                if !names.contains(&c.as_str()) {
                    names.push(c);
                }
            }
        }
        out.push_str(&format!("\n#### {backend}\n\n| workload | {} |", names[0]));
        let mut rule = String::from("| --- | --- |");
        for n in &names[1..] {
            out.push_str(&format!(" {n} |"));
            rule.push_str(" --- |");
        }
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        for m in rows {
            let base = m.index(names[0]);
            let mut line = format!("| {} |", m.workload);
            for name in &names {
                let text = match m.index(name) {
                    Some(c) => cell(m, c, base),
                    None => "n/a".to_string(),
                };
                line.push_str(&format!(" {text} |"));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Where results go: `--out DIR` if given, else `docs/guide/perf/` for full runs and
/// `benches/target/perf-quick/` for `--quick` runs (so a quick look never overwrites the
/// published figures).
pub fn out_dir() -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--out")
        && let Some(dir) = args.get(k + 1)
    {
        return PathBuf::from(dir);
    }
    let benches = Path::new(env!("CARGO_MANIFEST_DIR"));
    if crate::quick() {
        benches.join("target/perf-quick")
    } else {
        benches.join("../docs/guide/perf")
    }
}

/// The machine a run was measured on, for the JSON and the guide's performance page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    /// `nproc`.
    pub cores: usize,
    /// The CPU model from `/proc/cpuinfo`.
    pub cpu: String,
    /// Total memory in GiB.
    pub memory_gib: f64,
    /// UTC date of the run (`date -u +%F`).
    pub date: String,
    /// `--quick` or full.
    pub quick: bool,
}

impl Machine {
    /// Reads the machine's description.
    pub fn describe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown")
            .trim()
            .to_string();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_gib = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
        let date = std::process::Command::new("date")
            .args(["-u", "+%F"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            memory_gib,
            date,
            quick: crate::quick(),
        }
    }
}

/// Writes `value` as pretty JSON to `dir/name`, creating `dir`; says where on stderr.
pub fn write_json(
    dir: &Path,
    name: &str,
    value: &impl serde::Serialize,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(&path, text + "\n")?;
    eprintln!("wrote {}", path.display());
    Ok(path)
}

/// Writes `text` to `dir/name`, creating `dir`; says where on stderr.
pub fn write_text(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    eprintln!("wrote {}", path.display());
    Ok(path)
}
