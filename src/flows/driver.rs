//! Runs one execution to its end: steps the [`machine`](super::machine), calls functions and
//! stores the status after each transition through a [`Host`] (the local engine, or
//! `kfn controller` on a cluster), sleeps through Waits and backoffs without holding anything
//! but a timer, and stops when asked.

use std::future::Future;
use std::time::Duration;

use serde_json::Value;

use super::definition::Definition;
use super::errors::FlowError;
use crate::api::kinds::{ExecutionStatus, Stop};

/// What runs executions provides: calls of functions and a place to store the status.
pub trait Host: Send + Sync + 'static {
    /// Calls the function `namespace/name` with `payload` (JSON) and gives its answer as JSON
    /// (an answer that is not JSON is a string). A function that raised gives the error's
    /// name and message (`ValueError`, `TypeError`); one that ran out of time `States.Timeout`;
    /// any other failure `States.TaskFailed` with what went wrong. `timeout` bounds the call.
    fn call(
        &self,
        namespace: &str,
        name: &str,
        payload: Value,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Value, FlowError>> + Send;

    /// Stores the execution's status (called after each transition, and at the end). An error
    /// means the execution cannot go on (its object is gone): the run stops.
    fn save(&self, status: &ExecutionStatus) -> impl Future<Output = Result<(), String>> + Send;
}

/// One execution to run (or to resume: `status` is what was stored, with its cursor).
#[derive(Clone, Debug)]
pub struct Run {
    pub namespace: String,
    /// The Execution's name and uid, and its Flow's name (the context object's
    /// `$$.Execution.Id`/`Name` and `$$.StateMachine.Name`).
    pub name: String,
    pub uid: String,
    pub flow: String,
    pub input: Value,
    /// The definition, as JSON (stored in the status at the start) and parsed.
    pub source: Value,
    pub definition: Definition,
    pub status: Option<ExecutionStatus>,
}

/// Runs `run` until it ends (or `stop` says to abort it, or the host cannot store it) and gives
/// the last status written.
pub async fn run<H: Host>(host: &H, run: Run, stop: tokio::sync::watch::Receiver<Option<Stop>>) -> ExecutionStatus {
    let _ = (host, run, stop);
    todo!("flows::driver::run")
}
