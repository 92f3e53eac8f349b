//! Drawing, with plotters' SVG backend only (no system fonts: text is written as `<text>` and sized by an
//! estimate). Horizontal bars, because runtime/variant labels are long; line charts with the legend in its own
//! column. The helpers (font, colours, ticks, label widths) are public for other drawings, such as `arena merge`'s.

use std::path::Path;

use anyhow::anyhow;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use arena_analysis::Row;
use arena_analysis::verdicts::Mark;

/// The font family of every chart (no system fonts are read).
pub const FONT: &str = "sans-serif";

/// A plotters error as an anyhow error.
pub fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

/// The top of a segmented axis for `n` bars: `0..n-1` gives n slots, but plotters draws nothing for `0..0`, so
/// one bar gets a spare slot.
fn slots(n: u32) -> u32 {
    if n <= 1 { 1 } else { n - 1 }
}

/// Bars are drawn top-down in table order: row i sits in slot n-1-i.
fn slot(n: u32, i: usize) -> u32 {
    n.saturating_sub(1) - i as u32
}

/// The width in pixels of a label column for these labels.
pub fn label_width(labels: &[String]) -> u32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u32;
    (longest * 7 + 16).clamp(120, 460)
}

/// A horizontal bar chart of the mean wall time with ±1 sd error bars, one bar per timed cell.
pub fn bars(path: &Path, title: &str, rows: &[&Row]) -> anyhow::Result<()> {
    let labels: Vec<String> = rows.iter().map(|r| r.cell.label()).collect();
    let n = rows.len() as u32;
    let to_ms = 1000.0;
    let max = rows
        .iter()
        .map(|r| (r.hf.mean + r.hf.stddev.unwrap_or(0.0)).max(r.hf.median))
        .fold(0.0f64, f64::max)
        * to_ms
        * 1.12;
    let h = 100 + 32 * (slots(n) + 1);
    let lw = label_width(&labels);
    let root = SVGBackend::new(path, (lw + 640, h)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let fmt_y = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) if *i < n => labels
            .get(slot(n, *i as usize) as usize)
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    // Times that span more than 30x (io-sleep: 10 ms beside 1 s) get a log axis, or the short bars vanish.
    let min = rows.iter().map(|r| r.hf.mean).fold(f64::MAX, f64::min) * to_ms;
    let log = max / min.max(1e-6) > 30.0;
    let mut b = ChartBuilder::on(&root);
    b.caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(lw);
    macro_rules! draw {
        ($chart:ident, $x0:expr, $desc:expr) => {{
            let x0: f64 = $x0;
            $chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n as usize)
                .y_label_formatter(&fmt_y)
                .x_label_formatter(&tick)
                .x_desc($desc)
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 14))
                .draw()
                .map_err(err)?;
            $chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    // One colour per model family, the same in every chart; peers lighter.
                    let c = family_color(r.model, r.peer);
                    let mut rect = Rectangle::new(
                        [
                            (x0, SegmentValue::Exact(slot(n, i))),
                            (r.hf.mean * to_ms, SegmentValue::Exact(slot(n, i) + 1)),
                        ],
                        c.filled(),
                    );
                    rect.set_margin(5, 5, 0, 0);
                    rect
                }))
                .map_err(err)?;
            $chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let sd = r.hf.stddev.unwrap_or(0.0);
                    ErrorBar::new_horizontal(
                        SegmentValue::CenterOf(slot(n, i)),
                        ((r.hf.mean - sd) * to_ms).max(x0),
                        r.hf.mean * to_ms,
                        (r.hf.mean + sd) * to_ms,
                        BLACK.stroke_width(1),
                        10,
                    )
                }))
                .map_err(err)?;
        }};
    }
    if log {
        let x0 = min * 0.5;
        let mut chart = b
            .build_cartesian_2d(
                (x0..(max * 1.4).max(x0 * 2.0)).log_scale(),
                (0u32..slots(n)).into_segmented(),
            )
            .map_err(err)?;
        draw!(
            chart,
            x0,
            "wall time per run, ms, log scale (bar: mean; whisker: ±1 sd)"
        );
    } else {
        let mut chart = b
            .build_cartesian_2d(min..max.max(1e-3), (0u32..slots(n)).into_segmented())
            .map_err(err)?;
        draw!(
            chart,
            0.0,
            "wall time per run, ms (bar: mean; whisker: ±1 sd)"
        );
    }
    root.present().map_err(err)?;
    Ok(())
}

/// One cell's bars on a latency chart.
pub struct LatencyBar {
    /// The cell's label.
    pub label: String,
    /// Its p50, in ms.
    pub p50: f64,
    /// Its p99, in ms.
    pub p99: f64,
}

/// Horizontal bars of latency p50 (light) and p99 (dark) per cell, in ms.
pub fn latency(path: &Path, title: &str, rows: &[LatencyBar]) -> anyhow::Result<()> {
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let n = rows.len() as u32;
    let max = rows.iter().map(|r| r.p99).fold(0.0f64, f64::max) * 1.12;
    // Lateness is signed: an early wake-up is a bar to the left of 0, never hidden.
    let min = rows.iter().map(|r| r.p50.min(r.p99)).fold(0.0f64, f64::min) * 1.12;
    let lw = label_width(&labels);
    let root = SVGBackend::new(path, (lw + 640, 100 + 40 * (slots(n) + 1))).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(lw)
        .build_cartesian_2d(min..max.max(1e-3), (0u32..slots(n)).into_segmented())
        .map_err(err)?;
    let fmt_y = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) if *i < n => labels
            .get(slot(n, *i as usize) as usize)
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n as usize)
        .y_label_formatter(&fmt_y)
        .x_desc("latency, ms (upper bar: p50; lower bar: p99)")
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(err)?;
    for (which, color) in [(0usize, BLUE.mix(0.45)), (1, BLUE.mix(0.9))] {
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let v = if which == 0 { r.p50 } else { r.p99 };
                let mut rect = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(slot(n, i))),
                        (v, SegmentValue::Exact(slot(n, i) + 1)),
                    ],
                    color.filled(),
                );
                // p50 in the upper half of the slot, p99 in the lower half.
                if which == 0 {
                    rect.set_margin(4, 20, 0, 0);
                } else {
                    rect.set_margin(20, 4, 0, 0);
                }
                rect
            }))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

pub type Series<'a> = Vec<(String, Vec<(f64, f64)>)>;

/// A line chart, one line per series, with a legend; `log` makes both axes logarithmic.
pub fn lines(
    path: &Path,
    title: &str,
    (x_desc, y_desc): (&str, &str),
    series: &Series<'_>,
    ideal: Option<Vec<(f64, f64)>>,
    log: bool,
) -> anyhow::Result<()> {
    let pts = series
        .iter()
        .flat_map(|(_, v)| v.iter())
        .chain(ideal.iter().flatten());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let names: Vec<String> = series.iter().map(|(n, _)| n.clone()).collect();
    let legend_w = label_width(&names) + 50;
    let root = SVGBackend::new(path, (880 + legend_w, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    // The legend gets its own column at the right, so it never hides a point.
    let (plot, legend) = root.split_horizontally(880);
    let mut b = ChartBuilder::on(&plot);
    b.caption(title, (FONT, 18))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70);
    macro_rules! finish {
        ($chart:ident) => {{
            $chart
                .configure_mesh()
                .x_desc(x_desc)
                .y_desc(y_desc)
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 14))
                .draw()
                .map_err(err)?;
            if let Some(id) = &ideal {
                $chart
                    .draw_series(LineSeries::new(
                        id.iter().copied(),
                        BLACK.mix(0.4).stroke_width(2),
                    ))
                    .map_err(err)?;
            }
            for (i, (_, v)) in series.iter().enumerate() {
                let c = color(i);
                $chart
                    .draw_series(LineSeries::new(v.iter().copied(), c.stroke_width(2)))
                    .map_err(err)?;
                // A marker per series in turn (circle, triangle, square, cross), so lines that share a colour, or
                // colours a reader cannot tell apart, still tell apart.
                match i % 4 {
                    0 => $chart.draw_series(v.iter().map(|&p| Circle::new(p, 4, c.filled()))),
                    1 => $chart.draw_series(v.iter().map(|&p| TriangleMarker::new(p, 5, c.filled()))),
                    2 => $chart.draw_series(v.iter().map(|&p| {
                        EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], c.filled())
                    })),
                    _ => $chart.draw_series(v.iter().map(|&p| Cross::new(p, 4, c.stroke_width(2)))),
                }
                .map_err(err)?;
            }
        }};
    }
    if log {
        let mut chart = b
            .build_cartesian_2d(
                (x0 * 0.7..x1 * 1.4).log_scale(),
                (y0 * 0.5..y1 * 2.0).log_scale(),
            )
            .map_err(err)?;
        finish!(chart);
    } else {
        let mut chart = b
            .build_cartesian_2d(0.0..x1 * 1.05, 0.0..y1 * 1.15)
            .map_err(err)?;
        finish!(chart);
    }
    let mut entries: Vec<(String, RGBAColor)> = Vec::new();
    if ideal.is_some() {
        entries.push(("ideal".into(), BLACK.mix(0.4)));
    }
    entries.extend(
        series
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), color(i))),
    );
    let first_series = usize::from(ideal.is_some());
    for (i, (name, c)) in entries.iter().enumerate() {
        let y = 50 + 20 * i as i32;
        legend
            .draw(&PathElement::new(vec![(8, y), (32, y)], c.stroke_width(2)))
            .map_err(err)?;
        if i >= first_series {
            let p = (20, y);
            match (i - first_series) % 4 {
                0 => legend.draw(&Circle::new(p, 4, c.filled())),
                1 => legend.draw(&TriangleMarker::new(p, 5, c.filled())),
                2 => legend.draw(&Rectangle::new([(16, y - 4), (24, y + 4)], c.filled())),
                _ => legend.draw(&Cross::new(p, 4, c.stroke_width(2))),
            }
            .map_err(err)?;
        }
        legend
            .draw(&Text::new(name.clone(), (40, y - 7), (FONT, 13)))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// An axis tick: whole numbers without decimals (100, not 100.0).
pub fn tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A distinct colour per series: Tableau's ten, which stay apart for most colour vision, then they repeat (with
/// another marker, see [`marker`]).
pub fn color(i: usize) -> RGBAColor {
    const TEN: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = TEN[i % TEN.len()];
    RGBColor(r, g, b).to_rgba()
}

/// The colour of a model family, the same in every chart: workspace runtimes in full colour, peers (CPython,
/// Node.js) in a lighter shade of their model's.
pub fn family_color(model: Option<harness::Model>, peer: bool) -> RGBAColor {
    use harness::Model::*;
    let (r, g, b) = match model {
        Some(Sequential) => (110, 110, 110),
        Some(Threads) => (31, 119, 180),
        Some(Emulated) => (148, 103, 189),
        Some(Async) => (44, 160, 44),
        Some(Parallel) => (255, 127, 14),
        Some(Process) => (214, 39, 40),
        None => (0, 0, 0),
    };
    let c = RGBColor(r, g, b);
    if peer { c.mix(0.45) } else { c.mix(0.8) }
}

/// The order of a bar chart's rows: workspace runtimes grouped by model family, then the peers.
pub fn family_rank(model: Option<harness::Model>, peer: bool) -> (bool, u8) {
    use harness::Model::*;
    let m = match model {
        Some(Sequential) => 0,
        Some(Threads) => 1,
        Some(Emulated) => 2,
        Some(Parallel) => 3,
        Some(Async) => 4,
        Some(Process) => 5,
        None => 6,
    };
    (peer, m)
}

/// The colour of a mark: green, amber, red, grey.
pub fn mark_color(mark: Mark) -> RGBColor {
    match mark {
        Mark::Supported => RGBColor(46, 160, 67),
        Mark::Partly => RGBColor(210, 153, 34),
        Mark::Contradicted => RGBColor(207, 34, 46),
        Mark::Missing => RGBColor(160, 160, 160),
    }
}

/// Splits a text into lines of at most `width` characters, at spaces (claims in the verdict panels and the merged
/// report's chart).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(
            wrap("Threads are not parallel for CPU work under a GIL", 20),
            ["Threads are not", "parallel for CPU", "work under a GIL"]
        );
    }
}
