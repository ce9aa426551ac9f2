//! Log lines on stderr in the shape the Kubeless CLI (logrus) writes them: on a terminal
//! `INFO[0000] message`, otherwise `time="…" level=info msg="message"`; the
//! [`Printer`](super::Printer) writes them.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    fn tag(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERRO",
            Level::Fatal => "FATA",
        }
    }
    fn word(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }
    fn colour(self) -> &'static str {
        match self {
            Level::Info => "36",
            Level::Warn => "33",
            Level::Error | Level::Fatal => "31",
        }
    }
}

fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Starts the clock the terminal form counts seconds from (call early in `main`).
pub fn init() {
    start();
}

/// Seconds since [`init`], as the terminal form shows them.
pub fn elapsed_secs() -> u64 {
    start().elapsed().as_secs()
}

/// Sends the `tracing` records of a long-running command (the engine, the controller) to
/// stderr, filtered by `KFN_LOG` (default `info`), with colours only on a terminal (engine.log
/// and pod logs are files). The one place that sets the subscriber; a second call is a no-op.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KFN_LOG").unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Formats one line; `tty` chooses the terminal form, `colour` its ANSI colours.
pub fn format(level: Level, message: &str, tty: bool, colour: bool, elapsed_secs: u64, now: &str) -> String {
    if tty {
        let tag = if colour {
            format!("\x1b[{}m{}\x1b[0m", level.colour(), level.tag())
        } else {
            level.tag().to_string()
        };
        format!("{tag}[{elapsed_secs:04}] {message:<44}")
    } else {
        // The first line in logfmt; further lines (a log excerpt, say) follow as they are.
        let (first, rest) = message.split_once('\n').map_or((message, None), |(f, r)| (f, Some(r)));
        let quoted = first.contains([' ', '"', '=', '\t']) || first.is_empty();
        let msg = if quoted {
            format!("{first:?}")
        } else {
            first.to_string()
        };
        let mut line = format!("time=\"{now}\" level={} msg={msg}", level.word());
        if let Some(rest) = rest {
            line.push('\n');
            line.push_str(rest);
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_look_like_logrus() {
        assert_eq!(
            format(Level::Info, "Deploying function...", true, false, 0, ""),
            format!("INFO[0000] {:<44}", "Deploying function...")
        );
        assert_eq!(
            format(
                Level::Fatal,
                "Request timeout exceeded",
                false,
                false,
                3,
                "2026-01-01T00:00:00Z"
            ),
            "time=\"2026-01-01T00:00:00Z\" level=fatal msg=\"Request timeout exceeded\""
        );
        assert_eq!(
            format(Level::Warn, "short", false, false, 0, "t"),
            "time=\"t\" level=warning msg=short"
        );
    }
}
