//! The one place that decides where output goes: data to stdout, messages (Kubeless-style log
//! lines) to stderr, progress spinners only when stderr is a terminal. Commands print through a
//! [`Printer`] and never look at the terminal themselves.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::ProgressBar;

use super::log::{self, Level};

/// Where and how a command's output is written.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    /// Messages in logrus's terminal form (`INFO[0000] …`) and spinners, rather than logfmt.
    stderr_terminal: bool,
    /// ANSI colours in messages (a terminal without `NO_COLOR`).
    colour: bool,
}

impl Default for Printer {
    fn default() -> Self {
        Printer::detect()
    }
}

impl Printer {
    /// The printer for this process's stdout and stderr.
    pub fn detect() -> Printer {
        let stderr_terminal = std::io::stderr().is_terminal();
        Printer {
            stderr_terminal,
            colour: stderr_terminal && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// Writes data to stdout. A reader that closed the pipe is an `io::ErrorKind::BrokenPipe`
    /// error, which ends the command quietly with exit 0 (see `client::Error::PipeClosed`).
    pub fn data(&self, text: &str) -> std::io::Result<()> {
        self.bytes(text.as_bytes())
    }

    /// Writes bytes to stdout as they are (a function's image answer, say).
    pub fn bytes(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A message line on stderr in the Kubeless CLI's log form; a closed stderr is ignored
    /// (a message is not worth a panic).
    pub fn log(&self, level: Level, message: &str) {
        let now = k8s_openapi::jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let line = log::format(
            level,
            message,
            self.stderr_terminal,
            self.colour,
            log::elapsed_secs(),
            &now,
        );
        self.plain(&line);
    }

    pub fn info(&self, message: &str) {
        self.log(Level::Info, message);
    }

    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }

    pub fn error(&self, message: &str) {
        self.log(Level::Error, message);
    }

    /// A line on stderr as it is (clap's usage errors, a prompt's answer); errors ignored.
    pub fn plain(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// Text on stderr without a newline (a prompt); errors ignored.
    pub fn prompt(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{text}").and_then(|_| err.flush());
    }

    /// A spinner showing `message` on a terminal; none when stderr is piped, so logs and CI
    /// output stay free of control characters.
    pub fn spinner(&self, message: String) -> Option<ProgressBar> {
        self.stderr_terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(100));
            bar.set_message(message);
            bar
        })
    }
}
