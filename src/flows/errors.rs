//! The error names of the Amazon States Language, an error as a flow sees it (a name and a
//! cause), and how `ErrorEquals` matches one.

use std::fmt;

/// Matches every error (`States.Runtime` is never matched by anything) (and, as the language says, only in a last Retrier
/// or Catcher, alone).
pub const ALL: &str = "States.ALL";
/// A state or the execution ran longer than its `TimeoutSeconds`.
pub const TIMEOUT: &str = "States.Timeout";
/// A Task's function failed without a name of its own (it answered with an error status).
pub const TASK_FAILED: &str = "States.TaskFailed";
/// Input or output processing failed (a path that matches nothing, …): never retried or caught.
pub const RUNTIME: &str = "States.Runtime";
/// A branch of a Parallel failed.
pub const BRANCH_FAILED: &str = "States.BranchFailed";
/// No Choice rule matched and there is no Default.
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
/// An intrinsic function failed.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
/// A Parameters or ResultSelector field could not be built.
pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
/// A ResultPath cannot be written into the state's input.
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
/// A Map's items failed beyond its tolerated failures.
pub const EXCEEDED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
/// A Map's ItemsPath does not name an array.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
/// A task's function has no heartbeat (not sent by kfn functions; named for completeness).
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
/// A task's function cannot be called: no such function, or no permission.
pub const PERMISSIONS: &str = "States.Permissions";

/// A state's input or output is bigger than 256 KiB (as JSON). `States.ALL` does not match it,
/// as in AWS.
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";

/// The predefined error names.
pub const PREDEFINED: &[&str] = &[
    ALL,
    TIMEOUT,
    TASK_FAILED,
    RUNTIME,
    BRANCH_FAILED,
    NO_CHOICE_MATCHED,
    INTRINSIC_FAILURE,
    PARAMETER_PATH_FAILURE,
    RESULT_PATH_MATCH_FAILURE,
    EXCEEDED_TOLERATED_FAILURE_THRESHOLD,
    ITEM_READER_FAILED,
    HEARTBEAT_TIMEOUT,
    PERMISSIONS,
    DATA_LIMIT_EXCEEDED,
];

/// An error as a flow sees it: a name (`States.Timeout`, or what a function raised:
/// `ValueError`, `TypeError`) and a cause (the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowError {
    pub error: String,
    pub cause: String,
}

impl FlowError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> FlowError {
        FlowError {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime` with `cause`.
    pub fn runtime(cause: impl Into<String>) -> FlowError {
        FlowError::new(RUNTIME, cause)
    }

    /// Whether an `ErrorEquals` list matches it, as in AWS: `States.Runtime` is never retried
    /// or caught; otherwise a name equal to the error, or `States.ALL`; in a Task (`task`
    /// true) `States.TaskFailed` matches every error but `States.Timeout`; `States.DataLimitExceeded`
    /// only by its own name.
    pub fn matches(&self, error_equals: &[String], task: bool) -> bool {
        if self.error == RUNTIME {
            return false;
        }
        // AWS: States.ALL does not match States.DataLimitExceeded (only its own name does).
        let wide = self.error != DATA_LIMIT_EXCEEDED;
        error_equals.iter().any(|name| {
            name == &self.error
                || (wide && name == ALL)
                || (wide && task && name == TASK_FAILED && self.error != TIMEOUT)
        })
    }

    /// The error output a Catcher passes on: `{"Error": …, "Cause": …}`.
    pub fn to_output(&self) -> serde_json::Value {
        serde_json::json!({"Error": self.error, "Cause": self.cause})
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for FlowError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn error_equals_matches_by_name_and_all_but_runtime() {
        let e = FlowError::new("ValueError", "bad");
        assert!(e.matches(&names(&["ValueError"]), true));
        assert!(e.matches(&names(&["States.ALL"]), true));
        assert!(e.matches(&names(&["States.TaskFailed"]), true));
        assert!(!e.matches(&names(&["States.TaskFailed"]), false));
        assert!(!e.matches(&names(&["TypeError"]), true));
        assert!(!FlowError::runtime("x").matches(&names(&["States.ALL"]), true));
        assert!(FlowError::new(TIMEOUT, "").matches(&names(&["States.ALL"]), true));
        let too_big = FlowError::new(DATA_LIMIT_EXCEEDED, "");
        assert!(!too_big.matches(&names(&["States.ALL"]), true));
        assert!(!too_big.matches(&names(&["States.TaskFailed"]), true));
        assert!(too_big.matches(&names(&["States.DataLimitExceeded"]), true));
        assert!(!FlowError::new(TIMEOUT, "").matches(&names(&["States.TaskFailed"]), true));
        // As AWS: States.TaskFailed matches known errors but States.Timeout, in a Task.
        assert!(FlowError::new(INTRINSIC_FAILURE, "").matches(&names(&["States.TaskFailed"]), true));
        assert!(FlowError::new(PERMISSIONS, "").matches(&names(&["States.TaskFailed"]), true));
        // States.Runtime is never retried or caught, even by name.
        assert!(!FlowError::runtime("x").matches(&names(&["States.Runtime"]), true));
        assert!(!FlowError::runtime("x").matches(&names(&["States.Runtime", "States.ALL"]), false));
        assert_eq!(
            e.to_output(),
            serde_json::json!({"Error": "ValueError", "Cause": "bad"})
        );
    }
}
