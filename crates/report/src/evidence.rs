//! A verdict's measured evidence in words: one `Display` per kind of fact, scope and rule of
//! [`arena_analysis::verdicts::facts`], so the run's report, the merged report and the opening figure say each the
//! same way. The analysis hands over figures and labels; the sentence, its rounding and the backticks around a cell's
//! label are written here, once.

use std::fmt::{self, Display, Formatter};

use arena_analysis::verdicts::facts::{
    Clause, Elapsed, Fact, Lateness, Lost, Note, Offload, PoolCost, Scope, Speed, Stated, TimeRatio,
};
use harness::opts;

/// Words for a piece of evidence: `Words(&fact).to_string()`.
pub struct Words<'a, T: ?Sized>(pub &'a T);

/// A cell's label as the report shows it in prose: in backticks.
struct Label<'a>(&'a str);

impl Display for Label<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.0)
    }
}

/// Welch's p, or what stands in when there was no test.
struct P {
    p: Option<f64>,
    untested: &'static str,
}

impl Display for P {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.p {
            Some(p) => write!(f, "Welch p = {p:.3}"),
            None => f.write_str(self.untested),
        }
    }
}

/// Measured evidence: its clauses, joined by "; ".
impl Display for Words<'_, [Clause]> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            // The emulation's clauses follow the interpreter's, under one lead.
            if c.beside && !self.0[..i].iter().any(|p| p.beside) {
                f.write_str("beside it, the emulation: ")?;
            }
            Words(c).fmt(f)?;
        }
        Ok(())
    }
}

/// "scope: fact; fact (rule)".
impl Display for Words<'_, Clause> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let c = self.0;
        if let Some(s) = &c.scope {
            write!(f, "{}: ", Words(s))?;
        }
        for (i, x) in c.facts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            Words(x).fmt(f)?;
        }
        if let Some(r) = &c.rule {
            write!(f, " ({})", Words(r))?;
        }
        Ok(())
    }
}

impl Display for Words<'_, Scope> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Scope::Computing { cpus: None } => f.write_str("computing"),
            Scope::Computing { cpus: Some(1) } => f.write_str("on 1 CPU, computing"),
            Scope::Computing { cpus: Some(n) } => write!(f, "on {n} CPUs, computing"),
            Scope::Waiting => f.write_str("waiting"),
            Scope::BestThreads(w) => write!(f, "best threads cell on {w}"),
            Scope::UnderGilToo => f.write_str("under the GIL too"),
            Scope::Rmw(r) => write!(f, "`{}={}`", opts::RMW, r.opt()),
            Scope::RmwStatement(r) => {
                write!(f, "`{}={}` (`{}`)", opts::RMW, r.opt(), r.statement())
            }
            Scope::NoGilNoAwait => f.write_str("no GIL, no await between load and store"),
            Scope::NoGilAwait => {
                write!(f, "no GIL, an await between them (`{}=true`)", opts::YIELD)
            }
            Scope::FreeThreadedCpython => f.write_str("a free-threaded CPython"),
            Scope::OneLoopNoAwait => f.write_str("one loop, no await"),
            Scope::SharedBuffer => f.write_str("worker_threads over one SharedArrayBuffer"),
        }
    }
}

impl Display for Words<'_, Stated> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Stated::Rule(r) => r.fmt(f),
            Stated::Half(h) => h.fmt(f),
            Stated::SlowerEverywhere(t) => write!(
                f,
                "supported when asyncio is slower at p < {} at every point, contradicted when it never is",
                t.at
            ),
            Stated::NoneLostContradicts => {
                f.write_str("contradicted when none is lost: running to completion keeps it whole")
            }
            Stated::EveryCellLoses => f.write_str("supported when every such cell loses some"),
            Stated::OnlySharedLoses => {
                f.write_str("partly when only plain reads and writes of shared memory lose updates")
            }
            Stated::DisagreesWithEmulation => {
                f.write_str("it disagrees with the emulation: partly")
            }
            Stated::EmulationDisagrees => f.write_str(
                "it decides the mark; the emulation beside it disagrees, so check the emulation's model",
            ),
        }
    }
}

impl Display for Words<'_, Fact> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Fact::Speed(s) => Words(s).fmt(f),
            Fact::OwnSpeedup { label, speedup } => {
                write!(f, "{} {speedup:.2}x its own sequential run", Label(label))
            }
            Fact::Lost(l) => Words(l).fmt(f),
            Fact::Versions(v) => {
                // "lost updates on 3.8.18, 3.9.18 and none on 3.10.13, ...", or one side alone.
                let side =
                    |lost: &[String], whole: &[String]| match (lost.is_empty(), whole.is_empty()) {
                        (false, false) => format!(
                            "lost updates on {} and none on {}",
                            lost.join(", "),
                            whole.join(", ")
                        ),
                        (false, true) => format!("lost updates on every one ({})", lost.join(", ")),
                        (true, _) => format!("lost none on any ({})", whole.join(", ")),
                    };
                write!(
                    f,
                    "across CPython versions (their own section), `counter += 1` {}; `counter += f()` {}: whether \
                     the GIL keeps the statement whole depends on the version (a `t` build has no GIL)",
                    side(&v.plain_lost, &v.plain_whole),
                    side(&v.call_lost, &v.call_whole)
                )
            }
            Fact::Lateness(l) => Words(l).fmt(f),
            Fact::Offloaded { ms, .. } => {
                write!(f, "with `{}=true` it is {ms:.1} ms", opts::OFFLOAD)
            }
            Fact::Offload(o) => Words(o).fmt(f),
            Fact::PoolCost(p) => Words(p).fmt(f),
            Fact::TimeRatio(t) => Words(t).fmt(f),
            Fact::Elapsed(e) => Words(e).fmt(f),
            Fact::Note(n) => Words(n).fmt(f),
        }
    }
}

/// "`rt-x/y`: 1.93x the sequential run (±3% at 95%), 1.98 cores busy with 2 workers on 2 CPUs".
impl Display for Words<'_, Speed> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(
            f,
            "{}: {:.2}x the sequential run",
            Label(&s.label),
            s.speedup
        )?;
        if let Some(c) = s.ci95 {
            write!(f, " (±{:.0}% at 95%)", c * 100.0)?;
        }
        write!(f, ", {:.2} cores busy", s.cores_busy)?;
        if let Some(w) = s.workers {
            write!(f, " with {w} workers")?;
        }
        if let Some(n) = s.cpus {
            write!(f, " on {n} CPUs")?;
        }
        Ok(())
    }
}

/// "`rt-x/y` lost 12 of 4000".
impl Display for Words<'_, Lost> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let l = self.0;
        write!(f, "{} lost {} of {}", Label(&l.label), l.lost, l.attempted)
    }
}

/// "`rt-x/y`: the ticker's p99 lateness is 9.8 ms against its 5 ms wait".
impl Display for Words<'_, Lateness> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let l = self.0;
        write!(
            f,
            "{}: the ticker's p{} lateness is {:.1} ms against its {:.0} ms wait",
            Label(&l.label),
            l.percentile,
            l.ms,
            l.wait_ms
        )
    }
}

/// "the ticker's p99 lateness against its 5 ms wait: `a` 9.8 ms (threads; still blocked ...), `b` 0.4 ms
/// (processes; unblocked ...)".
impl Display for Words<'_, Offload> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let o = self.0;
        write!(
            f,
            "the ticker's p{} lateness against its {:.0} ms wait: {} {:.1} ms (threads; {}), {} {:.1} ms \
             (processes; {})",
            o.percentile,
            o.wait_ms,
            Label(&o.threads.label),
            o.threads.ms,
            o.halves.first,
            Label(&o.processes.label),
            o.processes.ms,
            o.halves.second
        )
    }
}

/// "`p` takes 1.20x the time of the thread pool `t` with the same 2 workers and 100 tasks on io-sleep (Welch p =
/// 0.001; a difference counts at p < 0.05)".
impl Display for Words<'_, PoolCost> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let p = self.0;
        write!(
            f,
            "{} takes {:.2}x the time of the thread pool {} with the same {} workers and {} tasks on {} ({}; a \
             difference counts at p < {})",
            Label(&p.processes),
            p.ratio,
            Label(&p.threads),
            p.workers,
            p.tasks,
            p.workload,
            P {
                p: p.p,
                untested: "no test (too few runs)"
            },
            p.significant.at
        )
    }
}

/// "io-sleep: `a` 2.10x the time of `b`".
impl Display for Words<'_, TimeRatio> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{}: {} {:.2}x the time of {}",
            t.workload,
            Label(&t.a),
            t.ratio,
            Label(&t.b)
        )
    }
}

/// "io-net at 1000 tasks: `a` 50.1 ms against `b` 30.2 ms by elapsed_ms, 1.66x (Welch p = 0.000, 3 and 3 runs)".
impl Display for Words<'_, Elapsed> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(
            f,
            "{} at {} tasks: {} {:.1} ms against {} {:.1} ms by elapsed_ms, {:.2}x ({}, {} and {} runs)",
            e.workload,
            e.tasks,
            Label(&e.a),
            e.a_ms,
            Label(&e.b),
            e.b_ms,
            e.ratio,
            P {
                p: e.p,
                untested: "no test"
            },
            e.a_runs,
            e.b_runs
        )
    }
}

impl Display for Words<'_, Note> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Note::NoSuchCell => "missing evidence (no such cell in this run)",
            Note::EmulationOnly => {
                "no CPython peer weighed it (python3 3.10+ on PATH runs them), so this rests on the emulation \
                 alone, which holds it by how it is built"
            }
            Note::EmulationDisagrees => "the emulation comes out otherwise than the interpreter here",
            Note::NoFreeThreaded => {
                "no free-threaded CPython took part (python3.14t or python3.13t on PATH, or `just \
                 setup-free-threaded` to find or build one), so this rests on the emulation alone, which removes the \
                 lock by construction"
            }
            Note::NoUvloop => {
                "no other CPython loop (uvloop) ran: `scripts/setup` installs it into the peers' environment \
                 when it can"
            }
            Note::NoSharedBufferRace => "no worker_threads race over a SharedArrayBuffer in this run",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arena_analysis::calibration::Rmw;
    use arena_analysis::verdicts::rule::{PARALLEL, SIGNIFICANT, TAKING_TURNS, Threshold};
    use workloads::Workload;

    fn speed(label: &str, speedup: f64) -> Speed {
        Speed {
            label: label.into(),
            speedup,
            ci95: None,
            cores_busy: 1.0,
            workers: None,
            cpus: None,
        }
    }

    fn lost(label: &str, lost: u64) -> Fact {
        Fact::Lost(Lost {
            label: label.into(),
            lost,
            attempted: 4000,
        })
    }

    fn said(c: &[Clause]) -> String {
        Words(c).to_string()
    }

    /// Each clause is "scope: facts (rule)", joined by "; "; a label is in backticks, an interval only when known.
    #[test]
    fn clauses_read_scope_facts_rule() {
        let on_cores = Speed {
            ci95: Some(0.031),
            workers: Some(2),
            cpus: Some(2),
            ..speed("rt-x/y", 1.934)
        };
        assert_eq!(
            said(&[Clause::of(vec![Fact::Speed(on_cores)]).by(Stated::Rule(PARALLEL))]),
            "`rt-x/y`: 1.93x the sequential run (±3% at 95%), 1.00 cores busy with 2 workers on 2 CPUs \
             (supported at 1.5x or more on this machine's cores, partly from 1.2x)"
        );
        assert_eq!(
            said(&[
                Clause::of(vec![Fact::Speed(speed("a", 1.0))])
                    .on(Scope::Computing { cpus: Some(1) })
                    .by(Stated::Half(TAKING_TURNS.first)),
                Clause::of(vec![Fact::Speed(speed("b", 3.0))]).on(Scope::Waiting),
            ]),
            "on 1 CPU, computing: `a`: 1.00x the sequential run, 1.00 cores busy (taking turns below 1.2x); \
             waiting: `b`: 3.00x the sequential run, 1.00 cores busy"
        );
    }

    /// The branches the committed runs do not reach, word for word as the analysis once wrote them.
    #[test]
    fn rarer_branches() {
        assert_eq!(
            said(&[
                Clause::of(vec![lost("g", 0), lost("h", 0)]).on(Scope::Rmw(Rmw::Plain)),
                Clause::of(vec![Fact::Note(Note::NoSuchCell)]).on(Scope::Rmw(Rmw::Call)),
            ]),
            "`rmw=plain`: `g` lost 0 of 4000; `h` lost 0 of 4000; `rmw=call`: missing evidence (no such cell in \
             this run)"
        );
        assert_eq!(
            said(&[
                Clause::of(vec![lost("e", 3)]).by(Stated::EveryCellLoses),
                Clause::of(vec![lost("py", 0)])
                    .on(Scope::FreeThreadedCpython)
                    .by(Stated::DisagreesWithEmulation),
            ]),
            "`e` lost 3 of 4000 (supported when every such cell loses some); a free-threaded CPython: `py` lost 0 \
             of 4000 (it disagrees with the emulation: partly)"
        );
        let cost = PoolCost {
            processes: "p".into(),
            threads: "t".into(),
            ratio: 1.234,
            workers: 2,
            tasks: 100,
            workload: Workload::IoSleep,
            p: None,
            significant: SIGNIFICANT,
        };
        assert_eq!(
            said(&[Clause::of(vec![Fact::PoolCost(cost)])]),
            "`p` takes 1.23x the time of the thread pool `t` with the same 2 workers and 100 tasks on io-sleep (no \
             test (too few runs); a difference counts at p < 0.05)"
        );
        let threshold: Threshold = SIGNIFICANT;
        assert_eq!(
            Words(&Stated::SlowerEverywhere(threshold)).to_string(),
            "supported when asyncio is slower at p < 0.05 at every point, contradicted when it never is"
        );
    }
}
