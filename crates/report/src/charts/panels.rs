//! The report's opening figure: one small panel per claim, with the two or three figures that decide its verdict as
//! bars, the rule's thresholds as dashed lines and the mark as the bars' colour, so the run's answers read at a
//! glance. Drawn from [`arena_analysis::verdicts::Verdict::panel`] alone; text is SVG `<text>`, no fonts are read.

use std::path::Path;

use plotters::prelude::*;

use super::draw::{FONT, err, mark_color, wrap};
use arena_analysis::verdicts::{Bar, Verdict};

/// Panels per row.
const COLUMNS: usize = 3;
/// One panel's width in pixels.
const PANEL_W: u32 = 440;
/// One panel's height in pixels.
const PANEL_H: u32 = 215;

/// A number for a bar's end: three significant digits at most.
fn num(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Draws every verdict's panel into one SVG.
pub fn verdict_panels(path: &Path, verdicts: &[Verdict]) -> anyhow::Result<()> {
    let rows = verdicts.len().div_ceil(COLUMNS).max(1);
    let size = (PANEL_W * COLUMNS as u32, PANEL_H * rows as u32 + 40);
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    root.draw(&Text::new(
        "The verdicts at a glance: the figures that decide each claim (bar colour = verdict; dashed lines = the rule's thresholds)",
        (12, 12),
        (FONT, 15),
    ))
    .map_err(err)?;
    let body = root.margin(40, 0, 0, 0);
    let areas = body.split_evenly((rows, COLUMNS));
    for (v, area) in verdicts.iter().zip(areas) {
        panel(&area, v)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    v: &Verdict,
) -> anyhow::Result<()> {
    let (w, h) = (PANEL_W as i32, PANEL_H as i32);
    let color = mark_color(v.mark);
    area.draw(&Rectangle::new(
        [(4, 2), (w - 4, h - 6)],
        RGBColor(210, 210, 210).stroke_width(1),
    ))
    .map_err(err)?;
    let mut y = 10;
    for line in wrap(crate::claim(v.claim), 52).iter().take(3) {
        area.draw(&Text::new(
            line.clone(),
            (12, y),
            (FONT, 13).into_font().color(&BLACK),
        ))
        .map_err(err)?;
        y += 16;
    }
    area.draw(&Rectangle::new([(12, y + 2), (24, y + 14)], color.filled()))
        .map_err(err)?;
    area.draw(&Text::new(
        v.mark.text(),
        (30, y + 1),
        (FONT, 13).into_font().color(&color),
    ))
    .map_err(err)?;
    y += 22;
    let Some(p) = &v.panel else {
        // No figures: why not, in the words the merged report uses (no links in a picture).
        for line in wrap(&crate::sections::verdicts::plain(&v.evidence), 60)
            .iter()
            .take(6)
        {
            area.draw(&Text::new(
                line.clone(),
                (12, y + 4),
                (FONT, 12).into_font().color(&RGBColor(110, 110, 110)),
            ))
            .map_err(err)?;
            y += 16;
        }
        return Ok(());
    };
    // Bars from x0 to x1 (pixels), scaled to the largest bar or rule; on a log axis when the figures span more than
    // 30x (a speedup of 80 beside a rule at 1.2), so the small bar and the rule still show.
    let (x0, x1) = (12, w - 60);
    let values = || {
        p.bars
            .iter()
            .map(|b| b.value)
            .chain(p.rules.iter().copied())
    };
    let top = values().fold(0.0f64, f64::max).max(1e-9) * 1.08;
    let low = values().filter(|v| *v > 0.0).fold(f64::MAX, f64::min);
    let log = low < f64::MAX && top / low > 30.0;
    let lo = low / 2.0;
    let span = f64::from(x1 - x0);
    let scale = |v: f64| {
        let f = if log {
            if v <= lo {
                0.0
            } else {
                (v / lo).ln() / (top / lo).ln()
            }
        } else {
            v.max(0.0) / top
        };
        x0 + (f * span) as i32
    };
    let bars: Vec<&Bar> = p.bars.iter().take(4).collect();
    let slot = ((h - 30 - y) / bars.len().max(1) as i32).clamp(24, 36);
    let mut spans = Vec::new();
    for Bar { label, value } in bars {
        let short: String = label.chars().take(60).collect();
        area.draw(&Text::new(short, (x0, y), (FONT, 11)))
            .map_err(err)?;
        area.draw(&Rectangle::new(
            [(x0, y + 13), (scale(*value).max(x0 + 1), y + slot - 4)],
            color.mix(0.8).filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            num(*value),
            (scale(*value) + 4, y + 13),
            (FONT, 11),
        ))
        .map_err(err)?;
        spans.push((y + 12, y + slot - 3));
        y += slot;
    }
    // The rule's thresholds: dashed across the bars only, so the labels stay clear; numbered under the last bar.
    let mut labelled: Vec<i32> = Vec::new();
    for r in &p.rules {
        let x = scale(*r);
        for &(a, b) in &spans {
            let mut yy = a;
            while yy < b {
                area.draw(&PathElement::new(
                    vec![(x, yy), (x, (yy + 4).min(b))],
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?;
                yy += 7;
            }
        }
        // Two thresholds a few pixels apart share one label.
        if labelled.iter().all(|l| (l - x).abs() > 28) {
            area.draw(&Text::new(num(*r), (x - 8, y + 1), (FONT, 10)))
                .map_err(err)?;
            labelled.push(x);
        }
    }
    let unit = if log {
        format!("{} (log scale)", p.unit)
    } else {
        p.unit.to_string()
    };
    area.draw(&Text::new(
        unit,
        (x0, h - 22),
        (FONT, 11).into_font().color(&RGBColor(90, 90, 90)),
    ))
    .map_err(err)?;
    Ok(())
}
