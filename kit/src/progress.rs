//! Progress of a long run on a terminal (indicatif), on standard error: a
//! counter and a bar while a phase of known length runs (the examples,
//! the generated values, the negative requests of a contract run), a
//! spinner with the phase's name otherwise, each with the time spent.
//! Nothing at all when standard output or standard error is not a
//! terminal, or under `CI`, so logs and reports stay as they are.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A running phase, shown while it lasts.
pub struct Progress(Option<ProgressBar>);

/// Whether progress is shown here.
pub fn shown() -> bool {
    shown_when(std::io::stdout().is_terminal(), std::io::stderr().is_terminal(), std::env::var_os("CI").is_some())
}

/// Whether progress is shown, given where the output goes and whether
/// `CI` is set.
fn shown_when(stdout_terminal: bool, stderr_terminal: bool, ci: bool) -> bool {
    stdout_terminal && stderr_terminal && !ci
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn counter() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{wide_bar}] ({elapsed}, about {eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Progress {
    /// Starts showing `what` (when [`shown`]).
    pub fn start(what: &str) -> Progress {
        if !shown() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(spinner());
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Shows nothing.
    pub fn none() -> Progress {
        Progress(None)
    }

    /// Says what is being done now (a phase of unknown length).
    pub fn set(&self, what: &str) {
        if let Some(bar) = &self.0 {
            // The style first: no frame shows this name with a count.
            bar.set_style(spinner());
            bar.set_message(what.to_owned());
        }
    }

    /// Writes `line` on standard error, above the display when it is shown.
    pub fn note(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// What the contract checks report to: each phase they count is shown
    /// as a counter and a bar.
    pub fn observer(&self) -> openapi_contract::progress::Progress {
        match &self.0 {
            Some(bar) => openapi_contract::progress::Progress::to(Arc::new(Counter(bar.clone()))),
            None => openapi_contract::progress::Progress::default(),
        }
    }
}

/// The bar, as the contract checks' observer.
struct Counter(ProgressBar);

impl openapi_contract::progress::Observer for Counter {
    fn phase(&self, what: &str, total: u64) {
        // A spinner until the count is set: a frame drawn between these
        // calls (the spinner ticks on its own thread) never pairs a count
        // with another phase.
        self.0.set_style(spinner());
        self.0.set_message(what.to_owned());
        self.0.set_position(0);
        self.0.set_length(total);
        self.0.reset_eta();
        self.0.set_style(counter());
    }

    fn step(&self) {
        self.0.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::{InMemoryTerm, ProgressDrawTarget};

    /// A display drawing to an in-memory terminal, and that terminal.
    fn drawn() -> (Progress, InMemoryTerm) {
        let term = InMemoryTerm::new(4, 120);
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::term_like(Box::new(term.clone())));
        bar.set_style(spinner());
        bar.set_message("starting");
        (Progress(Some(bar)), term)
    }

    fn screen(progress: &Progress, term: &InMemoryTerm) -> String {
        progress.0.as_ref().unwrap().force_draw();
        term.contents()
    }

    #[test]
    fn a_counted_phase_shows_its_count_and_a_named_phase_its_name() {
        let (progress, term) = drawn();
        let observer = progress.observer();
        observer.phase("examples against their schemas", 3);
        observer.step();
        observer.step();
        let shown = screen(&progress, &term);
        assert!(shown.contains("examples against their schemas 2/3 ["), "{shown}");
        assert!(shown.contains("left)"), "{shown}");
        // The next phase starts from zero with its own length.
        observer.phase("generated values (64 per schema)", 120);
        observer.step();
        let shown = screen(&progress, &term);
        assert!(shown.contains("generated values (64 per schema) 1/120 ["), "{shown}");
        // A phase of unknown length is a spinner with its name, no count.
        progress.set("building the round-trip runner");
        let shown = screen(&progress, &term);
        assert!(shown.contains("building the round-trip runner (") && !shown.contains("/120"), "{shown}");
    }

    #[test]
    fn nothing_is_shown_off_a_terminal_or_under_ci() {
        assert!(shown_when(true, true, false));
        assert!(!shown_when(false, true, false), "stdout to a file or a pipe");
        assert!(!shown_when(true, false, false), "stderr to a file or a pipe");
        assert!(!shown_when(true, true, true), "under CI");
        // Nothing shown: the checks are told nothing.
        assert_eq!(format!("{:?}", Progress(None).observer()), "Progress(none)");
    }
}
