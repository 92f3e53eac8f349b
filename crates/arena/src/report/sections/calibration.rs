//! Section "Calibration against CPython and Node": the findings of [`crate::analysis::calibration`].

use crate::report::{Ctx, SectionId};

/// The section's body.
pub fn write(out: &mut String, cx: &Ctx<'_>) {
    out.push_str(&crate::analysis::calibration::section(cx.a, cx.number(SectionId::Calibration)).0);
}
