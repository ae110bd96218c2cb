//! Progress of a long run on a terminal: a spinner with what is being done
//! and for how long (indicatif), on standard error; nothing at all when
//! standard output or standard error is not a terminal, or under `CI`, so
//! logs and reports stay as they are.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A running phase, shown while it lasts.
pub struct Progress(Option<ProgressBar>);

/// Whether progress is shown here.
pub fn shown() -> bool {
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

impl Progress {
    /// Starts showing `what` (when [`shown`]).
    pub fn start(what: &str) -> Progress {
        if !shown() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap_or_else(|_| ProgressStyle::default_spinner()));
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Says what is being done now.
    pub fn set(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(what.to_owned());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
