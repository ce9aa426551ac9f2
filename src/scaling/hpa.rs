//! The HorizontalPodAutoscaler algorithm (Kubernetes 1.13 and later), as a pure function.

use std::time::Duration;

/// The algorithm's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// A usage ratio within this of 1.0 keeps the current count.
    pub tolerance: f64,
    /// Scale-down takes the largest recommendation of this window.
    pub stabilization: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tolerance: 0.1,
            stabilization: Duration::from_secs(300),
        }
    }
}

/// One metric's measurement: the average over ready replicas, and its target.
#[derive(Clone, Copy, Debug)]
pub struct Measurement {
    pub current: f64,
    pub target: f64,
}

/// What one metric proposes: the current count when the ratio is within the tolerance, else
/// `ceil(current replicas × current / target)`.
pub fn proposal(replicas: u32, m: Measurement, tolerance: f64) -> u32 {
    if m.target <= 0.0 {
        return replicas;
    }
    let ratio = m.current / m.target;
    if (ratio - 1.0).abs() <= tolerance {
        replicas
    } else {
        (replicas as f64 * ratio).ceil() as u32
    }
}

/// The replica count to set.
///
/// - each metric with a measurement proposes a count; the largest wins (no measurement: keep);
/// - scale-up is limited to `max(2 × current, 4)` per sync;
/// - scale-down takes the largest recommendation in the stabilization window (`recent`, the
///   raw recommendations of earlier syncs within the window);
/// - the result stays within `[min, max]`.
pub fn desired(
    replicas: u32,
    min: u32,
    max: u32,
    measurements: &[Measurement],
    recent: &[u32],
    settings: Settings,
) -> Recommendation {
    let raw = measurements
        .iter()
        .map(|m| proposal(replicas, *m, settings.tolerance))
        .max()
        .unwrap_or(replicas);
    let mut count = raw;
    if count > replicas {
        count = count.min((2 * replicas).max(4));
    } else if count < replicas {
        let window_max = recent.iter().copied().chain([raw]).max().unwrap_or(raw);
        count = window_max.min(replicas);
    }
    Recommendation {
        raw,
        count: count.clamp(min, max.max(min)),
    }
}

/// The outcome of one sync: the raw recommendation (remembered for the window) and the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub raw: u32,
    pub count: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(current: f64, target: f64) -> Measurement {
        Measurement { current, target }
    }

    const S: Settings = Settings {
        tolerance: 0.1,
        stabilization: Duration::from_secs(300),
    };

    #[test]
    fn within_the_tolerance_the_count_stays() {
        assert_eq!(desired(3, 1, 10, &[m(105.0, 100.0)], &[], S).count, 3);
        assert_eq!(desired(3, 1, 10, &[m(91.0, 100.0)], &[], S).count, 3);
        assert_eq!(desired(3, 1, 10, &[m(120.0, 100.0)], &[], S).count, 4, "ceil(3 × 1.2)");
    }

    #[test]
    fn no_measurement_keeps_the_count() {
        // Replicas not yet ready are left out of the measurement; with none ready there is none.
        assert_eq!(desired(2, 1, 10, &[], &[], S).count, 2);
    }

    #[test]
    fn scale_up_is_limited_per_sync() {
        assert_eq!(desired(1, 1, 100, &[m(1000.0, 10.0)], &[], S).count, 4, "max(2 × 1, 4)");
        assert_eq!(desired(5, 1, 100, &[m(1000.0, 10.0)], &[], S).count, 10, "2 × 5");
    }

    #[test]
    fn scale_down_waits_for_the_window() {
        // Earlier syncs recommended 4: a dip to 1 does not remove replicas yet.
        assert_eq!(
            desired(4, 1, 10, &[m(10.0, 100.0)], &[4, 3], S),
            Recommendation { raw: 1, count: 4 }
        );
        // Once only low recommendations remain in the window, it scales down.
        assert_eq!(desired(4, 1, 10, &[m(10.0, 100.0)], &[2, 1], S).count, 2);
        assert_eq!(desired(4, 1, 10, &[m(10.0, 100.0)], &[], S).count, 1);
    }

    #[test]
    fn the_result_stays_within_min_and_max() {
        assert_eq!(desired(2, 2, 10, &[m(1.0, 100.0)], &[], S).count, 2);
        assert_eq!(desired(3, 1, 3, &[m(500.0, 100.0)], &[], S).count, 3);
        assert_eq!(desired(1, 3, 5, &[], &[], S).count, 3, "below min goes up to min");
    }

    #[test]
    fn the_largest_proposal_of_several_metrics_wins() {
        let r = desired(2, 1, 10, &[m(50.0, 100.0), m(300.0, 100.0), m(100.0, 100.0)], &[], S);
        assert_eq!(
            r.count, 4,
            "cpu at 50% proposes 1, qps at 3× proposes 6 (limited to 4), memory keeps 2"
        );
        assert_eq!(r.raw, 6);
    }
}
