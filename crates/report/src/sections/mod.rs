//! One module per section of `report.md`, each with `write(out, cx)`: the body under the heading that
//! [`super::markdown`] writes from [`super::SECTIONS`]. `title` is the text above the table of contents.

pub mod calibration;
pub mod cpython;
pub mod failures;
pub mod floor;
pub mod latency;
pub mod method;
pub mod scaling;
pub mod title;
pub mod verdicts;
pub mod workloads;
