//! The Markdown tables: one per backend, a row per client count, a cell per mode
//! (throughput, p50 / p99 latency, peak RSS), and the ratios the question is about.

use crate::config::Mode;
use crate::parent::Outcome;

/// `23512.4` as `23,512`.
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Microseconds in the unit that reads best.
fn micros(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.0} ms", us / 1e3)
    } else if us >= 1_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{us:.0} us")
    }
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |b| format!("{:.0} MB", b as f64 / 1e6))
}

fn find<'a>(
    outcomes: &'a [Outcome],
    backend: &str,
    mode: Mode,
    clients: usize,
) -> Option<&'a Outcome> {
    outcomes
        .iter()
        .find(|o| o.backend == backend && o.mode == mode.key() && o.clients == clients)
}

/// `a / b` of some field of two modes' results, as `0.93x`.
fn ratio(
    outcomes: &[Outcome],
    backend: &str,
    clients: usize,
    a: Mode,
    b: Mode,
    field: impl Fn(&crate::child::ChildResult) -> Option<f64>,
) -> String {
    let get = |m| {
        find(outcomes, backend, m, clients)?
            .result
            .as_ref()
            .and_then(&field)
    };
    match (get(a), get(b)) {
        (Some(x), Some(y)) if y > 0.0 => format!("{:.2}x", x / y),
        _ => "-".into(),
    }
}

/// The tables for every backend in `outcomes`, over `modes` and `clients`.
pub fn markdown(
    outcomes: &[Outcome],
    backends: &[&str],
    modes: &[Mode],
    clients: &[usize],
) -> String {
    let mut out = String::new();
    let ratios: [(&str, Mode, Mode, bool); 5] = [
        ("shim / async ops/s", Mode::Shim, Mode::Async, false),
        ("threads / async ops/s", Mode::Threads, Mode::Async, false),
        (
            "diesel-spawn_blocking / sqlx ops/s",
            Mode::DieselSpawnBlocking,
            Mode::Sqlx,
            false,
        ),
        ("shim / async RSS", Mode::Shim, Mode::Async, true),
        ("threads / async RSS", Mode::Threads, Mode::Async, true),
    ];
    let ratios: Vec<_> = ratios
        .into_iter()
        .filter(|(_, a, b, _)| modes.contains(a) && modes.contains(b))
        .collect();
    for &backend in backends {
        out.push_str(&format!(
            "\n#### {backend}: primary-key lookups, ops/s (p50 / p99 latency, peak RSS)\n\n| clients |"
        ));
        let mut rule = String::from("| ---: |");
        for m in modes {
            out.push_str(&format!(" {} |", m.key()));
            rule.push_str(" --- |");
        }
        for (name, ..) in &ratios {
            out.push_str(&format!(" {name} |"));
            rule.push_str(" ---: |");
        }
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        for &n in clients {
            out.push_str(&format!("| {} |", thousands(n as f64)));
            for &m in modes {
                let cell = match find(outcomes, backend, m, n) {
                    Some(Outcome {
                        result: Some(r), ..
                    }) => format!(
                        "{} ({} / {}, {})",
                        thousands(r.ops_per_s),
                        micros(r.p50_us),
                        micros(r.p99_us),
                        mb(r.rss_peak)
                    ),
                    Some(_) => "**failed**".into(),
                    None => "-".into(),
                };
                out.push_str(&format!(" {cell} |"));
            }
            for &(_, a, b, rss) in &ratios {
                let cell = if rss {
                    ratio(outcomes, backend, n, a, b, |r| r.rss_peak.map(|x| x as f64))
                } else {
                    ratio(outcomes, backend, n, a, b, |r| Some(r.ops_per_s))
                };
                out.push_str(&format!(" {cell} |"));
            }
            out.push('\n');
        }
        let failed: Vec<&Outcome> = outcomes
            .iter()
            .filter(|o| o.backend == backend && o.error.is_some())
            .collect();
        if !failed.is_empty() {
            out.push_str("\nFailed:\n\n");
            for o in failed {
                let why = o.error.as_deref().unwrap_or("").replace('\n', " / ");
                out.push_str(&format!("- {} {} clients: {why}\n", o.mode, o.clients));
            }
        }
    }
    out
}
