//! Human-readable progress on stderr through `tracing`, redacted like everything else.
//! Stdout is reserved for workflow commands and audit lines.

use crate::redact::Redactor;
use std::io::{self, Write};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Stderr, with every known secret replaced.
#[derive(Clone)]
pub struct RedactingStderr {
    redactor: Redactor,
}

/// One write to stderr, buffered so a log line is redacted whole.
pub struct RedactingWriter {
    redactor: Redactor,
    buffer: Vec<u8>,
}

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            let text = crate::github::neutralize(
                &self.redactor.redact(&String::from_utf8_lossy(&self.buffer)),
            );
            self.buffer.clear();
            io::stderr().write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

impl Drop for RedactingWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            redactor: self.redactor.clone(),
            buffer: Vec::new(),
        }
    }
}

/// Installs the stderr subscriber for the Action's own warnings. `RUST_LOG` filters; by
/// default only this crate speaks (`info`, or `debug` with `RUNNER_DEBUG=1`): the libraries'
/// internals (connection pools, TLS) are not what a person reading the log needs.
pub fn init(redactor: Redactor) {
    let default = if std::env::var("RUNNER_DEBUG").as_deref() == Ok("1") {
        "genesys_bot_deploy=debug"
    } else {
        "genesys_bot_deploy=info"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr { redactor })
        .with_target(false)
        .with_ansi(false)
        .try_init();
}
