//! The peers charts: per world, a panel per backend, a group of horizontal bars per
//! workload (one per peer), each bar the median of the per-round ratio peer / ambidex,
//! drawn from 1.0 (right of the line: the peer is slower), with a whisker over the
//! quartiles.

use std::path::{Path, PathBuf};

use ambidex_benches::harness::Spread;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::common::{HEADER, colour, err, header, log_ticks, wide};

/// `peers.json` / `sea_orm_sync.json`, the parts the charts read (a mirror of what the
/// benches serialize: `{"machine", "rounds", "measurements": [harness::Measurement]}`).
#[derive(serde::Deserialize)]
struct File {
    measurements: Vec<Measurement>,
    #[serde(default)]
    rounds: Option<usize>,
    #[serde(default)]
    machine: Option<serde_json::Value>,
}

/// One `harness::Measurement`.
#[derive(serde::Deserialize)]
struct Measurement {
    world: String,
    backend: String,
    workload: String,
    contenders: Vec<String>,
    /// Seconds per operation, `[round][contender]`.
    times: Vec<Vec<f64>>,
}

impl Measurement {
    /// The per-round ratio contender `c` / the baseline, as median and quartiles.
    fn ratio(&self, c: usize) -> Option<Spread> {
        let values: Vec<f64> = self
            .times
            .iter()
            .filter(|r| r.len() > c && r[0] > 0.0)
            .map(|r| r[c] / r[0])
            .collect();
        (!values.is_empty()).then(|| Spread::of(values))
    }
}

/// One bar: a workload's row, a peer, its ratio.
struct Bar {
    row: usize,
    peer: usize,
    ratio: Spread,
}

/// A backend's panel.
struct Panel {
    backend: String,
    workloads: Vec<String>,
    bars: Vec<Bar>,
}

/// Draws one SVG per `(world, file name)` in `charts` from the JSON `text` into `dir`.
pub fn draw(text: &str, dir: &Path, charts: &[(&str, &str)]) -> Result<Vec<PathBuf>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("unreadable: {e}"))?;
    let mut out = Vec::new();
    for &(world, name) in charts {
        let ms: Vec<&Measurement> = file
            .measurements
            .iter()
            .filter(|m| m.world == world)
            .collect();
        if ms.is_empty() {
            eprintln!("{name}: skipped (no `{world}` measurements)");
            continue;
        }
        let baseline = ms[0].contenders.first().cloned().unwrap_or_default();
        let mut peers: Vec<String> = Vec::new();
        for m in &ms {
            for c in m.contenders.iter().skip(1) {
                if !peers.contains(c) {
                    peers.push(c.clone());
                }
            }
        }
        let mut panels: Vec<Panel> = Vec::new();
        for m in &ms {
            let k = match panels.iter().position(|p| p.backend == m.backend) {
                Some(k) => k,
                None => {
                    panels.push(Panel {
                        backend: m.backend.clone(),
                        workloads: Vec::new(),
                        bars: Vec::new(),
                    });
                    panels.len() - 1
                }
            };
            let panel = &mut panels[k];
            let row = panel.workloads.len();
            panel.workloads.push(m.workload.clone());
            for (c, contender) in m.contenders.iter().enumerate().skip(1) {
                if let Some(ratio) = m.ratio(c) {
                    let peer = peers
                        .iter()
                        .position(|p| p == contender)
                        .expect("collected");
                    panel.bars.push(Bar { row, peer, ratio });
                }
            }
        }
        let path = dir.join(name);
        let rounds = file
            .rounds
            .map_or(String::new(), |r| format!(", {r} rounds"));
        let date = file
            .machine
            .as_ref()
            .and_then(|m| m.get("date"))
            .and_then(|d| d.as_str())
            .map_or(String::new(), |d| format!(", {d}"));
        let title = format!("{world}: time per operation, each peer relative to {baseline}");
        let details = format!(
            "Bars: median of the per-round ratios peer / ambidex, whiskers: quartiles{rounds}{date}. Right of 1.0: the peer is slower."
        );
        chart(&path, &title, &details, &peers, &panels)?;
        out.push(path);
    }
    Ok(out)
}

/// Pixels per bar, and between workload groups.
const BAR_PX: u32 = 14;
const GAP_PX: u32 = 12;
const WIDTH: u32 = 1100;

fn chart(
    path: &Path,
    title: &str,
    details: &str,
    peers: &[String],
    panels: &[Panel],
) -> Result<(), String> {
    let heights: Vec<u32> = panels
        .iter()
        .map(|p| 90 + p.workloads.len() as u32 * (peers.len() as u32 * BAR_PX + GAP_PX))
        .collect();
    let height = HEADER + heights.iter().sum::<u32>();
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, mut rest) = root.split_vertically(HEADER);
    let mut names = peers.to_vec();
    if names.is_empty() {
        names.push("(no peers)".into());
    }
    header(&top, title, details, &names)?;
    // One x axis for every panel of the chart, so bars compare across backends.
    let all = panels.iter().flat_map(|p| &p.bars);
    let lo = all
        .clone()
        .map(|b| b.ratio.q1.min(b.ratio.median))
        .fold(1.0, f64::min);
    let hi = all
        .map(|b| b.ratio.q3.max(b.ratio.median))
        .fold(1.0, f64::max);
    for (panel, &h) in panels.iter().zip(&heights) {
        let (area, below) = rest.split_vertically(h);
        rest = below;
        if wide(lo, hi) {
            let (a, b) = (lo / 1.3, hi * 1.3);
            let x = (a..b).log_scale().with_key_points(log_ticks(a, b));
            draw_panel(&area, x, lo / 1.3, peers.len(), panel)?;
        } else {
            let x: RangedCoordf64 = (0.0..hi * 1.15).into();
            draw_panel(&area, x, 0.0, peers.len(), panel)?;
        }
    }
    root.present().map_err(err)
}

fn draw_panel<X>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    x: X,
    x_start: f64,
    peers: usize,
    panel: &Panel,
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let rows = panel.workloads.len();
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.backend, ("sans-serif", 17))
        .margin_right(30)
        .margin_top(6)
        .x_label_area_size(30)
        .y_label_area_size(260)
        .build_cartesian_2d(x, 0.0..rows as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_label_formatter(&|v| {
            if *v >= 10.0 {
                format!("{v:.0}x")
            } else {
                format!("{}x", (*v * 100.0).round() / 100.0)
            }
        })
        .x_desc("peer / ambidex")
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    // Row r (top to bottom) occupies y in [rows - 1 - r, rows - r); its name goes left of
    // the plot, right-aligned (plotters' key points cannot label a plain f64 axis).
    let base = area.get_base_pixel();
    let name_style = ("sans-serif", 13)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (r, workload) in panel.workloads.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(x_start, rows as f64 - r as f64 - 0.5));
        area.draw(&Text::new(
            workload.as_str(),
            (px - base.0 - 8, py - base.1),
            name_style.clone(),
        ))
        .map_err(err)?;
    }
    let band = 0.84 / peers.max(1) as f64;
    let font = ("sans-serif", 11).into_font();
    for bar in &panel.bars {
        let top = rows as f64 - bar.row as f64 - 0.08 - band * bar.peer as f64;
        let (y0, y1) = (top - band * 0.88, top);
        let mid = (y0 + y1) / 2.0;
        let m = bar.ratio.median;
        let c = colour(bar.peer);
        chart
            .draw_series([Rectangle::new([(1.0, y0), (m, y1)], c.filled())])
            .map_err(err)?;
        chart
            .draw_series([PathElement::new(
                vec![(bar.ratio.q1, mid), (bar.ratio.q3, mid)],
                BLACK.stroke_width(1),
            )])
            .map_err(err)?;
        let (edge, anchor, dx) = if m >= 1.0 {
            (bar.ratio.q3.max(m), HPos::Left, 4)
        } else {
            (bar.ratio.q1.min(m), HPos::Right, -4)
        };
        let style = font.color(&BLACK).pos(Pos::new(anchor, VPos::Center));
        chart
            .draw_series([EmptyElement::at((edge, mid))
                + Text::new(format!("{m:.2}x"), (dx, 0), style.clone())])
            .map_err(err)?;
    }
    chart
        .draw_series([PathElement::new(
            vec![(1.0, 0.0), (1.0, rows as f64)],
            BLACK.stroke_width(2),
        )])
        .map_err(err)?;
    Ok(())
}
