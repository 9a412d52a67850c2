//! The concurrency charts: throughput and peak RSS against the number of clients (log
//! axis), a panel per backend, a line per mode. A configuration that failed is marked with
//! a cross on the panel's floor.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::common::{HEADER, colour, err, header, log_ticks, thousands, wide};

/// `concurrency.json`, the parts the charts read.
#[derive(serde::Deserialize)]
struct File {
    outcomes: Vec<Outcome>,
    #[serde(default)]
    total: Option<usize>,
    #[serde(default)]
    pool: Option<u32>,
    #[serde(default)]
    machine: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Outcome {
    backend: String,
    mode: String,
    clients: usize,
    result: Option<Result_>,
}

#[derive(serde::Deserialize)]
struct Result_ {
    ops_per_s: f64,
    rss_peak: Option<u64>,
}

/// A quantity the charts plot.
#[derive(Clone, Copy)]
enum Quantity {
    Throughput,
    Rss,
}

impl Quantity {
    fn of(self, r: &Result_) -> Option<f64> {
        match self {
            Quantity::Throughput => Some(r.ops_per_s),
            Quantity::Rss => r.rss_peak.map(|b| b as f64 / 1e6),
        }
    }

    fn axis(self) -> &'static str {
        match self {
            Quantity::Throughput => "lookups per second",
            Quantity::Rss => "peak RSS (MB)",
        }
    }

    fn label(self, v: f64) -> String {
        match self {
            Quantity::Throughput if v >= 1000.0 => format!("{}k", thousands(v / 1000.0)),
            Quantity::Throughput => format!("{v:.0}"),
            Quantity::Rss if v < 10.0 => format!("{v:.1}"),
            Quantity::Rss => thousands(v),
        }
    }
}

/// Draws `concurrency-throughput.svg` and `concurrency-rss.svg` into `dir`.
pub fn draw(text: &str, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("unreadable: {e}"))?;
    if file.outcomes.is_empty() {
        return Err("no outcomes".into());
    }
    let mut backends: Vec<&str> = Vec::new();
    let mut modes: Vec<String> = Vec::new();
    for o in &file.outcomes {
        if !backends.contains(&o.backend.as_str()) {
            backends.push(&o.backend);
        }
        if !modes.contains(&o.mode) {
            modes.push(o.mode.clone());
        }
    }
    let total = file.total.map_or(String::new(), |t| {
        format!("{} lookups", thousands(t as f64))
    });
    let pool = file
        .pool
        .map_or(String::new(), |p| format!(", pools of {p}"));
    let date = file
        .machine
        .as_ref()
        .and_then(|m| m.get("date"))
        .and_then(|d| d.as_str())
        .map_or(String::new(), |d| format!(", {d}"));
    let mut out = Vec::new();
    for (q, name, what) in [
        (
            Quantity::Throughput,
            "concurrency-throughput.svg",
            "throughput",
        ),
        (Quantity::Rss, "concurrency-rss.svg", "peak RSS"),
    ] {
        let path = dir.join(name);
        let title = format!("Primary-key lookups: {what} against concurrent clients");
        let details = format!(
            "{total}{pool}{date}. Modes: ambidex async (SqlxDb), shim (DieselDb), threads (blocking::Db, a thread per client); references sqlx and diesel on spawn_blocking. A cross: the configuration failed."
        );
        chart(
            &path,
            &title,
            &details,
            q,
            &file.outcomes,
            &backends,
            &modes,
        )?;
        out.push(path);
    }
    Ok(out)
}

const PANEL_W: u32 = 440;
const PANEL_H: u32 = 420;

fn chart(
    path: &Path,
    title: &str,
    details: &str,
    q: Quantity,
    outcomes: &[Outcome],
    backends: &[&str],
    modes: &[String],
) -> Result<(), String> {
    let root = SVGBackend::new(path, (PANEL_W * backends.len() as u32, HEADER + PANEL_H))
        .into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, body) = root.split_vertically(HEADER);
    header(&top, title, details, modes)?;
    let panels = body.split_evenly((1, backends.len()));
    let values = |rows: &mut dyn Iterator<Item = &Outcome>| -> Vec<f64> {
        rows.filter_map(|o| o.result.as_ref().and_then(|r| q.of(r)))
            .filter(|v| *v > 0.0)
            .collect()
    };
    // RSS on one scale for every panel (memory compares across backends), on a log axis
    // when it spans more than a decade, since 10,000 threads dwarf a few tasks.
    let all = values(&mut outcomes.iter());
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max).max(1.0);
    let max_clients = outcomes.iter().map(|o| o.clients).max().unwrap_or(1) as f64;
    for (area, &backend) in panels.iter().zip(backends) {
        let rows: Vec<&Outcome> = outcomes.iter().filter(|o| o.backend == backend).collect();
        match q {
            Quantity::Rss if wide(lo, hi) => {
                let (a, b) = (lo / 1.5, hi * 1.5);
                let y = (a..b).log_scale().with_key_points(log_ticks(a, b));
                panel(area, backend, q, y, a, &rows, modes, max_clients)?;
            }
            Quantity::Rss => {
                let y: RangedCoordf64 = (0.0..hi * 1.1).into();
                panel(area, backend, q, y, 0.0, &rows, modes, max_clients)?;
            }
            // Throughput from zero (a fall reads as a fall), each backend on its own scale
            // (SQLite in-process outruns the servers several times over).
            Quantity::Throughput => {
                let top = values(&mut rows.iter().copied())
                    .into_iter()
                    .fold(1.0, f64::max);
                let y: RangedCoordf64 = (0.0..top * 1.1).into();
                panel(area, backend, q, y, 0.0, &rows, modes, max_clients)?;
            }
        }
    }
    root.present().map_err(err)
}

#[allow(clippy::too_many_arguments)]
fn panel<Y>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    backend: &str,
    q: Quantity,
    y: Y,
    floor: f64,
    rows: &[&Outcome],
    modes: &[String],
    max_clients: f64,
) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let x_hi = max_clients.max(10.0) * 1.6;
    let ticks = log_ticks(1.0, x_hi)
        .into_iter()
        .filter(|v| v.log10().fract() == 0.0)
        .collect::<Vec<_>>();
    let mut chart = ChartBuilder::on(area)
        .caption(backend, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d((0.7..x_hi).log_scale().with_key_points(ticks), y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| thousands(*v))
        .y_label_formatter(&|v| q.label(*v))
        .x_desc("concurrent clients")
        .y_desc(q.axis())
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    for (k, mode) in modes.iter().enumerate() {
        let c = colour(k);
        let mut points: Vec<(f64, f64)> = rows
            .iter()
            .filter(|o| &o.mode == mode)
            .filter_map(|o| Some((o.clients as f64, q.of(o.result.as_ref()?)?)))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))
            .map_err(err)?;
        let failed = rows
            .iter()
            .filter(|o| &o.mode == mode && o.result.is_none())
            .map(|o| Cross::new((o.clients as f64, floor), 5, c.stroke_width(2)));
        chart.draw_series(failed).map_err(err)?;
    }
    Ok(())
}
