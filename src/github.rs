//! The GitHub Actions runner protocol, in one place: workflow commands on stdout (masks,
//! annotations, groups), the `$GITHUB_OUTPUT` file in heredoc form, and the
//! `$GITHUB_STEP_SUMMARY` file. Rules from `actions/runner` and `@actions/core`
//! (reference/github-actions.md §3–§4).

use crate::redact::Redactor;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The runner keeps at most this many annotations of each kind per step.
pub(crate) const ANNOTATIONS_PER_KIND: usize = 10;
/// The runner truncates an annotation's message to this many characters.
pub(crate) const ANNOTATION_MAX_CHARS: usize = 4096;
/// The runner refuses a step summary larger than this.
pub(crate) const SUMMARY_MAX_BYTES: usize = 1024 * 1024;

/// Escapes the data part of a workflow command (`%`, CR, LF).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (data rules plus `:` and `,`).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A zero-width space: invisible in the log, and enough to keep the runner's parser from
/// seeing `::` at the start of a line or `##[` anywhere in it.
const BREAK: char = '\u{200B}';

/// Makes text from outside the Action (platform messages, names, bot answers, file
/// contents) safe to print (SPEC rule 13): no line of it can start a workflow command
/// (`::` after leading whitespace, as the runner parses it) or carry the runner's legacy
/// `##[` form, which the runner looks for anywhere in a line.
pub(crate) fn neutralize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        match body.strip_prefix("::") {
            Some(rest) => {
                out.push(':');
                out.push(BREAK);
                out.push(':');
                out.push_str(&rest.replace("##[", "#\u{200B}#["));
            }
            None => out.push_str(&body.replace("##[", "#\u{200B}#[")),
        }
    }
    out
}

/// Kinds of annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`
    Error,
    /// `::warning`
    Warning,
    /// `::notice`
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Formats an annotation line: `::error title=…::message`, escaped and truncated as the
/// runner would.
pub fn annotation(level: Level, title: &str, message: &str) -> String {
    let message: String = message.chars().take(ANNOTATION_MAX_CHARS).collect();
    format!(
        "::{} title={}::{}",
        level.command(),
        escape_property(title),
        escape_data(&message)
    )
}

/// Error from writing a file command.
#[derive(Debug, thiserror::Error)]
pub enum FileCommandError {
    /// An output name the runner could not parse back.
    #[error("output name {0:?} is not a valid name")]
    BadName(String),
    /// The file could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// One output in the runner's heredoc form, with a fresh unguessable delimiter that is
/// guaranteed not to occur in the value (a value could otherwise end the heredoc early and
/// inject outputs).
pub(crate) fn heredoc_entry(name: &str, value: &str) -> Result<String, FileCommandError> {
    if name.is_empty() || name.contains(['\r', '\n', '=', '<']) {
        return Err(FileCommandError::BadName(name.to_string()));
    }
    let delimiter = loop {
        let candidate = format!("ghadelimiter_{}", uuid::Uuid::new_v4());
        if !value.contains(&candidate) {
            break candidate;
        }
    };
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// Appends outputs to the `$GITHUB_OUTPUT` file, every value in heredoc form.
pub(crate) fn write_outputs(
    path: &Path,
    outputs: &[(&str, String)],
    redactor: &Redactor,
) -> Result<(), FileCommandError> {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&heredoc_entry(name, &redactor.redact(value))?);
    }
    append(path, &text)
}

/// Appends Markdown to the `$GITHUB_STEP_SUMMARY` file, cut to the runner's 1 MiB limit
/// with a note rather than losing the whole summary.
pub(crate) fn write_summary(
    path: &Path,
    markdown: &str,
    redactor: &Redactor,
) -> Result<(), FileCommandError> {
    append(path, &fit_summary(&redactor.redact(markdown)))
}

/// Cuts a summary to fit [`SUMMARY_MAX_BYTES`] on a character boundary.
pub(crate) fn fit_summary(markdown: &str) -> String {
    const NOTE: &str = "\n\n_Summary truncated: the runner accepts at most 1 MiB per step._\n";
    if markdown.len() <= SUMMARY_MAX_BYTES {
        return markdown.to_string();
    }
    let mut cut = SUMMARY_MAX_BYTES - NOTE.len();
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{NOTE}", &markdown[..cut])
}

fn append(path: &Path, text: &str) -> Result<(), FileCommandError> {
    let io_err = |source| FileCommandError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io_err)?;
    file.write_all(text.as_bytes()).map_err(io_err)
}

/// A writer shared by everything that prints to stdout (workflow commands and audit lines),
/// so lines never interleave.
pub type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// Stdout as the runner reads it: workflow commands and audit lines, one per line, every
/// line redacted. Cheap to clone.
#[derive(Clone)]
pub struct Console {
    out: SharedWriter,
    redactor: Redactor,
    counts: Arc<Mutex<[usize; 3]>>,
    /// Under the runner (`GITHUB_ACTIONS=true`): only then does `::add-mask::` mean anything,
    /// so only then is it printed with the secret in it.
    in_actions: bool,
    /// Step debug logging (`RUNNER_DEBUG=1`): `::debug::` lines are printed.
    debug: bool,
}

impl Console {
    /// A console on the process's stdout, set up from the runner's environment.
    pub fn stdout(redactor: Redactor) -> Self {
        let var = |name: &str| std::env::var(name).ok();
        Console::new(Arc::new(Mutex::new(Box::new(io::stdout()))), redactor)
            .in_actions(var("GITHUB_ACTIONS").as_deref() == Some("true"))
            .debug(var("RUNNER_DEBUG").as_deref() == Some("1"))
    }

    /// A console on any writer (tests use a buffer), as under the runner, without debug.
    pub fn new(out: SharedWriter, redactor: Redactor) -> Self {
        Console {
            out,
            redactor,
            counts: Arc::new(Mutex::new([0; 3])),
            in_actions: true,
            debug: false,
        }
    }

    /// Whether the console writes for the runner (see the field).
    pub fn in_actions(mut self, yes: bool) -> Self {
        self.in_actions = yes;
        self
    }

    /// Whether `::debug::` lines are printed.
    pub fn debug(mut self, yes: bool) -> Self {
        self.debug = yes;
        self
    }

    /// Whether step debug logging is on.
    pub(crate) fn debugging(&self) -> bool {
        self.debug
    }

    /// `::debug::text`, printed only with step debug logging on.
    pub(crate) fn debug_line(&self, text: &str) {
        if self.debug {
            self.command(&format!("::debug::{}", escape_data(text)));
        }
    }

    /// The redactor every line passes through.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Writes text that is not one of our workflow commands (an audit line, a message),
    /// redacted and neutralized so nothing in it acts as a command.
    pub fn line(&self, text: &str) {
        self.raw(&neutralize(&self.redactor.redact(text)));
    }

    /// Writes one of our own workflow commands, built with the escaping helpers, redacted.
    fn command(&self, text: &str) {
        self.raw(&self.redactor.redact(text));
    }

    fn raw(&self, text: &str) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // Stdout closed by the runner is nothing we can report anywhere else.
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Tells the runner to mask a value in every later log line, then remembers it locally
    /// so our own outputs never show it either. The one line that must carry the secret.
    pub fn mask(&self, secret: &str) {
        // Once per value: the runner already hides it, and a second line adds nothing.
        if secret.trim().is_empty() || self.redactor.knows(secret) {
            return;
        }
        // Outside the runner nothing reads the command: printing it would only show the
        // secret on a terminal.
        if self.in_actions {
            self.raw(&format!("::add-mask::{}", escape_data(secret)));
        }
        self.redactor.add(secret);
    }

    /// Writes an annotation. Past the runner's per-step cap the line is still printed, as a
    /// plain log line, so nothing is lost from the log.
    pub(crate) fn annotate(&self, level: Level, title: &str, message: &str) {
        let index = level as usize;
        let shown = {
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            counts[index] += 1;
            counts[index] <= ANNOTATIONS_PER_KIND
        };
        if shown {
            self.command(&annotation(level, title, message));
        } else {
            self.line(&format!("{}: {title}: {message}", level.command()));
        }
    }

    /// `::group::title`
    pub fn group(&self, title: &str) {
        self.command(&format!("::group::{}", escape_data(title)));
    }

    /// `::endgroup::`
    pub fn endgroup(&self) {
        self.command("::endgroup::");
    }
}

/// An in-memory writer for tests and the demo: what was written can be read back.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    /// Everything written so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// A shared writer on this buffer.
    pub fn writer(&self) -> SharedWriter {
        Arc::new(Mutex::new(Box::new(self.clone())))
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
