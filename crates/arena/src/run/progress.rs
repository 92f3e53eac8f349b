//! The progress of each phase on stderr: a bar with an ETA on a terminal, and plain lines where stderr is not one
//! (a log file, CI): one when the phase starts, one about every tenth of its steps with the ETA, one when it ends.
//! Why both: indicatif draws nothing when stderr is not a terminal, so `cargo bench-all > log 2>&1` showed four lines
//! and then nothing for ten minutes.

use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A phase's progress: the bar on a terminal, the lines elsewhere.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    /// Set when stderr is not a terminal: what the lines need.
    lines: Option<Mutex<Lines>>,
}

#[derive(Debug)]
struct Lines {
    what: String,
    len: u64,
    done: u64,
    /// The tenth of the phase last reported, so a line comes about every 10%.
    reported: u64,
    started: Instant,
}

/// The progress of a phase of `len` steps, labelled `what`.
pub fn bar(len: u64, what: &str) -> Progress {
    let lines = (!std::io::stderr().is_terminal()).then(|| {
        eprintln!("arena: {what}: {len} steps");
        Mutex::new(Lines {
            what: what.to_string(),
            len,
            done: 0,
            reported: 0,
            started: Instant::now(),
        })
    });
    Progress::new(len, what, lines)
}

impl Progress {
    fn new(len: u64, what: &str, lines: Option<Mutex<Lines>>) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} eta {eta} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        Progress { bar, lines }
    }

    /// `n` more steps done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if let Some(l) = &self.lines {
            let mut l = l.lock().unwrap_or_else(|e| e.into_inner());
            l.done += n;
            if let Some(line) = l.line() {
                eprintln!("{line}");
            }
        }
    }

    /// What is running now (shown on the bar only: a line per cell would flood a log).
    pub fn set_message(&self, m: String) {
        self.bar.set_message(m);
    }

    /// The phase is over.
    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
        if let Some(l) = &self.lines {
            let l = l.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "arena: {}: done, {} of {} in {}",
                l.what,
                l.done,
                l.len,
                clock(l.started.elapsed())
            );
        }
    }
}

impl Lines {
    /// The line to print after a step, when the step crossed into a new tenth of the phase.
    fn line(&mut self) -> Option<String> {
        if self.len == 0 || self.done >= self.len {
            return None;
        }
        let tenth = self.done * 10 / self.len;
        if tenth <= self.reported {
            return None;
        }
        self.reported = tenth;
        let spent = self.started.elapsed();
        // The remaining steps at the pace so far: the same estimate as the bar's.
        let eta = spent.mul_f64((self.len - self.done) as f64 / self.done.max(1) as f64);
        Some(format!(
            "arena: {}: {}/{} ({}%), {} so far, eta {}",
            self.what,
            self.done,
            self.len,
            self.done * 100 / self.len,
            clock(spent),
            clock(eta)
        ))
    }
}

/// `1m 05s` or `42s`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_about_every_tenth_with_the_eta() {
        let mut l = Lines {
            what: "pilot".into(),
            len: 25,
            done: 0,
            reported: 0,
            started: Instant::now() - Duration::from_secs(10),
        };
        let mut printed = Vec::new();
        for _ in 0..25 {
            l.done += 1;
            printed.extend(l.line());
        }
        // Steps 3, 5, 8, 10, ... 23 cross a tenth of 25; the last step is the phase's own "done" line.
        assert_eq!(printed.len(), 9, "{printed:#?}");
        assert!(
            printed[0].starts_with("arena: pilot: 3/25 (12%), "),
            "{}",
            printed[0]
        );
        assert!(printed.iter().all(|p| p.contains(" eta ")));
    }

    #[test]
    fn a_clock_reads_minutes_and_seconds() {
        assert_eq!(clock(Duration::from_secs(42)), "42s");
        assert_eq!(clock(Duration::from_secs(65)), "1m 05s");
    }
}
