//! What every chart shares: colours, the legend row, axis ranges, number formats.

use plotters::coord::Shift;
use plotters::prelude::*;

/// A drawing error as text.
pub fn err(e: impl std::fmt::Display) -> String {
    format!("drawing: {e}")
}

/// Distinct colours for series, in order (Okabe-Ito, readable by colour-blind eyes, and a
/// few more).
pub const COLOURS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

/// The colour of series `k`.
pub fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

/// How high the area for [`header`] should be, in pixels.
pub const HEADER: u32 = 84;

/// Draws a title, a line of details under it, and a legend row (a swatch and a name per
/// series) across the top of `area`, [`HEADER`] pixels high.
pub fn header(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    details: &str,
    names: &[String],
) -> Result<(), String> {
    area.draw(&Text::new(title, (12, 8), ("sans-serif", 20).into_font()))
        .map_err(err)?;
    area.draw(&Text::new(
        details,
        (12, 34),
        ("sans-serif", 13).into_font(),
    ))
    .map_err(err)?;
    let mut x = 12;
    for (k, name) in names.iter().enumerate() {
        area.draw(&Rectangle::new([(x, 60), (x + 14, 72)], colour(k).filled()))
            .map_err(err)?;
        area.draw(&Text::new(
            name.as_str(),
            (x + 20, 59),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(err)?;
        // The naive text estimate: about 0.7 em per character at 14 px.
        x += 20 + (name.len() as i32 * 9) + 24;
    }
    Ok(())
}

/// Whether values spanning `lo..hi` (both positive) read better on a log axis.
pub fn wide(lo: f64, hi: f64) -> bool {
    lo > 0.0 && hi / lo > 8.0
}

/// A number of clients as `10,000`.
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

/// Round numbers from 1-2-5 series covering `lo..hi` (for log axes' labels).
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
        decade *= 10.0;
    }
    out
}
