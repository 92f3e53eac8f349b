//! How numbers are written in the report and in `arena compare`: one place, so every table reads alike.

/// A duration in seconds, in a readable unit.
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        "n/a".into()
    } else if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{:.2} ms", s * 1000.0)
    }
}

/// A ratio such as a speedup, `1.93x`, or `n/a`.
pub fn opt_x(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.2}x"))
}

pub fn opt_pct(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.0}%", v * 100.0))
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Milliseconds with two decimals, or `n/a`.
pub fn ms(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.2} ms"))
}

/// Where a cell stands, in words: the one sentence per [`arena_store::Status`], for the run report's failures and
/// the merged report's notes alike.
#[derive(Debug, Clone, Copy)]
pub struct StatusText<'a>(pub &'a arena_store::Status);

impl std::fmt::Display for StatusText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use arena_store::Status;
        match self.0 {
            Status::VerifyFailed { fault } => {
                write!(f, "failed verification at `--size check`: {fault}")
            }
            Status::PilotFailed { fault } => {
                write!(f, "failed its untimed run at the timed size: {fault}")
            }
            Status::TooSlow { reason } => {
                write!(f, "skipped as too slow for this profile: {reason}")
            }
            Status::TimingFailed { reason } => write!(f, "failed while timed: {reason}"),
            Status::NotRun { reason } => write!(f, "not run: {reason}"),
            Status::LimitReached { reason, .. } => write!(f, "reached the model's limit: {reason}"),
            Status::PastLimit { limit_at } => {
                write!(f, "not run: past the model's limit at {limit_at} tasks")
            }
            Status::Pending => f.write_str("not run: the run stopped before this cell"),
            Status::Timed => f.write_str("timed"),
        }
    }
}
