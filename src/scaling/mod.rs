//! Pure scaling policies, shared by the local engine and `kfn controller` (and the trace
//! simulator): the HorizontalPodAutoscaler algorithm ([`hpa`]), scale to zero with the
//! proactive policy built from a function's own idle times ([`proactive`]), and minimums on a
//! schedule ([`schedule`]). Nothing here reads a clock or does I/O: times are passed in, as
//! durations since an epoch the caller picks (the engine: the Unix epoch; the simulator: the
//! trace's first minute).

pub mod hpa;
pub mod proactive;
pub mod schedule;
pub mod simulate;
pub mod trace;

use std::time::Duration;

pub use proactive::{IdleTimes, Settings, Windows};

/// What one function's scale-to-zero policy is given at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Inputs {
    /// Now, since the caller's epoch.
    pub now: Duration,
    /// The replicas the function has (its Deployment's `spec.replicas`).
    pub replicas: u32,
    /// Calls in flight or waiting for a replica.
    pub busy: usize,
    /// The function's `scaleToZeroAfter`: the fixed keep-alive.
    pub idle_after: Duration,
    /// Whether the proactive policy may choose the windows (else the fixed keep-alive alone).
    pub proactive: bool,
    /// The minimum the schedules ask for now (0 when none is open).
    pub scheduled_min: u32,
}

/// What to do about a function's replicas now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave the count as it is (the HPA, if any, manages a count above zero).
    Keep,
    /// Scale to zero, and why (`no call for 60s (scale-to-zero-after 60s)`).
    ScaleToZero(String),
    /// Start this many replicas before any call asks, and why (a pre-warm, a schedule).
    Warm(u32, String),
}

/// The decision for one function: the action, and the windows it came from (for `describe`).
#[derive(Clone, Debug)]
pub struct Decision {
    pub action: Action,
    pub windows: Windows,
}

/// Decides whether a function that may scale to zero should go to zero, be warmed, or be left.
///
/// - a schedule's minimum is always kept (warm up to it);
/// - a busy function (calls in flight or waiting) is never taken to zero;
/// - with no call yet recorded, the function is kept until `idle_after` has passed since
///   `now` first saw it (the caller records the deployment as a call);
/// - otherwise the windows (proactive, or the fixed keep-alive) say whether a replica is wanted
///   this long after the last call: none wanted and some running → to zero; wanted and none
///   running → warm one (a pre-warm).
pub fn decide(history: &IdleTimes, inputs: Inputs) -> Decision {
    let windows = match inputs.proactive {
        true => history.windows(inputs.idle_after),
        false => Windows::fixed(inputs.idle_after, "the proactive policy is off"),
    };
    let action = if inputs.replicas < inputs.scheduled_min {
        Action::Warm(
            inputs.scheduled_min,
            format!("a schedule keeps at least {} replicas now", inputs.scheduled_min),
        )
    } else if inputs.busy > 0 || inputs.scheduled_min > 0 {
        Action::Keep
    } else {
        let since = history
            .last_call()
            .map(|last| inputs.now.saturating_sub(last))
            .unwrap_or_default();
        match (windows.wants_replica(since), inputs.replicas) {
            (false, r) if r > 0 => Action::ScaleToZero(windows.why_idle(since)),
            (true, 0) if history.last_call().is_some() => Action::Warm(1, windows.why_warm(since)),
            _ => Action::Keep,
        }
    };
    Decision { action, windows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(now: u64, replicas: u32) -> Inputs {
        Inputs {
            now: Duration::from_secs(now),
            replicas,
            busy: 0,
            idle_after: Duration::from_secs(60),
            proactive: false,
            scheduled_min: 0,
        }
    }

    #[test]
    fn the_fixed_keep_alive_scales_to_zero_after_the_idle_window() {
        let mut h = IdleTimes::new(Settings::default());
        h.record(Duration::from_secs(1000));
        assert_eq!(decide(&h, inputs(1030, 1)).action, Action::Keep);
        assert!(matches!(decide(&h, inputs(1061, 1)).action, Action::ScaleToZero(_)));
        assert_eq!(decide(&h, inputs(1061, 0)).action, Action::Keep, "already at zero");
    }

    #[test]
    fn a_busy_function_or_a_schedule_keeps_its_replicas() {
        let mut h = IdleTimes::new(Settings::default());
        h.record(Duration::from_secs(0));
        let busy = Inputs {
            busy: 2,
            ..inputs(500, 1)
        };
        assert_eq!(decide(&h, busy).action, Action::Keep);
        let scheduled = Inputs {
            scheduled_min: 3,
            ..inputs(500, 1)
        };
        assert!(matches!(decide(&h, scheduled).action, Action::Warm(3, _)));
        let kept = Inputs {
            scheduled_min: 3,
            ..inputs(500, 3)
        };
        assert_eq!(decide(&h, kept).action, Action::Keep);
    }
}
