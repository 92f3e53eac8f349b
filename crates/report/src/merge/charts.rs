//! The merged report's SVG charts, drawn from a [`Merged`] alone with plotters' SVG backend: the verdicts as small
//! multiples (one panel per claim, one dot per machine coloured by its mark) and the cpu-balanced speedup of every
//! machine on one chart (colour: runtime/variant; marker and line style: machine; a grey ideal per machine).

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::charts::draw::{FONT, color, err, label_width, mark_color, tick, wrap};
use arena_analysis::verdicts::Mark;

use super::Merged;

/// A chart of the merged report; its file name and alt text are said here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergedChart {
    /// One small panel per claim, one dot per machine.
    Verdicts,
    /// cpu-balanced speedup against workers, every machine.
    SpeedupWorkers,
}

impl MergedChart {
    /// The file under `charts/`.
    pub fn file_name(self) -> &'static str {
        match self {
            MergedChart::Verdicts => "verdicts.svg",
            MergedChart::SpeedupWorkers => "speedup-workers.svg",
        }
    }

    /// The alt text of its image link.
    pub fn alt(self) -> &'static str {
        match self {
            MergedChart::Verdicts => "each claim's mark on each machine",
            MergedChart::SpeedupWorkers => "cpu-balanced speedup against workers on every machine",
        }
    }
}

/// Draws every chart the data allows; returns the ones drawn.
pub fn write_all(m: &Merged, dir: &Path) -> anyhow::Result<Vec<MergedChart>> {
    let mut out = Vec::new();
    if !m.claims.is_empty() {
        verdicts(m, &dir.join(MergedChart::Verdicts.file_name()))?;
        out.push(MergedChart::Verdicts);
    }
    if m.speedup
        .iter()
        .any(|r| r.entries.iter().any(|e| e.speedup().is_some()))
    {
        speedup(m, &dir.join(MergedChart::SpeedupWorkers.file_name()))?;
        out.push(MergedChart::SpeedupWorkers);
    }
    Ok(out)
}

const MARKS: [Mark; 4] = [
    Mark::Supported,
    Mark::Partly,
    Mark::Contradicted,
    Mark::Missing,
];

fn verdicts(m: &Merged, path: &Path) -> anyhow::Result<()> {
    const COLS: usize = 3;
    const PANEL_W: u32 = 380;
    const HEAD: u32 = 70;
    let rows = m.claims.len().div_ceil(COLS);
    let panel_h = 62 + 22 * m.machines.len() as u32;
    let root = SVGBackend::new(path, (COLS as u32 * PANEL_W, HEAD + rows as u32 * panel_h))
        .into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (head, body) = root.split_vertically(HEAD);
    head.draw(&Text::new(
        "Each claim on each machine (dot colour: the mark)",
        (12, 10),
        (FONT, 18),
    ))
    .map_err(err)?;
    let mut x = 12;
    for mark in MARKS {
        head.draw(&Circle::new((x + 7, 48), 7, mark_color(mark).filled()))
            .map_err(err)?;
        head.draw(&Text::new(mark.text(), (x + 20, 41), (FONT, 13)))
            .map_err(err)?;
        x += 30 + 8 * mark.text().len() as i32;
    }
    let panels = body.split_evenly((rows, COLS));
    for (c, panel) in m.claims.iter().zip(&panels) {
        let (w, h) = panel.dim_in_pixel();
        panel
            .draw(&Rectangle::new(
                [(4, 4), (w as i32 - 4, h as i32 - 4)],
                BLACK.mix(0.25).stroke_width(1),
            ))
            .map_err(err)?;
        for (i, line) in wrap(crate::claim(c.claim), 46).iter().take(2).enumerate() {
            panel
                .draw(&Text::new(
                    line.clone(),
                    (14, 12 + 17 * i as i32),
                    (FONT, 14).into_font().style(FontStyle::Bold),
                ))
                .map_err(err)?;
        }
        for (i, (mach, v)) in m.machines.iter().zip(&c.verdicts).enumerate() {
            let y = 60 + 22 * i as i32;
            panel
                .draw(&Circle::new((24, y), 7, mark_color(v.mark).filled()))
                .map_err(err)?;
            panel
                .draw(&Text::new(
                    format!("{}: {}", mach.key, v.mark.text()),
                    (38, y - 7),
                    (FONT, 13),
                ))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

/// A machine's marker: a filled circle, a triangle, a cross or a hollow circle, in turn.
fn marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    machine: usize,
    at: CT::From,
    c: RGBAColor,
) -> anyhow::Result<()>
where
    CT::From: Clone,
{
    match machine % 4 {
        0 => area.draw(&Circle::new(at, 4, c.filled())),
        1 => area.draw(&TriangleMarker::new(at, 6, c.filled())),
        2 => area.draw(&Cross::new(at, 5, c.stroke_width(2))),
        _ => area.draw(&Circle::new(at, 5, c.stroke_width(2))),
    }
    .map_err(err)
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A machine's line: solid for the first, dashed for the second, and so on in turn.
fn line(
    chart: &mut Plot<'_, '_>,
    machine: usize,
    pts: &[(f64, f64)],
    c: RGBAColor,
) -> anyhow::Result<()> {
    let style = c.stroke_width(2);
    if machine.is_multiple_of(2) {
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), style))
            .map_err(err)?;
    } else {
        chart
            .draw_series(DashedLineSeries::new(pts.iter().copied(), 8, 5, style))
            .map_err(err)?;
    }
    for p in pts {
        marker(chart.plotting_area(), machine, *p, c)?;
    }
    Ok(())
}

fn speedup(m: &Merged, path: &Path) -> anyhow::Result<()> {
    let mut series: Vec<&str> = Vec::new();
    for r in &m.speedup {
        if !series.contains(&r.series.as_str()) {
            series.push(&r.series);
        }
    }
    let max_w = m.speedup.iter().map(|r| r.workers).max().unwrap_or(1);
    let mut xs: Vec<u64> = m.speedup.iter().map(|r| r.workers).collect();
    xs.sort_unstable();
    xs.dedup();
    let top = m
        .speedup
        .iter()
        .flat_map(|r| r.entries.iter().filter_map(|e| e.speedup()))
        .chain((0..m.machines.len()).map(|i| m.ideal(i, max_w)))
        .fold(1.0f64, f64::max);
    let mut names: Vec<String> = series.iter().map(|s| s.to_string()).collect();
    names.extend(m.machines.iter().map(|x| x.key.clone()));
    let legend_w = label_width(&names) + 50;
    let root = SVGBackend::new(path, (880 + legend_w, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (plot, legend) = root.split_horizontally(880);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            "cpu-balanced: speedup over each machine's sequential run against workers",
            (FONT, 18),
        )
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..max_w as f64 * 1.05 + 0.5, 0.0..top * 1.15)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("workers (--workers)")
        .y_desc("speedup over seq (x)")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(err)?;
    let grey = BLACK.mix(0.4);
    for i in 0..m.machines.len() {
        let ideal: Vec<(f64, f64)> = xs.iter().map(|&w| (w as f64, m.ideal(i, w))).collect();
        line(&mut chart, i, &ideal, grey)?;
        for (k, s) in series.iter().enumerate() {
            let pts: Vec<(f64, f64)> = m
                .speedup
                .iter()
                .filter(|r| r.series == *s)
                .filter_map(|r| Some((r.workers as f64, r.entries[i].speedup()?)))
                .collect();
            line(&mut chart, i, &pts, color(k))?;
        }
    }
    // The legend: colours are runtime/variants, markers and line styles are machines.
    let mut y = 40;
    let entry = |y: i32, text: String| legend.draw(&Text::new(text, (44, y - 7), (FONT, 13)));
    legend
        .draw(&PathElement::new(
            vec![(8, y), (36, y)],
            grey.stroke_width(2),
        ))
        .map_err(err)?;
    entry(y, "ideal: min(workers, CPUs)".into()).map_err(err)?;
    for (k, s) in series.iter().enumerate() {
        y += 20;
        legend
            .draw(&PathElement::new(
                vec![(8, y), (36, y)],
                color(k).stroke_width(2),
            ))
            .map_err(err)?;
        entry(y, s.to_string()).map_err(err)?;
    }
    y += 30;
    entry(y, "machines (marker, line):".into()).map_err(err)?;
    for (i, x) in m.machines.iter().enumerate() {
        y += 20;
        let style = BLACK.stroke_width(1);
        if i.is_multiple_of(2) {
            legend
                .draw(&PathElement::new(vec![(8, y), (36, y)], style))
                .map_err(err)?;
        } else {
            legend
                .draw(&DashedPathElement::new(vec![(8, y), (36, y)], 4, 3, style))
                .map_err(err)?;
        }
        marker(&legend, i, (22, y), BLACK.to_rgba())?;
        entry(y, x.key.clone()).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}
