//! `--workers` reaches async-std's executor (through ASYNC_STD_THREAD_COUNT, set before its first use), and the
//! synchronized race modes lose nothing even with a yield point inside the critical section. Counts, never times.

use harness::RunReport;

fn report(args: &[&str]) -> RunReport {
    harness::testing::run_report(env!("CARGO_BIN_EXE_rt-async-std"), args)
}

#[test]
fn executor_threads_follow_workers() {
    let peak =
        |w: &str| report(&["cpu-balanced", "--size", "check", "--workers", w]).os_threads_peak;
    let (one, four) = (peak("1"), peak("4"));
    assert_eq!(
        four,
        one + 3,
        "os_threads_peak: {one} with --workers 1, {four} with --workers 4"
    );
    let eq_form = report(&["cpu-balanced", "--size", "check", "--workers=4"]).os_threads_peak;
    assert_eq!(
        eq_form, four,
        "--workers=4 and --workers 4 must start the same threads"
    );
}

#[test]
fn synchronized_race_loses_nothing_with_yield_points() {
    for sync in ["sync=lock", "sync=atomic"] {
        let args = [
            "race",
            "--workers",
            "4",
            "--work",
            "100000",
            "--opt",
            "yield=true",
            "--opt",
            sync,
        ];
        assert_eq!(report(&args).lost_updates, Some(0), "{sync}");
    }
}
