//! The chart of "The GIL across CPython versions": lost updates (% of attempted) per version, for `counter += 1` and
//! `counter += f()` at 2 and 4 threads, beside the 2-thread speedup per version. Both axes from zero, each version
//! a label, one legend per panel.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{FONT, color, err, tick};
use arena_analysis::calibration::Rmw;
use arena_analysis::cpython::VersionRow;

/// The four bars of a version in the left panel: (form, threads).
const LOSS_BARS: [(Rmw, u64); 4] = [
    (Rmw::Plain, 2),
    (Rmw::Plain, 4),
    (Rmw::Call, 2),
    (Rmw::Call, 4),
];

/// Draws the two panels into `path`.
pub fn draw(path: &Path, rows: &[VersionRow]) -> anyhow::Result<()> {
    let n = rows.len().max(1);
    let panel_w = (140 + 90 * n as u32).max(420);
    let root = SVGBackend::new(path, (2 * panel_w, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (left, right) = root.split_horizontally(panel_w);
    let label_style =
        TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));

    // Left: lost updates, % of attempted.
    let mut c = ChartBuilder::on(&left)
        .caption("lost updates, % of attempted (higher is worse)", (FONT, 16))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..n as f64, 0.0..105.0)
        .map_err(err)?;
    c.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("% of W x K increments lost")
        .y_label_formatter(&tick)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(err)?;
    let bw = 0.8 / LOSS_BARS.len() as f64;
    for (k, (rmw, w)) in LOSS_BARS.iter().enumerate() {
        let col = color(k);
        let bars: Vec<Rectangle<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let share = r.cell(*rmw, *w)?.share() * 100.0;
                let x0 = i as f64 + 0.1 + k as f64 * bw;
                // A zero is drawn as a hairline, so "measured, none lost" differs from "not measured".
                Some(Rectangle::new(
                    [(x0, 0.0), (x0 + bw * 0.9, share.max(0.4))],
                    col.filled(),
                ))
            })
            .collect();
        c.draw_series(bars)
            .map_err(err)?
            .label(format!("{}, {w} threads", rmw.statement()))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], col.filled()));
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 12))
        .draw()
        .map_err(err)?;
    for (i, r) in rows.iter().enumerate() {
        let (px, py) = c.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(r.id.clone(), (px, py + 6), label_style.clone()))
            .map_err(err)?;
    }

    // Right: the 2-thread speedup.
    let top = rows
        .iter()
        .filter_map(|r| r.speedup.map(|s| s.ratio))
        .fold(2.0f64, f64::max)
        * 1.15;
    let mut c = ChartBuilder::on(&right)
        .caption(
            "cpu-balanced: 2-thread speedup (seq / threads, elapsed_ms)",
            (FONT, 16),
        )
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..n as f64, 0.0..top)
        .map_err(err)?;
    c.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("speedup over one thread (x)")
        .y_label_formatter(&tick)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(err)?;
    let col = color(4);
    c.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
        let s = r.speedup?.ratio;
        Some(Rectangle::new(
            [(i as f64 + 0.25, 0.0), (i as f64 + 0.75, s)],
            col.filled(),
        ))
    }))
    .map_err(err)?
    .label("median of 3 alternated runs each")
    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], col.filled()));
    for (level, what) in [(1.0, "1x: one core's worth"), (2.0, "2x: two cores")] {
        let grey = BLACK.mix(0.45);
        c.draw_series(DashedLineSeries::new(
            [(0.0, level), (n as f64, level)],
            6,
            4,
            grey.stroke_width(1),
        ))
        .map_err(err)?
        .label(what)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], grey.stroke_width(1)));
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 12))
        .draw()
        .map_err(err)?;
    for (i, r) in rows.iter().enumerate() {
        let (px, py) = c.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(r.id.clone(), (px, py + 6), label_style.clone()))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}
