//! One access-log line per request on stdout, written by a thread of its own so requests never
//! wait on the terminal or the log file:
//! `127.0.0.1 - - [25/Nov/2026:11:50:12 +0000] "GET / HTTP/1.1" 200 11 "" "curl/8.0" 0/1234`
//! (the last field is the duration, seconds/microseconds).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

pub struct AccessLog {
    lines: Option<mpsc::Sender<String>>,
    clock: Mutex<(i64, String)>,
}

impl AccessLog {
    pub fn start(enabled: bool) -> AccessLog {
        let lines = enabled.then(|| {
            let (tx, rx) = mpsc::channel::<String>();
            std::thread::spawn(move || {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
                while let Ok(line) = rx.recv() {
                    let _ = out.write_all(line.as_bytes());
                    // Write out as soon as nothing else is waiting.
                    while let Ok(line) = rx.try_recv() {
                        let _ = out.write_all(line.as_bytes());
                    }
                    let _ = out.flush();
                }
            });
            tx
        });
        AccessLog {
            lines,
            clock: Mutex::new((0, String::new())),
        }
    }

    fn now(&self) -> String {
        let now = Timestamp::now();
        let mut clock = self.clock.lock().unwrap_or_else(|p| p.into_inner());
        if clock.0 != now.as_second() {
            *clock = (now.as_second(), now.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string());
        }
        clock.1.clone()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &self,
        peer: SocketAddr,
        method: &http::Method,
        path: &str,
        status: u16,
        bytes: u64,
        referer: &str,
        user_agent: &str,
        took: Duration,
    ) {
        let Some(lines) = &self.lines else { return };
        let line = format!(
            "{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"{referer}\" \"{user_agent}\" {}/{}\n",
            peer.ip(),
            self.now(),
            took.as_secs(),
            took.as_micros()
        );
        let _ = lines.send(line);
    }
}
