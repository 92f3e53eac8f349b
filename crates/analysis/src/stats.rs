//! The little statistics hyperfine does not give: a confidence interval for a mean, Welch's t-test between two
//! cells, and the median of figures hyperfine never sees (a runtime's own, the driver's probes). hyperfine's own
//! mean, median, min, max and standard deviation are used as they are.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Which value [`median`] gives for an even count of figures, whose middle is two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Even {
    /// The mean of the two middle values, as hyperfine computes its own median: the floor's spreads and the peers'
    /// verdict.
    Mean,
    /// The upper of the two middle values (the element at `len / 2`): the calibration's process start-up and the
    /// driver's loopback round trip. Kept so the committed runs' reports render as they did (their start-up figures
    /// come from six cells); switching them to [`Even::Mean`] would change those reports.
    Upper,
}

/// The median of `xs`: the middle value once sorted (`f64::total_cmp`); for an even count, the one `even` names.
/// `None` when `xs` is empty. The one median of the driver and its analysis; each caller states its even rule.
pub fn median(xs: &[f64], even: Even) -> Option<f64> {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => None,
        _ if n % 2 == 1 || even == Even::Upper => Some(s[n / 2]),
        _ => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

/// Mean and sample standard deviation.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (m, f64::NAN);
    }
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, var.sqrt())
}

/// Half the width of the 95% confidence interval of the mean of `xs` (Student's t), as a fraction of the mean.
pub fn ci95_rel(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let (m, sd) = mean_sd(xs);
    let t = StudentsT::new(0.0, 1.0, (xs.len() - 1) as f64)
        .ok()?
        .inverse_cdf(0.975);
    Some(t * sd / (xs.len() as f64).sqrt() / m)
}

/// The outcome of Welch's t-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    /// The t statistic (positive when the second sample's mean is the larger).
    pub t: f64,
    /// The degrees of freedom (Welch-Satterthwaite).
    pub df: f64,
    /// The two-sided p.
    pub p: f64,
}

/// Welch's t-test of two samples. `None` with fewer than two samples on a side, or no variance at all.
pub fn welch(a: &[f64], b: &[f64]) -> Option<Welch> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, sa) = mean_sd(a);
    let (mb, sb) = mean_sd(b);
    let (va, vb) = (sa * sa / a.len() as f64, sb * sb / b.len() as f64);
    if va + vb <= 0.0 {
        return None;
    }
    let t = (mb - ma) / (va + vb).sqrt();
    let df =
        (va + vb).powi(2) / (va * va / (a.len() as f64 - 1.0) + vb * vb / (b.len() as f64 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p = 2.0 * (1.0 - dist.cdf(t.abs()));
    Some(Welch { t, df, p })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_follows_the_rule_asked_for() {
        for even in [Even::Mean, Even::Upper] {
            assert_eq!(median(&[], even), None);
            assert_eq!(median(&[3.0], even), Some(3.0));
            assert_eq!(median(&[5.0, 1.0, 3.0], even), Some(3.0));
        }
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0], Even::Mean), Some(2.5));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0], Even::Upper), Some(3.0));
    }

    #[test]
    fn t_critical_and_ci() {
        // t(0.975, 9) = 2.2622
        let xs: Vec<f64> = (0..10).map(|i| 1.0 + f64::from(i) * 0.01).collect();
        let (m, sd) = mean_sd(&xs);
        let ci = ci95_rel(&xs).unwrap();
        assert!((ci * m - 2.2622 * sd / 10f64.sqrt()).abs() < 1e-4);
        assert!(ci95_rel(&[1.0]).is_none());
    }

    #[test]
    fn welch_matches_a_hand_computation() {
        // Two samples with means 1 and 2 and equal small spread: a very clear difference.
        let a = [0.9, 1.0, 1.1, 1.0, 0.95, 1.05];
        let b = [1.9, 2.0, 2.1, 2.0, 1.95, 2.05];
        let Welch { t, df, p } = welch(&a, &b).unwrap();
        assert!(
            t > 20.0 && (df - 10.0).abs() < 1e-9 && p < 1e-9,
            "{t} {df} {p}"
        );
        // The same sample twice: no difference.
        let p = welch(&a, &a).unwrap().p;
        assert!((p - 1.0).abs() < 1e-9);
        assert!(welch(&[1.0], &a).is_none());
    }
}
