//! async-std's executor thread count: read once from `ASYNC_STD_THREAD_COUNT`, which `main` sets from `--workers`
//! before anything else runs.

/// The variable async-std's global executor reads its thread count from.
pub const THREAD_COUNT_ENV: &str = "ASYNC_STD_THREAD_COUNT";

/// The `--workers` value of a `run` command line, or the harness's default (available parallelism).
pub fn workers_arg(args: &[String]) -> Option<u64> {
    let mut value = None;
    for (i, a) in args.iter().enumerate() {
        if let Some(v) = a.strip_prefix("--workers=") {
            value = Some(v);
        } else if a == "--workers" {
            value = args.get(i + 1).map(String::as_str);
        }
    }
    match value {
        Some(v) => v.parse().ok().filter(|&w| w >= 1),
        None => std::thread::available_parallelism()
            .map(|n| n.get() as u64)
            .ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::workers_arg;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn reads_workers_in_both_spellings() {
        assert_eq!(workers_arg(&args("rt run race --workers 4")), Some(4));
        assert_eq!(
            workers_arg(&args("rt run race --workers=3 --size check")),
            Some(3)
        );
        assert_eq!(workers_arg(&args("rt run race --workers 0")), None);
        assert!(workers_arg(&args("rt run race")).is_some_and(|w| w >= 1));
    }
}
