//! The one error a user sees: what went wrong, in the words the Kubeless CLI used where scripts
//! read them, and the exit code it ends kfn with.

use std::fmt::Display;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can end a command, each with its exit code ([`Error::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something kfn cannot do: a flag value it does not accept, a
    /// missing or second name.
    #[error("{0}")]
    Usage(String),
    /// The object a command names is not there.
    #[error("{message}")]
    NotFound { object: String, message: String },
    /// No answer from the API server (connection refused, TLS, DNS …); `message` says which
    /// server, where kfn found it and what to do.
    #[error("{message}")]
    Unreachable {
        message: String,
        #[source]
        source: kube::Error,
    },
    /// The API server answered with an error (refused credentials, a kind it does not serve,
    /// a 409 or 422 …) about `object` when known.
    #[error("{message}")]
    Api {
        object: Option<String>,
        message: String,
        #[source]
        source: kube::Error,
    },
    /// Anything else a command reports (a function's failed call, a file it cannot read …).
    #[error("{0}")]
    Failed(String),
    /// `context` around the error that caused it, printed as `context: cause`.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
    /// Whoever read stdout stopped reading (`kfn … | head -1`): kfn ends quietly.
    #[error("stdout was closed")]
    PipeClosed,
}

/// The exit codes kfn ends with, as docs/commands.md lists them.
pub const EXIT_CODES: &[(u8, &str, &str)] = &[
    (
        0,
        "success; also when stdout is a pipe its reader closed (`kfn function ls | head -1`)",
        "`kfn function ls`, `kfn --help`",
    ),
    (
        1,
        "an error: bad usage (a flag value or name kfn does not accept), an object not found, an API server kfn cannot reach, an API server's refusal, a function's failed call",
        "`kfn function ls -o xml`, `kfn function delete nope`, `kfn function call f` answering 500",
    ),
    (
        3,
        "`kfn local status`: the local engine is not running",
        "`kfn local status` before `kfn local start`",
    ),
];

impl Error {
    pub fn usage(message: impl Display) -> Error {
        Error::Usage(message.to_string())
    }

    pub fn not_found(object: impl Display, message: impl Display) -> Error {
        Error::NotFound {
            object: object.to_string(),
            message: message.to_string(),
        }
    }

    pub fn failed(message: impl Display) -> Error {
        Error::Failed(message.to_string())
    }

    /// This error with `context` before it (`Error listing functions: …`).
    pub fn context(self, context: impl Display) -> Error {
        Error::Context {
            context: context.to_string(),
            source: Box::new(self),
        }
    }

    /// This API error, known to concern `object` (`function default/hello`).
    pub fn concerning(self, object: impl Display) -> Error {
        match self {
            Error::Api { message, source, .. } => Error::Api {
                object: Some(object.to_string()),
                message,
                source,
            },
            other => other,
        }
    }

    /// The code kfn exits with: 0 for a closed stdout (as a pipe's writer ends), 1 otherwise,
    /// usage errors included, as the Kubeless CLI had it.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::PipeClosed => 0,
            Error::Context { source, .. } => source.exit_code(),
            _ => 1,
        }
    }

    /// The whole message on one line: contexts and their causes, joined by `: `.
    pub fn message(&self) -> String {
        match self {
            Error::Context { context, source } => format!("{context}: {}", source.message()),
            other => other.to_string(),
        }
    }
}

/// What main prints for an error that ends a command, and the code it exits with: the chain of
/// contexts down to the first [`Error`], whose message is complete (its kube source is not
/// repeated), or the whole chain of an error from elsewhere.
pub fn report(err: &anyhow::Error) -> (Option<String>, u8) {
    let mut parts = Vec::new();
    for cause in err.chain() {
        let closed = cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
        if closed {
            return (None, 0);
        }
        if let Some(e) = cause.downcast_ref::<Error>() {
            if matches!(e, Error::PipeClosed) {
                return (None, 0);
            }
            parts.push(e.message());
            return (Some(parts.join(": ")), e.exit_code());
        }
        parts.push(cause.to_string());
    }
    (Some(parts.join(": ")), 1)
}

/// A broken pipe on stdout is [`Error::PipeClosed`]; other write errors are failures.
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::PipeClosed
        } else {
            Error::Failed(format!("cannot write the output: {e}"))
        }
    }
}

/// An error from a library part that has no typed error yet (the state directory, say).
impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        match e.downcast::<Error>() {
            Ok(typed) => typed,
            Err(other) => Error::Failed(format!("{other:#}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_come_first_and_the_exit_code_is_the_causes() {
        let e = Error::not_found("function default/x", "Function x is not found").context("Can not describe function");
        assert_eq!(e.message(), "Can not describe function: Function x is not found");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(Error::PipeClosed.context("listing").exit_code(), 0);
    }

    #[test]
    fn main_reports_anyhow_contexts_then_the_typed_message_once() {
        let api = Error::Api {
            object: None,
            message: "the API server said no".into(),
            source: kube::Error::LinesCodecMaxLineLengthExceeded,
        };
        let err = anyhow::Error::from(api.concerning("function default/f")).context("Error listing functions");
        assert_eq!(
            report(&err),
            (Some("Error listing functions: the API server said no".into()), 1)
        );
        let closed = anyhow::Error::from(Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe)));
        assert_eq!(report(&closed), (None, 0));
        let closed = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(report(&closed), (None, 0), "a write's error as it is");
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(report(&plain), (Some("outer: inner".into()), 1));
    }
}
