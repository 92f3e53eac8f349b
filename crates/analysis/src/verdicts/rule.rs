//! Rules as data: each claim's thresholds written once, as a value. The verdict decides its mark with the rule
//! ([`Rule::mark`]), states it in its evidence ([`Rule`]'s `Display`) and draws it on its panel ([`Rule::lines`]), so
//! the three cannot drift apart. Every number a verdict compares a figure with is a constant below, once.
//!
//! Room to grow: issue #22 adds the smallest effect that matters and the preconditions a cell must meet; they join
//! [`Rule`] as fields beside the thresholds, and `mark` reads them.

use std::fmt;

use super::Mark;

/// Some speedup: below it a cell is within noise of one core (not parallel); from it, partly parallel.
const SOME_SPEEDUP: f64 = 1.2;
/// The speedup that counts as parallel on this machine's cores.
const PARALLEL_SPEEDUP: f64 = 1.5;
/// The speedup on waiting that shows waits overlapping: two or more in flight at once.
const OVERLAP_SPEEDUP: f64 = 2.0;
/// A whole wait: the mixed ticker's lateness measured in the waits it asked for.
const WHOLE_WAIT: f64 = 1.0;
/// A fifth of a wait: late enough to show the loop stalls, not enough to block it.
const FIFTH_OF_A_WAIT: f64 = 0.2;
/// A process pool this many times an event loop's time is clearly less efficient.
const CLEARLY_SLOWER: f64 = 1.5;
/// A process pool below this many times an event loop's time is no less efficient (within noise).
const NO_SLOWER: f64 = 1.1;

/// Which side of a threshold holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The figure is at the threshold or above it (`>=`).
    AtLeast,
    /// The figure is below the threshold (`<`).
    Below,
}

/// One threshold: where it is and which side holds. At the threshold exactly, `AtLeast` holds and `Below` does not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The threshold, in its rule's unit.
    pub at: f64,
    /// Which side holds.
    pub direction: Direction,
}

impl Threshold {
    /// Holds at `at` or above.
    pub const fn at_least(at: f64) -> Threshold {
        Threshold {
            at,
            direction: Direction::AtLeast,
        }
    }

    /// Holds below `at`.
    pub const fn below(at: f64) -> Threshold {
        Threshold {
            at,
            direction: Direction::Below,
        }
    }

    /// Whether `value` is on the side that holds.
    pub fn holds(self, value: f64) -> bool {
        match self.direction {
            Direction::AtLeast => value >= self.at,
            Direction::Below => value < self.at,
        }
    }

    /// The same threshold in a unit `by` times smaller (waits to milliseconds).
    pub fn scaled(self, by: f64) -> Threshold {
        Threshold {
            at: self.at * by,
            ..self
        }
    }

    /// The threshold in words: "at 1.5x or more", "below 1.2x" (`lead` replaces "at").
    fn phrase(self, unit: Unit, lead: &str) -> String {
        let amount = unit.amount(self.at, self.direction);
        match self.direction {
            Direction::AtLeast => format!("{lead} {amount} or more"),
            Direction::Below => format!("below {amount}"),
        }
    }
}

/// What a rule's figure counts, for its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Times a baseline: "1.5x".
    Times,
    /// The waits a task asked for: "a whole wait".
    Waits,
}

impl Unit {
    fn amount(self, n: f64, direction: Direction) -> String {
        match self {
            Unit::Times => format!("{n}x"),
            Unit::Waits if n == WHOLE_WAIT => match direction {
                Direction::AtLeast => "a whole wait".into(),
                Direction::Below => "one wait".into(),
            },
            Unit::Waits => format!("{n} of a wait"),
        }
    }
}

/// How many figures a rule weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// One figure.
    One,
    /// Several (one per workload): supported when every one is, contradicted when every one is, partly otherwise.
    Every,
}

/// A graded rule on one kind of figure: supported where `supported` holds, partly where `partly` holds, contradicted
/// elsewhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Where the claim is supported.
    pub supported: Threshold,
    /// Where it is partly supported, when not supported (`None`: contradicted wherever it is not supported).
    pub partly: Option<Threshold>,
    /// What the figure counts.
    pub unit: Unit,
    /// One figure, or every one of several.
    pub over: Over,
    /// Words after the supported threshold: where it applies (" on this machine's cores").
    pub scope: &'static str,
    /// How the sentence reads its figure before an at-least threshold: "at" ("at 1.5x or more"), "when late by".
    pub lead: &'static str,
}

impl Rule {
    /// A rule on one figure.
    pub const fn new(supported: Threshold, partly: Option<Threshold>, unit: Unit) -> Rule {
        Rule {
            supported,
            partly,
            unit,
            over: Over::One,
            scope: "",
            lead: "at",
        }
    }

    /// The same rule over every one of several figures.
    pub const fn everywhere(self) -> Rule {
        Rule {
            over: Over::Every,
            ..self
        }
    }

    /// The same rule, saying where it applies.
    pub const fn on(self, scope: &'static str) -> Rule {
        Rule { scope, ..self }
    }

    /// The same rule, reading its figure with `lead` ("when late by").
    pub const fn lead(self, lead: &'static str) -> Rule {
        Rule { lead, ..self }
    }

    /// The same rule in a unit `by` times smaller (the ticker's wait in milliseconds, to decide on milliseconds).
    pub fn scaled(self, by: f64) -> Rule {
        Rule {
            supported: self.supported.scaled(by),
            partly: self.partly.map(|p| p.scaled(by)),
            ..self
        }
    }

    /// The mark of one figure.
    pub fn mark(&self, value: f64) -> Mark {
        if self.supported.holds(value) {
            Mark::Supported
        } else if self.partly.is_some_and(|p| p.holds(value)) {
            Mark::Partly
        } else {
            Mark::Contradicted
        }
    }

    /// The mark of several figures: supported when each is, contradicted when each is, partly otherwise; missing
    /// when there are none.
    pub fn mark_all(&self, values: impl IntoIterator<Item = f64>) -> Mark {
        let marks: Vec<Mark> = values.into_iter().map(|v| self.mark(v)).collect();
        if marks.is_empty() {
            Mark::Missing
        } else if marks.iter().all(|m| *m == Mark::Supported) {
            Mark::Supported
        } else if marks.iter().all(|m| *m == Mark::Contradicted) {
            Mark::Contradicted
        } else {
            Mark::Partly
        }
    }

    /// The thresholds, smallest first: the lines across its panel's bars.
    pub fn lines(&self) -> Vec<f64> {
        lines([Some(self.supported), self.partly].into_iter().flatten())
    }
}

/// The rule as its evidence states it: "supported at 1.5x or more on this machine's cores, partly from 1.2x".
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let every = if self.over == Over::Every {
            " everywhere"
        } else {
            ""
        };
        write!(
            f,
            "supported {}{every}{}",
            self.supported.phrase(self.unit, self.lead),
            self.scope
        )?;
        let Some(p) = self.partly else {
            return Ok(());
        };
        let amount = self.unit.amount(p.at, p.direction);
        // Over one figure the partly band is named from its edge; over several, a mix of marks is partly too, so the
        // sentence names where the claim is contradicted instead.
        match (self.over, p.direction) {
            (Over::One, Direction::AtLeast) => write!(f, ", partly from {amount}"),
            (_, Direction::Below) => write!(f, ", contradicted from {amount}{every}"),
            (Over::Every, Direction::AtLeast) => write!(f, ", contradicted below {amount}{every}"),
        }
    }
}

/// One half of a claim in two halves: what it says and where it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Half {
    /// What the half says of its figure: "concurrent", "not parallel".
    pub says: &'static str,
    /// Where it holds.
    pub test: Threshold,
    /// What its figure counts.
    pub unit: Unit,
}

impl Half {
    /// Whether the half holds of `value`.
    pub fn holds(&self, value: f64) -> bool {
        self.test.holds(value)
    }
}

/// "concurrent at 2x or more".
impl fmt::Display for Half {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.says, self.test.phrase(self.unit, "at"))
    }
}

/// A claim in two halves, each on its own figure: supported when both hold, contradicted when neither does, partly
/// otherwise ([`Mark::of_halves`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Halves {
    /// The first half.
    pub first: Half,
    /// The second half.
    pub second: Half,
}

impl Halves {
    /// The mark of the first half's figure and the second's.
    pub fn mark(&self, first: f64, second: f64) -> Mark {
        Mark::of_halves(self.first.holds(first), self.second.holds(second))
    }

    /// The same halves in a unit `by` times smaller.
    pub fn scaled(self, by: f64) -> Halves {
        let s = |h: Half| Half {
            test: h.test.scaled(by),
            ..h
        };
        Halves {
            first: s(self.first),
            second: s(self.second),
        }
    }

    /// The thresholds, smallest first and each once: the lines across its panel's bars.
    pub fn lines(&self) -> Vec<f64> {
        lines([self.first.test, self.second.test])
    }
}

fn lines(t: impl IntoIterator<Item = Threshold>) -> Vec<f64> {
    let mut v: Vec<f64> = t.into_iter().map(|t| t.at).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

// The rules, one per claim (the two parallel claims share one; the GIL claim is its mirror).

/// Claim::ProcessesParallel, Claim::NoGilParallel: the speedup at W = cores.
pub const PARALLEL: Rule = Rule::new(
    Threshold::at_least(PARALLEL_SPEEDUP),
    Some(Threshold::at_least(SOME_SPEEDUP)),
    Unit::Times,
)
.on(" on this machine's cores");

/// Claim::NotParallelUnderGil: the speedup at W = cores stays near one core.
pub const NOT_PARALLEL: Rule = Rule::new(
    Threshold::below(SOME_SPEEDUP),
    Some(Threshold::below(PARALLEL_SPEEDUP)),
    Unit::Times,
);

/// Claim::ThreadsHelpIo: the best threads cell's speedup on io-sleep.
pub const HELPS_WAITING: Rule = Rule::new(
    Threshold::at_least(OVERLAP_SPEEDUP),
    Some(Threshold::at_least(SOME_SPEEDUP)),
    Unit::Times,
);

/// "An event loop is concurrent but not parallel": its speedups waiting, then computing.
pub const EVENT_LOOP: Halves = Halves {
    first: Half {
        says: "concurrent",
        test: Threshold::at_least(OVERLAP_SPEEDUP),
        unit: Unit::Times,
    },
    second: Half {
        says: "not parallel",
        test: Threshold::below(SOME_SPEEDUP),
        unit: Unit::Times,
    },
};

/// "Without parallelism, threads take turns on one core": on one CPU, their speedups computing, then waiting.
pub const TAKING_TURNS: Halves = Halves {
    first: Half {
        says: "taking turns",
        test: Threshold::below(SOME_SPEEDUP),
        unit: Unit::Times,
    },
    second: Half {
        says: "overlapping",
        test: Threshold::at_least(OVERLAP_SPEEDUP),
        unit: Unit::Times,
    },
};

/// Claim::CpuBlocksLoop: the mixed ticker's p99 lateness, in waits.
pub const BLOCKS_LOOP: Rule = Rule::new(
    Threshold::at_least(WHOLE_WAIT),
    Some(Threshold::at_least(FIFTH_OF_A_WAIT)),
    Unit::Waits,
)
.lead("when late by");

/// "Under a GIL, offloading to threads does not unblock the loop; a process pool does": the ticker's p99 lateness in
/// waits, offloaded to threads, then to processes.
pub const OFFLOAD: Halves = Halves {
    first: Half {
        says: "still blocked",
        test: Threshold::at_least(WHOLE_WAIT),
        unit: Unit::Waits,
    },
    second: Half {
        says: "unblocked",
        test: Threshold::below(WHOLE_WAIT),
        unit: Unit::Waits,
    },
};

/// Claim::ProcessesVsLoop: a process pool's time over the loop's, per workload.
pub const PROCESSES_VS_LOOP: Rule = Rule::new(
    Threshold::at_least(CLEARLY_SLOWER),
    Some(Threshold::at_least(NO_SLOWER)),
    Unit::Times,
)
.everywhere();

/// Welch's t-test: a difference is significant below this p (Claim::ProcessesCostIo, asyncio against Node).
pub const SIGNIFICANT: Threshold = Threshold::below(0.05);

/// Claim::ProcessesCostIo's smallest effect that matters: "costs more" means at least this much more time (a
/// process pool 10% slower than a thread pool with the same waits in flight). Why 10%: `arena compare` calls shifts
/// under 2% noise, and this machine's runs of one cell drift by up to 10% between runs; a 1% gap that Welch's test
/// finds significant (513 against 510 ms, p = 0.009, in run 2026-12-01-0628) is real but is no reason to choose a
/// model. Supported at 1.1x or more and significant, contradicted at 1.0x or less and significant, partly between
/// or when the test cannot tell.
pub const COSTS_MORE: Rule = Rule::new(
    Threshold::at_least(MIN_MORE_COST),
    Some(Threshold::at_least(AS_FAST)),
    Unit::Times,
);

/// The smallest ratio that "costs more" means (see [`COSTS_MORE`]).
const MIN_MORE_COST: f64 = 1.10;
/// A ratio of one: as fast.
const AS_FAST: f64 = 1.0;

#[cfg(test)]
mod tests {
    use super::*;
    use Mark::{Contradicted, Partly, Supported};

    /// A hair either side of a threshold.
    const E: f64 = 1e-9;

    /// Decides `at - E`, `at` and `at + E` for each threshold of a rule, in order.
    fn around(rule: &Rule, at: f64) -> [Mark; 3] {
        [rule.mark(at - E), rule.mark(at), rule.mark(at + E)]
    }

    #[test]
    fn costs_more_needs_a_tenth_more() {
        // A 1% effect does not support "costs more", however significant; 10% does; faster contradicts.
        assert_eq!(COSTS_MORE.mark(1.01), Partly);
        assert_eq!(COSTS_MORE.mark(1.10 - E), Partly);
        assert_eq!(COSTS_MORE.mark(1.10), Supported);
        assert_eq!(COSTS_MORE.mark(25.0), Supported);
        assert_eq!(COSTS_MORE.mark(1.0), Partly);
        assert_eq!(COSTS_MORE.mark(1.0 - E), Contradicted);
        assert_eq!(COSTS_MORE.lines(), vec![1.0, 1.10]);
        assert_eq!(
            COSTS_MORE.to_string(),
            "supported at 1.1x or more, partly from 1x"
        );
    }

    #[test]
    fn parallel() {
        let r = PARALLEL;
        assert_eq!(around(&r, 1.2), [Contradicted, Partly, Partly]);
        assert_eq!(around(&r, 1.5), [Partly, Supported, Supported]);
        assert_eq!(r.lines(), [1.2, 1.5]);
        assert_eq!(
            r.to_string(),
            "supported at 1.5x or more on this machine's cores, partly from 1.2x"
        );
    }

    #[test]
    fn not_parallel() {
        let r = NOT_PARALLEL;
        assert_eq!(around(&r, 1.2), [Supported, Partly, Partly]);
        assert_eq!(around(&r, 1.5), [Partly, Contradicted, Contradicted]);
        assert_eq!(r.lines(), [1.2, 1.5]);
        assert_eq!(
            r.to_string(),
            "supported below 1.2x, contradicted from 1.5x"
        );
    }

    #[test]
    fn helps_waiting() {
        let r = HELPS_WAITING;
        // Partly from 1.2x inclusive, as in the parallel claims (it was `> 1.2` here).
        assert_eq!(around(&r, 1.2), [Contradicted, Partly, Partly]);
        assert_eq!(around(&r, 2.0), [Partly, Supported, Supported]);
        assert_eq!(r.lines(), [1.2, 2.0]);
        assert_eq!(r.to_string(), "supported at 2x or more, partly from 1.2x");
    }

    #[test]
    fn event_loop() {
        let h = EVENT_LOOP;
        // Waiting, at and around 2x, with computing serial.
        assert_eq!(h.mark(2.0 - E, 1.0), Partly);
        assert_eq!(h.mark(2.0, 1.0), Supported);
        assert_eq!(h.mark(2.0 + E, 1.0), Supported);
        // Computing, at and around 1.2x, with waiting overlapped.
        assert_eq!(h.mark(5.0, 1.2 - E), Supported);
        assert_eq!(h.mark(5.0, 1.2), Partly);
        assert_eq!(h.mark(5.0, 1.2 + E), Partly);
        assert_eq!(h.mark(1.0, 1.5), Contradicted);
        assert_eq!(h.lines(), [1.2, 2.0]);
        assert_eq!(h.first.to_string(), "concurrent at 2x or more");
        assert_eq!(h.second.to_string(), "not parallel below 1.2x");
    }

    #[test]
    fn taking_turns() {
        let h = TAKING_TURNS;
        assert_eq!(h.mark(1.2 - E, 2.0), Supported);
        assert_eq!(h.mark(1.2, 2.0), Partly);
        assert_eq!(h.mark(1.0, 2.0 - E), Partly);
        assert_eq!(h.mark(1.0, 2.0), Supported);
        assert_eq!(h.mark(1.2, 2.0 - E), Contradicted);
        assert_eq!(h.lines(), [1.2, 2.0]);
        assert_eq!(h.first.to_string(), "taking turns below 1.2x");
        assert_eq!(h.second.to_string(), "overlapping at 2x or more");
    }

    #[test]
    fn blocks_loop() {
        let r = BLOCKS_LOOP;
        assert_eq!(around(&r, 0.2), [Contradicted, Partly, Partly]);
        assert_eq!(around(&r, 1.0), [Partly, Supported, Supported]);
        // Decided in milliseconds against a 5 ms wait: a whole wait is 5 ms, a fifth 1 ms.
        let ms = r.scaled(5.0);
        assert_eq!(ms.lines(), [1.0, 5.0]);
        assert_eq!(
            [
                ms.mark(5.0 - E),
                ms.mark(5.0),
                ms.mark(1.0 - E),
                ms.mark(1.0)
            ],
            [Partly, Supported, Contradicted, Partly]
        );
        assert_eq!(
            r.to_string(),
            "supported when late by a whole wait or more, partly from 0.2 of a wait"
        );
    }

    #[test]
    fn offload() {
        let h = OFFLOAD.scaled(10.0);
        assert_eq!(h.mark(10.0, 10.0 - E), Supported);
        assert_eq!(h.mark(10.0 - E, 10.0 - E), Partly);
        assert_eq!(h.mark(10.0, 10.0), Partly);
        assert_eq!(h.mark(10.0 - E, 10.0), Contradicted);
        assert_eq!(h.lines(), [10.0]);
        assert_eq!(
            OFFLOAD.first.to_string(),
            "still blocked at a whole wait or more"
        );
        assert_eq!(OFFLOAD.second.to_string(), "unblocked below one wait");
    }

    #[test]
    fn processes_vs_loop() {
        let r = PROCESSES_VS_LOOP;
        assert_eq!(around(&r, 1.1), [Contradicted, Partly, Partly]);
        assert_eq!(around(&r, 1.5), [Partly, Supported, Supported]);
        assert_eq!(r.mark_all([1.5, 9.0]), Supported);
        assert_eq!(r.mark_all([1.5 - E, 9.0]), Partly);
        assert_eq!(r.mark_all([1.1 - E, 1.0]), Contradicted);
        assert_eq!(r.mark_all([1.1, 1.0]), Partly);
        assert_eq!(r.mark_all([]), Mark::Missing);
        assert_eq!(r.lines(), [1.1, 1.5]);
        assert_eq!(
            r.to_string(),
            "supported at 1.5x or more everywhere, contradicted below 1.1x everywhere"
        );
    }

    #[test]
    fn significant() {
        assert!(SIGNIFICANT.holds(0.05 - E));
        assert!(!SIGNIFICANT.holds(0.05));
        assert!(!SIGNIFICANT.holds(0.05 + E));
    }
}
