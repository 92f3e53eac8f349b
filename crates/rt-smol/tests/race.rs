//! The race workload's behaviour per variant: a single thread loses nothing unless a yield point sits inside the
//! read-modify-write, and the synchronized modes lose nothing. Counts only, never times.

#[test]
fn single_loses_only_with_a_yield_point() {
    harness::testing::assert_race_yield_points(env!("CARGO_BIN_EXE_rt-smol"), "single", "multi");
}
