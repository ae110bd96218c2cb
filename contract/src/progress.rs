//! How far a long run has gone, for whoever shows it (a terminal's
//! progress bar in `openapi-kit`). The checks say when a phase of known
//! length begins and when each of its steps begins (so a counter reads
//! "working on the 5th of 120"); nothing is shown by default.

use std::sync::Arc;

/// Told how far the checks have gone.
pub trait Observer: Send + Sync {
    /// A phase of `total` steps begins (`what`: its name).
    fn phase(&self, what: &str, total: u64);
    /// The next step of the current phase begins.
    fn step(&self);
}

/// The observer a [`crate::Spec`] reports to, if any.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Observer>>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(observed)" } else { "Progress(none)" })
    }
}

impl Progress {
    /// Reports to `observer`.
    pub fn to(observer: Arc<dyn Observer>) -> Progress {
        Progress(Some(observer))
    }

    /// A phase of `total` steps begins.
    pub fn phase(&self, what: &str, total: usize) {
        if let Some(o) = &self.0 {
            o.phase(what, total as u64);
        }
    }

    /// The next step begins.
    pub fn step(&self) {
        if let Some(o) = &self.0 {
            o.step();
        }
    }
}
