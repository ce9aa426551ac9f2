//! Function composition: the Amazon States Language (states-language.net) interpreted, pure.
//!
//! - [`definition`]: a definition as typed states; [`parse`] reads and checks one, as a linter
//!   does, naming the state's path in each problem.
//! - [`path`], [`intrinsic`], [`io`], [`choice`]: JSONPath, the intrinsic functions, input and
//!   output processing (InputPath, Parameters, ResultSelector, ResultPath, OutputPath), and the
//!   Choice rules.
//! - [`errors`]: the error names of the language and how Retry and Catch match them.
//! - [`machine`]: an execution as a value that steps from transition to transition, and
//!   [`driver`]: runs one to its end against a [`driver::Host`] (which calls functions and
//!   stores the status after each transition), resuming from a stored cursor.
//!
//! The local engine and `kfn controller` are the hosts; nothing here does I/O of its own.

pub mod bookkeeping;
pub mod choice;
pub mod definition;
pub mod driver;
pub mod errors;
pub mod intrinsic;
pub mod io;
pub mod machine;
pub mod path;
pub mod timestamp;
mod validate;

pub use definition::{Definition, Problem, parse};
pub use errors::FlowError;
