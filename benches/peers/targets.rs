//! The targets of issue 6, judged on a run's measurements: each is a ratio of times (the
//! ambidex side over the peer side, within each round) that should stay at or below a goal.
//! Never asserted anywhere: the guide's performance page (`docs/guide/performance.md`) publishes the verdicts, and a miss is explained
//! there with a profile.

use ambidex_benches::harness::{Measurement, Spread};

/// One target on one backend and workload.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    /// What is compared, e.g. `blocking::Db / diesel (r2d2)`.
    pub target: String,
    /// The backend.
    pub backend: String,
    /// The workload.
    pub workload: String,
    /// ambidex's time over the peer's, per round.
    pub ratio: Spread,
    /// The goal for the median.
    pub goal: f64,
    /// Whether the median meets it.
    pub met: bool,
}

/// The contenders named `names` that ran in `m`.
fn find(m: &Measurement, names: &[&str]) -> Vec<usize> {
    names.iter().filter_map(|n| m.index(n)).collect()
}

/// The contenders whose names start with `prefix`.
fn starting(m: &Measurement, prefix: &str) -> Vec<usize> {
    (0..m.contenders.len())
        .filter(|&c| m.contenders[c].starts_with(prefix))
        .collect()
}

/// Every target that the run's measurements can judge.
pub fn judge(results: &[Measurement]) -> Vec<Verdict> {
    let mut out = Vec::new();
    let mut push = |m: &Measurement, target: &str, a: Vec<usize>, b: Vec<usize>, goal: f64| {
        if a.is_empty() || b.is_empty() {
            return;
        }
        let ratio = m.ratio_best(&a, &b);
        out.push(Verdict {
            target: target.to_string(),
            backend: m.backend.clone(),
            workload: m.workload.clone(),
            ratio,
            goal,
            met: ratio.median <= goal,
        });
    };
    for m in results {
        if m.world == "blocking" {
            push(
                m,
                "blocking::Db / diesel (r2d2) <= 1.05",
                find(m, &["ambidex blocking::Db"]),
                find(m, &["diesel (r2d2)"]),
                1.05,
            );
            push(
                m,
                "ambidex blocking (held) / raw driver <= 1.3",
                find(m, &["ambidex blocking (held)"]),
                find(m, &["rusqlite", "postgres crate", "mysql crate"]),
                1.3,
            );
        } else {
            push(
                m,
                "best ambidex async / best sqlx <= 1.05",
                starting(m, "ambidex"),
                find(m, &["sqlx (pool)", "sqlx (held)"]),
                1.05,
            );
            push(
                m,
                "best ambidex async / SeaORM 2 < 1",
                starting(m, "ambidex"),
                find(m, &["SeaORM 2"]),
                1.0,
            );
            if m.backend.starts_with("SQLite") {
                push(
                    m,
                    "ambidex Db (Diesel) / best sqlx <= 0.25 (4x throughput)",
                    find(m, &["ambidex Db (Diesel)"]),
                    find(m, &["sqlx (pool)", "sqlx (held)"]),
                    0.25,
                );
            }
        }
    }
    out
}

/// The verdicts as a Markdown table.
pub fn markdown(verdicts: &[Verdict]) -> String {
    let mut out = String::from(
        "\n### Targets (ratio = ambidex time / peer time: median, quartiles)\n\n\
         | target | backend | workload | ratio | met |\n| --- | --- | --- | --- | --- |\n",
    );
    for v in verdicts {
        out.push_str(&format!(
            "| {} | {} | {} | {:.2}x ({:.2}-{:.2}) | {} |\n",
            v.target,
            v.backend,
            v.workload,
            v.ratio.median,
            v.ratio.q1,
            v.ratio.q3,
            if v.met { "yes" } else { "**no**" }
        ));
    }
    out
}
