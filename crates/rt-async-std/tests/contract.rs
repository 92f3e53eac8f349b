//! The runtime contract, checked by the shared conformance suite.
#[test]
fn conforms() {
    harness::testing::assert_conforms(env!("CARGO_BIN_EXE_rt-async-std"));
}
